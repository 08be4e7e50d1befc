// What every case family shares: the built packages, seeded randomness, scratch folders, processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The campaign's own trainer, coordinator and CLI entry points. */
export const FAULTY_TRAINER = join(ROOT, 'scripts', 'faults', 'lib', 'faulty-trainer.mjs');
export const COORDINATOR = join(ROOT, 'scripts', 'faults', 'lib', 'coordinator.mjs');
export const CORE_DIST = join(ROOT, 'packages', 'core', 'dist');
export const CLI_BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

/** Imports a module of the built @hptune/core (`index`, `blob`, `tensorboard`...). */
export async function importCore(entry = 'index') {
  const file = join(CORE_DIST, `${entry}.js`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: run pnpm build first`);
  return import(pathToFileURL(file).href);
}

/** Imports the built @hptune/trial (the trial side: metric reports, the completion marker). */
export async function importTrial() {
  const file = join(ROOT, 'packages', 'trial', 'dist', 'index.js');
  if (!existsSync(file)) throw new Error(`${file} does not exist: run pnpm build first`);
  return import(pathToFileURL(file).href);
}

/** better-sqlite3 as @hptune/core resolves it, to inspect stores the way SQLite itself sees them. */
export function sqlite() {
  return createRequire(join(ROOT, 'packages', 'core', 'package.json'))('better-sqlite3');
}

/** `PRAGMA integrity_check` of a store, read-only: `'ok'` or SQLite's list of problems. */
export function integrityCheck(file) {
  const Database = sqlite();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: false }).map((row) => row.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** A seeded source of floats in [0, 1) (mulberry32), so a failing case replays with `--seed`. */
export function seeded(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = Math.imul(state ^ (state >>> 15), state | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

const scratch = [];
/** A fresh folder under the system temp dir, removed by {@link cleanScratch}. */
export function scratchDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `hptune-faults-${label}-`));
  scratch.push(dir);
  return dir;
}
export function cleanScratch() {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs a command to its end: `{ code, signal, stdout, stderr }`. */
export function runProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts a coordinator process (see coordinator.mjs); `exited` settles with its exit. */
export function startCoordinator(mode, options, { umask } = {}) {
  const child = spawn(process.execPath, [COORDINATOR, mode, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(umask === undefined ? {} : { HPTUNE_FAULTS_UMASK: String(umask) }) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited, output: () => stdout + stderr };
}

/** Whether a process still runs and is the one recorded (same start time in /proc): a recycled pid is not it. */
export function isRunning({ pid, start }) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return false;
  return start === undefined || fields[19] === start;
}

/** The trainer processes the faulty trainer logged (one JSON line each at start). */
export function loggedTrainers(logFile) {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` is truthy (checked every `everyMs`), at most `timeoutMs`; returns its value or undefined. */
export async function waitFor(condition, { timeoutMs = 20_000, everyMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}
