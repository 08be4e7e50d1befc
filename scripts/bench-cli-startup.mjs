#!/usr/bin/env node
// The `hptune` command's start-up cost: wall time of `hptune --help` and `hptune --version` from
// spawn to exit, beside `node -e 0` measured in the same run so the overhead over bare Node shows
// (the floor moves with the machine's load; the difference is what hptune costs).
// Run: pnpm bench:cli [runs] (builds first), or node scripts/bench-cli-startup.mjs [runs] after a build;
// 15 runs of each by default, interleaved so that load spikes hit all three alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'packages/cli/dist/bin.js');
const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number of at least 1, got ${process.argv[2]}`);
if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);

const cases = [
  { label: 'node -e 0 (floor)', args: ['-e', '0'] },
  { label: 'hptune --help', args: [bin, '--help'] },
  { label: 'hptune --version', args: [bin, '--version'] },
];

function wallMs(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

// One unmeasured run of each warms the file cache, which a user's second call would also find warm.
for (const { args } of cases) wallMs(args);
const samples = cases.map(() => []);
for (let run = 0; run < runs; run++) cases.forEach(({ args }, index) => samples[index].push(wallMs(args)));

const median = (sorted) => (sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);
const floor = median([...samples[0]].sort((a, b) => a - b));
console.log(`CLI start-up, ${runs} runs each, Node ${process.version}, load average ${loadavg()[0].toFixed(2)}:`);
cases.forEach(({ label }, index) => {
  const sorted = [...samples[index]].sort((a, b) => a - b);
  const middle = median(sorted);
  const overhead = index === 0 ? '' : `, +${(middle - floor).toFixed(0)} ms over node -e 0`;
  console.log(`  ${label.padEnd(18)} median ${middle.toFixed(0)} ms (min ${sorted[0].toFixed(0)}, max ${sorted.at(-1).toFixed(0)})${overhead}`);
});
