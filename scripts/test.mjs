#!/usr/bin/env node
// `pnpm test`: every package's tests, quietly. Tests run the built output (dist/), so the packages
// are built first, but only when a source changed since the last build: set-up has just built
// them, and building again would double the wait. Prints one line per package (vitest's dot
// reporter: a dot per test, failures in full) and the build's output only when it fails.
// `pnpm test core cli` runs those packages' tests only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const packages = readdirSync(join(repo, 'packages'))
  .map((name) => ({ name, dir: join(repo, 'packages', name) }))
  .filter(({ dir }) => existsSync(join(dir, 'package.json')))
  .map((entry) => ({ ...entry, scripts: JSON.parse(readFileSync(join(entry.dir, 'package.json'), 'utf8')).scripts ?? {} }));

/** What a build never reads: tests, their fixtures, API reports, dependencies and the build itself. */
const NOT_BUILT = /^(node_modules|dist|test|api|bench)$|\.test(-d)?\.ts$|\.md$/;

/** The newest modification time of what the build reads under `path` (a file or a folder). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((name) => !NOT_BUILT.test(name)).map((name) => newest(join(path, name))));
}

/** The oldest modification time of the files in `dist` (0 when there is none): the last build. */
function oldestBuilt(dir) {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) return 0;
  const times = readdirSync(dist, { recursive: true }).map((name) => statSync(join(dist, String(name)))).filter((stat) => stat.isFile()).map((stat) => stat.mtimeMs);
  return times.length === 0 ? 0 : Math.min(...times);
}

const shared = Math.max(newest(join(repo, 'tsup.base.ts')), newest(join(repo, 'tsconfig.base.json')), newest(join(repo, 'pnpm-lock.yaml')));
const stale = packages.filter(({ dir, scripts }) => scripts.build && Math.max(shared, newest(dir)) > oldestBuilt(dir));
if (stale.length > 0) {
  const log = join(mkdtempSync(join(tmpdir(), 'hptune-test-')), 'build.log');
  process.stdout.write(`test: building (changed since the last build: ${stale.map(({ name }) => name).join(', ')})\n`);
  const build = spawnSync('pnpm', ['build'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(log, `${build.stdout}${build.stderr}`);
  if (build.status !== 0) {
    process.stderr.write(`${readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}\ntest: the build failed; its whole output is in ${log}\n`);
    process.exit(1);
  }
}

const failed = [];
// `pnpm test core cli` tests only those packages (the build check still covers them all).
const only = process.argv.slice(2);
for (const { name, dir } of packages.filter(({ name, scripts }) => scripts.test && (only.length === 0 || only.includes(name)))) {
  process.stdout.write(`test: ${name}\n`);
  // The package's own script, with the dot reporter added (its arguments pass through to vitest).
  const result = spawnSync('pnpm', ['run', '--silent', 'test', '--reporter=dot'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  process.stderr.write(`test: failed in ${failed.join(', ')}\n`);
  process.exit(1);
}
