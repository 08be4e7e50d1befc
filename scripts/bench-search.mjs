#!/usr/bin/env node
// Search quality and cost of hptune's samplers: the median final regret (best value found minus
// the function's minimum) over seeds at a fixed trial budget, on Branin, Hartmann-6 and a mixed
// space of our own (categorical, log-scale, integer, discrete), for tpe and random; the time of one
// TPE suggestion with 100, 500 and 1,000 finished trials of a 6-parameter space; and, when
// Debian's python3-optuna is installed (`apt-get install -y python3-optuna`), Optuna's
// TPESampler with its defaults on the same functions and budget (scripts/bench-search-optuna.py).
// Run: pnpm bench:search   (options: --seeds N, default 20; --trials N, default 60)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { categorical, createSampler, discrete, double, integer, searchSpace } from '../packages/core/dist/index.js';

const { values: args } = parseArgs({ options: { seeds: { type: 'string', default: '20' }, trials: { type: 'string', default: '60' } } });
const SEEDS = Number(args.seeds);
const TRIALS = Number(args.trials);
const SUGGEST_HISTORIES = [100, 500, 1000];
const PYTHON = '/usr/bin/python3';
const root = dirname(dirname(fileURLToPath(import.meta.url)));

// The same functions as scripts/bench-search-optuna.py; keep them in step.
const HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const HARTMANN_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const HARTMANN_ALPHA = [1, 1.2, 3, 3.2];
const MIXED_OFFSET = { sgd: 0.5, adam: 0, rmsprop: 0.3 };
const MIXED_LR_CENTRE = { sgd: -1.5, adam: -3, rmsprop: -2.5 };

const FUNCTIONS = [
  {
    name: 'Branin (2 doubles)',
    space: searchSpace({ x1: double(-5, 10), x2: double(0, 15) }),
    minimum: 0.397887357729738,
    evaluate: ({ x1, x2 }) => {
      const b = 5.1 / (4 * Math.PI ** 2);
      return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
    },
  },
  {
    name: 'Hartmann-6 (6 doubles)',
    space: searchSpace(Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`x${i}`, double(0, 1)]))),
    minimum: -3.32236801141551,
    evaluate: (p) => {
      const x = [p.x1, p.x2, p.x3, p.x4, p.x5, p.x6];
      let total = 0;
      for (let i = 0; i < 4; i += 1) {
        let inner = 0;
        for (let j = 0; j < 6; j += 1) inner += HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2;
        total += HARTMANN_ALPHA[i] * Math.exp(-inner);
      }
      return -total;
    },
  },
  {
    name: 'mixed (categorical, log, integer, discrete)',
    space: searchSpace({
      optimizer: categorical(['sgd', 'adam', 'rmsprop']),
      learning_rate: double(1e-5, 1, { scale: 'log' }),
      layers: integer(1, 8),
      units: integer(8, 1024, { scale: 'log' }),
      dropout: double(0, 0.8),
      batch_size: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
    }),
    minimum: 0,
    evaluate: (p) =>
      MIXED_OFFSET[p.optimizer] +
      (Math.log10(p.learning_rate) - MIXED_LR_CENTRE[p.optimizer]) ** 2 +
      0.1 * (p.layers - 3) ** 2 +
      0.2 * (Math.log2(p.units) - 7) ** 2 +
      4 * (p.dropout - 0.25) ** 2 +
      0.3 * (Math.log2(p.batch_size) - 6) ** 2,
  },
];

const METRIC = { id: 'value', goal: 'minimize' };
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function finished(id, parameters, value) {
  const measurement = { step: 1, metrics: { value }, elapsedSeconds: 0 };
  return { id: String(id), state: 'SUCCEEDED', parameters, measurements: [measurement], finalMeasurement: measurement };
}

/** The final regret of one study: `TRIALS` suggestions, each evaluated before the next. */
function regret(algorithm, fn, seed) {
  const sampler = createSampler({ algorithm, space: fn.space, metric: METRIC, seed });
  const trials = [];
  let best = Number.POSITIVE_INFINITY;
  for (let n = 0; n < TRIALS; n += 1) {
    const parameters = sampler.suggest(trials);
    const value = fn.evaluate(parameters);
    best = Math.min(best, value);
    trials.push(finished(n + 1, parameters, value));
  }
  return best - fn.minimum;
}

/**
 * One TPE suggestion with `count` finished trials of Hartmann-6's space: the median wall time of
 * 31 and the mean CPU time (this process's, so a busy shared machine inflates it less), in ms.
 */
function suggestMilliseconds(count) {
  const fn = FUNCTIONS[1];
  const random = createSampler({ algorithm: 'random', space: fn.space, metric: METRIC, seed: 99 });
  const trials = [];
  for (let n = 0; n < count; n += 1) {
    const parameters = random.suggest(trials);
    trials.push(finished(n + 1, parameters, fn.evaluate(parameters)));
  }
  const tpe = createSampler({ algorithm: 'tpe', space: fn.space, metric: METRIC, seed: 1 });
  for (let repeat = 0; repeat < 5; repeat += 1) tpe.suggest(trials); // warm-up: JIT
  const times = [];
  const cpuBefore = process.cpuUsage();
  for (let repeat = 0; repeat < 31; repeat += 1) {
    const started = performance.now();
    tpe.suggest(trials);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: median(times), cpu: (cpu.user + cpu.system) / 1000 / 31 };
}

function runOptuna() {
  const probe = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return { missing: `Optuna not found for ${PYTHON} (apt-get install -y python3-optuna); its column is left out` };
  const run = spawnSync(PYTHON, [join(root, 'scripts/bench-search-optuna.py'), '--seeds', String(SEEDS), '--trials', String(TRIALS), '--histories', SUGGEST_HISTORIES.join(',')], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench-search-optuna.py failed: ${run.stderr}`);
  return { version: probe.stdout.trim(), ...JSON.parse(run.stdout) };
}

const format = (value) => (value === undefined ? '-' : value < 0.001 ? value.toExponential(2) : value.toFixed(4));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);

console.log(`hptune bench:search: ${SEEDS} seeds, ${TRIALS} trials each; load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} on ${process.arch}, Node ${process.version}`);
const started = performance.now();
const rows = FUNCTIONS.map((fn) => {
  const seeds = Array.from({ length: SEEDS }, (_, seed) => seed);
  return { fn, random: median(seeds.map((seed) => regret('random', fn, seed))), tpe: median(seeds.map((seed) => regret('tpe', fn, seed))) };
});
const hptuneSeconds = (performance.now() - started) / 1000;
const timings = SUGGEST_HISTORIES.map((count) => ({ count, ...suggestMilliseconds(count) }));
const optuna = runOptuna();

console.log('');
console.log('median final regret (lower is better)');
const header = ['function', 'random', 'tpe', `Optuna ${optuna.version ?? ''} TPE`.trim(), 'tpe / Optuna', 'tpe / random'];
const table = rows.map(({ fn, random, tpe }, index) => {
  const theirs = optuna.regrets?.[index] === undefined ? undefined : median(optuna.regrets[index]);
  return [fn.name, format(random), format(tpe), format(theirs), ratio(tpe, theirs), ratio(tpe, random)];
});
const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => row[column].length)));
const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of table) console.log(line(row));
console.log('');
console.log('one TPE suggestion, 6 doubles (Hartmann-6), ms: median wall time of 31 / mean CPU time');
const timingTable = timings.map(({ count, wall, cpu }) => {
  const theirs = optuna.suggestMs?.[String(count)];
  const pair = (a, b) => `${a.toFixed(2)} / ${b.toFixed(2)}`;
  return [String(count), pair(wall, cpu), theirs === undefined ? '-' : pair(theirs.wall, theirs.cpu), ratio(cpu, theirs?.cpu)];
});
const timingHeader = ['finished trials', 'tpe wall / CPU', 'Optuna TPE wall / CPU', 'tpe / Optuna (CPU)'];
const timingWidths = timingHeader.map((title, column) => Math.max(title.length, ...timingTable.map((row) => row[column].length)));
const timingLine = (cells) => `| ${cells.map((cell, column) => cell.padEnd(timingWidths[column])).join(' | ')} |`;
console.log(timingLine(timingHeader));
console.log(`|${timingWidths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of timingTable) console.log(timingLine(row));
if (optuna.missing) console.log(`\n${optuna.missing}`);
console.log(`\nhptune's ${2 * SEEDS * FUNCTIONS.length} studies took ${hptuneSeconds.toFixed(1)} s`);
