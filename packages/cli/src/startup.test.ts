import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUDY_STORE_FILE } from '@hptune/core/local';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(packageRoot, 'dist', 'bin.js');
const preload = join(packageRoot, 'test', 'fixtures', 'record-module-loads.mjs');

/** Packages `--help` and `--version` have no use for: the slow ones, and those that open native addons. */
const HEAVY_PACKAGES = [/^better-sqlite3$/, /^pngjs$/, /^@node-rs\//, /^@google-cloud\//, /^@tensorflow\//];

/** The package a module file belongs to: what follows its last `node_modules/`. */
function packageOf(file: string): string | undefined {
  // The greedy prefix skips pnpm's `node_modules/.pnpm/<name>@<version>/` to the real folder.
  const match = /^.*node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
  return match?.[1]?.replace('\\', '/');
}

let scratch: string;

/** Runs the built `hptune` with the recording preload; returns its exit, output and what it loaded. */
function runRecorded(args: readonly string[]) {
  const recordFile = join(scratch, `loads-${args.join('-').replace(/[^\w-]/g, '')}.json`);
  const result = spawnSync(process.execPath, ['--import', preload, bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HPTUNE_TEST_LOAD_RECORD: recordFile },
  });
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { addons: string[]; modules: string[] };
  const packages = [...new Set(record.modules.map(packageOf).filter((name) => name !== undefined))];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, addons: record.addons, packages };
}

describe('what the built hptune loads', () => {
  beforeAll(() => {
    // Tests never build: this one checks the bundle users run, so it needs one.
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
    scratch = mkdtempSync(join(tmpdir(), 'hptune-cli-startup-'));
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it.each([['--help'], ['--version']])('hptune %s opens no native addon and loads none of the heavy packages', (flag) => {
    const run = runRecorded([flag]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toBe('');
    expect(run.addons, 'native addons opened').toEqual([]);
    expect(run.packages.filter((name) => HEAVY_PACKAGES.some((pattern) => pattern.test(name))), 'heavy packages loaded').toEqual([]);
  });

  it('hptune study list over an existing store does load better-sqlite3 (so the checks above can fail)', () => {
    const studyDir = join(scratch, 'studies');
    // An empty file is an empty SQLite database: the store opens it and finds no study.
    mkdirSync(studyDir, { recursive: true });
    writeFileSync(join(studyDir, STUDY_STORE_FILE), '');
    const run = runRecorded(['study', 'list', '--study-dir', studyDir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('no studies');
    expect(run.packages).toContain('better-sqlite3');
    expect(run.addons.some((file) => file.endsWith('better_sqlite3.node'))).toBe(true);
  });
});
