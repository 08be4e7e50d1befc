import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HptuneError } from '../errors.js';
import type { StudyDefinition } from '../study/definition.js';
import { randomUUID } from 'node:crypto';
import { openSqliteStudyStore, STUDY_STORE_SCHEMA_VERSION } from './sqlite.js';

const definition: StudyDefinition = {
  name: 'seed',
  space: { version: 1, parameters: { x: { kind: 'categorical', values: ['a'] } } },
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'random',
  maxTrials: 3,
  parallelTrials: 2,
  maxFailedTrials: 1,
  trialTimeoutSeconds: 60,
  seed: 1,
  trainer: { command: 'python3', args: ['task.py'], env: { A: 'b' } },
  backend: 'local',
};

/** A lease owner as a coordinator would be: what the store records, nothing it checks. */
const newOwner = () => ({ token: randomUUID(), pid: 4242, hostname: 'coordinator.test' });

describe('SQLite study store', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hptune-sqlite-'));
    file = join(dir, 'nested', 'hptune.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps studies, trials and measurements across reopening, in WAL mode with the schema version', () => {
    const owner = newOwner();
    const first = openSqliteStudyStore({ file });
    first.createStudy(definition, owner);
    first.createTrial('seed', { parameters: { lr: 0.01, act: 'relu' } }, owner.token);
    first.startTrial('seed', '1', { startTime: 't' }, owner.token);
    first.addMeasurements('seed', '1', [{ step: 3, metrics: { accuracy: 0.25 }, elapsedSeconds: 0.5 }], owner.token);
    first.close();

    const second = openSqliteStudyStore({ file });
    expect(second.getStudy('seed')?.definition).toEqual(definition);
    expect(second.getTrials('seed')).toMatchObject([{ id: '1', state: 'ACTIVE', parameters: { lr: 0.01, act: 'relu' }, measurements: [{ step: 3 }] }]);
    second.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(STUDY_STORE_SCHEMA_VERSION);
    raw.close();
  });

  it('enforces one writer across connections: the second is refused while the first holds the lease', () => {
    const a = openSqliteStudyStore({ file });
    const b = openSqliteStudyStore({ file });
    const owner = newOwner();
    a.createStudy(definition, owner);
    const seen: string[] = [];
    const refuse = (held: { token: string }): boolean => {
      seen.push(held.token);
      throw new HptuneError('STUDY_LOCKED', 'held by another coordinator');
    };
    expect(() => b.acquireLease('seed', newOwner(), { takeOver: refuse })).toThrow(/another coordinator/);
    expect(seen).toEqual([owner.token]);
    // A reader needs no lease and sees the writer's committed state.
    a.createTrial('seed', { parameters: {} }, owner.token);
    expect(b.getTrials('seed')).toHaveLength(1);
    a.close();
    b.close();
  });

  it('refuses a store written by a newer hptune', () => {
    openSqliteStudyStore({ file }).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STUDY_STORE_SCHEMA_VERSION + 1}`);
    raw.close();
    let error: unknown;
    try {
      openSqliteStudyStore({ file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HptuneError);
    expect((error as HptuneError).code).toBe('STORE_TOO_NEW');
  });

  it('migrates a version 1 store in place: its trials kept, the stopped-early flag and decision step added', () => {
    const owner = newOwner();
    const first = openSqliteStudyStore({ file });
    first.createStudy(definition, owner);
    first.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
    first.createTrial('seed', { parameters: { x: 'b' } }, owner.token);
    first.finishTrial('seed', '1', { state: 'SUCCEEDED', finalMeasurement: { step: 9, metrics: { accuracy: 0.9 }, elapsedSeconds: 9 }, endTime: 't' }, owner.token);
    first.close();
    // What hptune 0.1 wrote: the same tables without the column.
    const raw = new Database(file);
    raw.exec('ALTER TABLE trials DROP COLUMN stopped_early');
    raw.exec('ALTER TABLE trials DROP COLUMN stopped_at_step');
    raw.exec('ALTER TABLE measurements DROP COLUMN after_stop');
    raw.pragma('user_version = 1');
    raw.close();

    const migrated = openSqliteStudyStore({ file });
    expect(migrated.getTrial('seed', '1')).toMatchObject({ state: 'SUCCEEDED', finalMeasurement: { step: 9 } });
    expect(migrated.getTrial('seed', '1')?.stoppedEarly).toBeUndefined();
    const final = { step: 3, metrics: { accuracy: 0.5 }, elapsedSeconds: 3 };
    expect(migrated.finishTrial('seed', '2', { state: 'SUCCEEDED', finalMeasurement: final, endTime: 't', stoppedEarly: true }, owner.token).stoppedEarly).toBe(true);
    migrated.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(3);
    check.close();
  });

  it('refuses a damaged store with STORE_CORRUPT and what to do, leaving the file as it was', () => {
    const store = openSqliteStudyStore({ file });
    const owner = newOwner();
    store.createStudy(definition, owner);
    for (let index = 0; index < 3; index++) store.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
    store.close();
    // Overwrite the second page (the first table's b-tree) with bytes no page can hold.
    const pageSize = 4096;
    expect(statSync(file).size).toBeGreaterThan(pageSize * 2);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, pageSize);
    closeSync(fd);
    const before = readFileSync(file);
    let error: unknown;
    try {
      openSqliteStudyStore({ file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HptuneError);
    expect((error as HptuneError).code).toBe('STORE_CORRUPT');
    expect((error as HptuneError).message).toMatch(new RegExp(`^the study store ${file} is damaged \\(.+\\); hptune never repairs or overwrites a store: restore it from a backup, or move it aside`));
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('stops at the first write after its file was deleted, saving what it had recorded, and never writes to the deleted file', () => {
    const owner = newOwner();
    const store = openSqliteStudyStore({ file });
    store.createStudy(definition, owner);
    store.createTrial('seed', { parameters: { act: 'a' } }, owner.token);
    rmSync(file);
    const error = errorOf(() => store.createTrial('seed', { parameters: { act: 'a' } }, owner.token));
    expect(error.code).toBe('STORE_REPLACED');
    expect(error.message).toMatch(/hptune\.db was deleted while the study ran.*saved in .*hptune\.db\.salvaged-/);
    expect(errorOf(() => store.verify?.()).code).toBe('STORE_REPLACED');
    const saved = readdirSync(join(dir, 'nested')).find((name) => name.startsWith('hptune.db.salvaged-')) as string;
    const salvaged = new Database(join(dir, 'nested', saved), { readonly: true });
    expect(salvaged.prepare('SELECT COUNT(*) AS n FROM trials').get()).toEqual({ n: 1 });
    salvaged.close();
    store.close();
  });

  it('notices a file replaced or truncated under its path, also between writes (verify)', () => {
    const owner = newOwner();
    const replaced = openSqliteStudyStore({ file });
    replaced.createStudy(definition, owner);
    renameSync(file, `${file}.moved`);
    writeFileSync(file, '');
    expect(errorOf(() => replaced.verify?.()).message).toContain('was replaced by another file');
    replaced.close();

    const other = join(dir, 'other.db');
    const truncated = openSqliteStudyStore({ file: other });
    truncated.createStudy(definition, owner);
    truncated.verify?.({ thorough: true });
    truncateSync(other, 0);
    expect(errorOf(() => truncated.verify?.()).message).toMatch(/other\.db was truncated \(0 bytes, it had \d+\)/);
    truncated.close();
  });

  it('refuses to create a store where only its -wal or -shm file is left, leaving them as they are', () => {
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(`${file}-wal`, 'committed pages');
    const error = errorOf(() => openSqliteStudyStore({ file }));
    expect(error.code).toBe('STORE_ORPHANED_WAL');
    expect(error.message).toContain('hptune will not create a new store over them');
    expect(readFileSync(`${file}-wal`, 'utf8')).toBe('committed pages');
    expect(existsSync(file)).toBe(false);
  });
});

function errorOf(call: () => unknown): HptuneError {
  try {
    call();
  } catch (error) {
    if (error instanceof HptuneError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}
