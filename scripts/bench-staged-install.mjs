#!/usr/bin/env node
// `pnpm bench:staged`: what a staged Vertex trial (no custom container) pays before it trains.
//
//   node scripts/bench-staged-install.mjs [--runs 1]      (needs core and trainer built, and the npm registry)
//
// 1. packs @hptune/trainer and @hptune/core with the packer `hptune launch` stages with;
// 2. --runs times, in a fresh folder with a fresh, EMPTY npm cache, runs the bootstrap's own
//    `npm install --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier ./<tarballs>`
//    (packages/core/src/backends/vertex/staging/bootstrap.ts) and prints its wall time, the packages
//    npm added and node_modules' size on disk; with several runs, the median;
// 3. runs the installed `hptune-train --train-size 2048 --test-size 1000` once, and prints its wall
//    time and "install + quick train".
// npm_* variables (which `pnpm run` sets) are left out of npm's environment, as on a stock image.
// The figures are this machine's: its CPUs and its way to the registry, not a Vertex VM's.
import { spawn } from 'node:child_process';
import { copyFileSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { runs: { type: 'string', default: '1' } } });
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench-staged-install: --runs must be a whole number >= 1, got ${JSON.stringify(options.runs)}\n`);
  process.exit(2);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms) => (ms / 1000).toFixed(1);
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** This process's environment without npm_* variables, as a stock container has it. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

/** Runs a command, collecting its output; resolves with its exit status, output and wall time (ms). */
function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status: status ?? signal, output, ms: performance.now() - started }));
  });
}

/** Bytes a folder takes on disk (allocated blocks, each inode once), like `du -sk`. */
function diskUsage(dir, seen = new Set()) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const stat = lstatSync(path);
    if (seen.has(stat.ino)) continue;
    seen.add(stat.ino);
    bytes += stat.blocks * 512;
    if (entry.isDirectory()) bytes += diskUsage(path, seen);
  }
  return bytes;
}

const temporary = [];
const tempDir = (prefix) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};

try {
  let core;
  try {
    core = await import(pathToFileURL(join(root, 'packages/core/dist/vertex.js')).href);
  } catch (error) {
    throw new Error(`cannot load packages/core/dist/vertex.js (${error.message}); build first: pnpm build`);
  }
  const packDir = tempDir('hptune-bench-pack-');
  const packed = await core.packWithLocalDependencies(join(root, 'packages/trainer'), packDir);
  const npmVersion = await run('npm', ['--version'], root);
  out(`Node ${process.version}, npm ${npmVersion.output.trim()}; staged tarballs: ${packed.map((pkg) => `${pkg.fileName} (${(pkg.size / 1024).toFixed(1)} KiB)`).join(', ')}`);
  const command = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', ...packed.map((pkg) => `./${pkg.fileName}`)];
  out(`cold install (empty --cache): npm ${command.join(' ')}`);

  const installs = [];
  let lastInstallDir;
  for (let index = 1; index <= runs; index++) {
    const installDir = tempDir('hptune-bench-install-');
    const cache = tempDir('hptune-bench-npm-cache-');
    writeFileSync(join(installDir, 'package.json'), '{ "private": true }\n');
    for (const pkg of packed) copyFileSync(pkg.path, join(installDir, pkg.fileName));
    const result = await run('npm', [...command, '--cache', cache], installDir);
    if (result.status !== 0) throw new Error(`npm install exited with ${result.status}:\n${result.output}`);
    const added = /\badded (\d+) packages?\b/.exec(result.output)?.[1];
    if (added === undefined) throw new Error(`npm printed no "added N packages" line:\n${result.output}`);
    const bytes = diskUsage(join(installDir, 'node_modules'));
    installs.push(result.ms);
    lastInstallDir = installDir;
    out(`run ${index}: ${seconds(result.ms)} s, added ${added} packages, node_modules ${mib(bytes)} MiB on disk`);
    rmSync(cache, { recursive: true, force: true }); // a few hundred MiB: do not keep one per run
  }
  const install = median(installs);
  if (runs > 1) out(`median of ${runs}: ${seconds(install)} s`);

  const outputDir = tempDir('hptune-bench-train-');
  const trainArgs = ['--train-size', '2048', '--test-size', '1000', '--output-dir', outputDir];
  const train = await run(join(lastInstallDir, 'node_modules', '.bin', 'hptune-train'), trainArgs, lastInstallDir);
  if (train.status !== 0) throw new Error(`hptune-train exited with ${train.status}:\n${train.output}`);
  const lastLine = train.output.trim().split('\n').at(-1);
  out(`quick train (hptune-train ${trainArgs.slice(0, 4).join(' ')}, installed copy): ${seconds(train.ms)} s; its last line: ${lastLine}`);
  out(`install + quick train: ${seconds(install + train.ms)} s (${runs > 1 ? 'median install' : 'install'} ${seconds(install)} s + train ${seconds(train.ms)} s)`);
} catch (error) {
  process.stderr.write(`bench-staged-install: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
}
