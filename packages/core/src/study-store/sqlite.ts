import { existsSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { makeDirectory } from '@hptune/trial';
import { HptuneError } from '../errors.js';
import { dependencyLoadError, isNativeAddonLoadError, loadDependency } from '../load-dependency.js';
import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial, Measurement, StudyState, TrialFailure, TrialState, TrialSummary } from '../study/types.js';
import type { StudyDefinition } from '../study/definition.js';
import { checkMeasurement, checkTransition, deepFreeze, interruptedFailure, storeErrors } from './rules.js';
import type { AcquireLeaseOptions, InterruptedTrial, LeaseOwner, StopDecision, StudyLease, StudyRecord, StudyStore, TrialProcess } from './types.js';

/** The schema version this build writes (SQLite `user_version`). */
export const STUDY_STORE_SCHEMA_VERSION = 3;

/** Options of {@link openSqliteStudyStore}. */
export interface SqliteStudyStoreOptions {
  /** The database file; its directory is created. */
  readonly file: string;
  /** How long a write waits for another process's write to finish, in milliseconds. @default 10000 */
  readonly busyTimeoutMs?: number;
}

const SCHEMA_V1 = `
CREATE TABLE studies (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'COMPLETED', 'FAILED', 'CANCELLED')),
  create_time TEXT NOT NULL,
  update_time TEXT NOT NULL,
  lease_token TEXT,
  lease_pid INTEGER,
  lease_hostname TEXT,
  lease_process_start TEXT,
  lease_acquired_at TEXT
) STRICT;
CREATE TABLE trials (
  study TEXT NOT NULL REFERENCES studies (name) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('REQUESTED', 'ACTIVE', 'STOPPING', 'SUCCEEDED', 'INFEASIBLE')),
  parameters TEXT NOT NULL,
  final_measurement TEXT,
  failure TEXT,
  retry_of INTEGER,
  process_pid INTEGER,
  process_hostname TEXT,
  process_start TEXT,
  create_time TEXT NOT NULL,
  start_time TEXT,
  end_time TEXT,
  PRIMARY KEY (study, id)
) STRICT;
CREATE TABLE measurements (
  study TEXT NOT NULL,
  trial INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  step INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  elapsed_seconds REAL NOT NULL,
  PRIMARY KEY (study, trial, seq),
  FOREIGN KEY (study, trial) REFERENCES trials (study, id) ON DELETE CASCADE
) STRICT;
`;

/** Version 2: the flag of trials an early-stopping rule ended (`FrozenTrial.stoppedEarly`). */
const MIGRATION_V2 = `ALTER TABLE trials ADD COLUMN stopped_early INTEGER NOT NULL DEFAULT 0 CHECK (stopped_early IN (0, 1));`;

/**
 * Version 3: the step at which an early-stopping rule stopped a trial (`FrozenTrial.stoppedAtStep`),
 * and which measurements came after that decision (`FrozenTrial.measurementsAfterStop`).
 */
const MIGRATION_V3 = `
ALTER TABLE trials ADD COLUMN stopped_at_step INTEGER;
ALTER TABLE measurements ADD COLUMN after_stop INTEGER NOT NULL DEFAULT 0 CHECK (after_stop IN (0, 1));
`;

const INSERT_MEASUREMENT = 'INSERT INTO measurements (study, trial, seq, step, metrics, elapsed_seconds, after_stop) VALUES (?, ?, ?, ?, ?, ?, ?)';

/** Measurement rows one INSERT statement writes (7 values each, well under SQLite's 32,766 variables). */
const MEASUREMENT_ROWS_PER_INSERT = 64;

interface StudyRow {
  name: string;
  definition: string;
  state: StudyState;
  create_time: string;
  update_time: string;
  lease_token: string | null;
  lease_pid: number | null;
  lease_hostname: string | null;
  lease_process_start: string | null;
  lease_acquired_at: string | null;
}

interface TrialRow {
  id: number;
  state: TrialState;
  parameters: string;
  final_measurement: string | null;
  failure: string | null;
  retry_of: number | null;
  process_pid: number | null;
  process_hostname: string | null;
  process_start: string | null;
  create_time: string;
  start_time: string | null;
  end_time: string | null;
  stopped_early: number;
  stopped_at_step: number | null;
}

interface MeasurementRow {
  trial: number;
  step: number;
  metrics: string;
  elapsed_seconds: number;
  after_stop: number;
}

/**
 * Opens (creating if needed) the SQLite study store at `file`: WAL journal, so readers in other
 * processes never block the coordinator; `busy_timeout`, so concurrent writers wait instead of
 * failing; `synchronous=FULL`, so a committed write survives a crash of the machine too.
 *
 * @throws HptuneError `STORE_TOO_NEW` when the file was written by a newer hptune; `STORE_CORRUPT`
 * when SQLite's `quick_check` finds it damaged (the file is left as it is); `STORE_WRITE_FAILED`
 * for a full or failing disk (also from writes later on).
 */
export function openSqliteStudyStore(options: SqliteStudyStoreOptions): StudyStore {
  try {
    makeDirectory(dirname(options.file));
  } catch (error) {
    throw new HptuneError('STORE_UNREADABLE', `cannot create the folder of the study store ${options.file}: ${(error as Error).message}`, { cause: error });
  }
  refuseOrphanedJournal(options.file);
  // Loaded here, not at import, so that importing @hptune/core opens no native addon.
  const SqliteDatabase = loadDependency<typeof Database>('better-sqlite3', 'the study store');
  let db: Database.Database;
  try {
    db = new SqliteDatabase(options.file);
  } catch (error) {
    // better-sqlite3 opens its addon in the first constructor call, so a broken build shows here.
    if (isNativeAddonLoadError(error)) throw dependencyLoadError('better-sqlite3', 'the study store', error);
    throw storeFailure(options.file, error);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 10_000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // SQLite's own default page cache, 2,000 KiB: better-sqlite3 builds it with 16,000, which a
    // coordinator storing 100,000 measurements fills with pages it never reads again.
    db.pragma('cache_size = -2000');
    db.pragma('foreign_keys = ON');
    // A damaged file is refused before anything reads or writes it (milliseconds for a study's store).
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      const problem = String(check).replace('*** in database main ***', '').replace(/\s+/g, ' ').trim();
      throw Object.assign(new Error(`quick_check: ${problem}`), { code: 'SQLITE_CORRUPT' });
    }
    migrate(db, options.file);
  } catch (error) {
    db.close();
    throw storeFailure(options.file, error);
  }
  let identity: FileIdentity;
  try {
    identity = fileIdentity(options.file);
  } catch (error) {
    db.close();
    throw storeFailure(options.file, error);
  }
  return new SqliteStudyStore(db, options.file, identity);
}

/** Thrown inside a write transaction when the store's file is lost, so the write rolls back before anything is saved. */
class LostFile extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/** What tells the file opened from another one put under its path later: device and inode, and the largest size seen. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  size: number;
}

function fileIdentity(file: string): FileIdentity {
  const stat = statSync(file);
  return { dev: stat.dev, ino: stat.ino, size: stat.size };
}

/**
 * Refuses to create a store where only its write-ahead log (`-wal`) or shared-memory index
 * (`-shm`) is left: the store file was deleted or moved, and the log may hold committed studies
 * that a new store would discard (SQLite deletes a log that does not match its database).
 */
function refuseOrphanedJournal(file: string): void {
  if (existsSync(file)) return;
  const left = [`${file}-wal`, `${file}-shm`].filter((companion) => existsSync(companion));
  if (left.length === 0) return;
  throw new HptuneError(
    'STORE_ORPHANED_WAL',
    `the study store ${file} is missing, but ${left.join(' and ')} ${left.length === 1 ? 'is' : 'are'} left from it and may hold recorded studies; ` +
      `hptune will not create a new store over them: put the store file back (from a backup, or a ${file}.salvaged-* copy hptune saved), or move ${left.join(' and ')} aside to start a new store`,
  );
}

/** A failure of SQLite worded for the user: what is wrong with the store, and what to do. */
function storeFailure(file: string, error: unknown): HptuneError {
  if (error instanceof HptuneError) return error;
  return damageOrDiskFailure(file, error) ?? new HptuneError('STORE_UNREADABLE', `cannot use the study store ${file}: ${(error as Error).message}`, { cause: error });
}

/** A damaged file or a full or failing disk, said plainly; `undefined` for any other error. */
function damageOrDiskFailure(file: string, error: unknown): HptuneError | undefined {
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error).message;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new HptuneError(
      'STORE_CORRUPT',
      `the study store ${file} is damaged (${message}); hptune never repairs or overwrites a store: restore it from a backup, or move it aside to start a new one (the study folders beside it keep each trial's files)`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new HptuneError('STORE_WRITE_FAILED', `cannot write the study store ${file}: ${message}${freeSpaceOf(dirname(file))}; free space (or fix the disk), then resume the study`, {
      cause: error,
    });
  }
  return undefined;
}

/** `(N KiB free on its file system)`, or nothing where the file system cannot say. */
function freeSpaceOf(dir: string): string {
  try {
    const stats = statfsSync(dir);
    return ` (${Math.floor((stats.bavail * stats.bsize) / 1024)} KiB free on its file system)`;
  } catch {
    return '';
  }
}

function migrate(db: Database.Database, file: string): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() === STUDY_STORE_SCHEMA_VERSION) return;
  db.transaction(() => {
    // Re-read inside the write transaction: another process may have created the schema meanwhile.
    const found = version();
    if (found > STUDY_STORE_SCHEMA_VERSION) {
      throw new HptuneError(
        'STORE_TOO_NEW',
        `the study store ${file} has schema version ${found}, newer than this hptune understands (${STUDY_STORE_SCHEMA_VERSION}); upgrade hptune`,
      );
    }
    // Each step takes the schema one version up, in place; an older hptune then refuses the file (STORE_TOO_NEW).
    if (found < 1) db.exec(SCHEMA_V1);
    if (found < 2) db.exec(MIGRATION_V2);
    if (found < 3) db.exec(MIGRATION_V3);
    db.pragma(`user_version = ${STUDY_STORE_SCHEMA_VERSION}`);
  }).immediate();
}

class SqliteStudyStore implements StudyStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #identity: FileIdentity;
  readonly #statements = new Map<string, Database.Statement>();
  /** Set once the file under the path is found not to be the one opened: every later call fails with it. */
  #lost: HptuneError | undefined;

  constructor(db: Database.Database, file: string, identity: FileIdentity) {
    this.#db = db;
    this.#file = file;
    this.#identity = identity;
  }

  verify(options: { readonly thorough?: boolean } = {}): void {
    if (this.#lost) throw this.#lost;
    const problem = this.#identityProblem();
    if (problem !== undefined) throw this.#lose(problem);
    if (!options.thorough) return;
    const check = this.#db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      const found = String(check).replace('*** in database main ***', '').replace(/\s+/g, ' ').trim();
      throw storeFailure(this.#file, Object.assign(new Error(`quick_check: ${found}`), { code: 'SQLITE_CORRUPT' }));
    }
  }

  /**
   * What happened to the file under the path, if it is no longer the one this connection opened:
   * deleted, replaced (a new inode) or truncated (smaller than ever seen: SQLite never shrinks a
   * store without VACUUM). A stat per call: cheap enough for every write.
   */
  #identityProblem(): string | undefined {
    try {
      const stat = statSync(this.#file);
      if (stat.dev !== this.#identity.dev || stat.ino !== this.#identity.ino) return 'was replaced by another file';
      if (stat.size < this.#identity.size) return `was truncated (${stat.size} bytes, it had ${this.#identity.size})`;
      this.#identity.size = stat.size;
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeFailure(this.#file, error);
      return 'was deleted';
    }
  }

  /**
   * Ends the store's use once its file is lost: saves what this connection still sees (committed
   * data only: called outside any transaction) to `<file>.salvaged-<time>`, and returns the
   * `STORE_REPLACED` error every later call throws.
   */
  #lose(what: string): HptuneError {
    const saved = this.#salvage();
    this.#lost = new HptuneError(
      'STORE_REPLACED',
      `the study store ${this.#file} ${what} while the study ran, so nothing more can be recorded in it; ` +
        (saved ? `what this run had recorded is saved in ${saved}: put it back as ${this.#file} (keeping any -wal and -shm files beside it), then resume the study` : 'restore it from a backup, then resume the study'),
    );
    return this.#lost;
  }

  /** Writes the database as this connection sees it to a new file beside the store; its path, or `undefined` when it cannot be read. */
  #salvage(): string | undefined {
    const target = `${this.#file}.salvaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      writeFileSync(target, this.#db.serialize(), { flag: 'wx', mode: 0o644 });
      return target;
    } catch {
      return undefined;
    }
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** Runs `body` in one write transaction, taking the write lock up front (no upgrade deadlocks). */
  #write<T>(body: () => T): T {
    if (this.#lost) throw this.#lost;
    try {
      // Checked before the commit: a write to a deleted or replaced file is rolled back, not lost silently.
      return this.#db
        .transaction(() => {
          const result = body();
          const problem = this.#identityProblem();
          if (problem !== undefined) throw new LostFile(problem);
          return result;
        })
        .immediate();
    } catch (error) {
      if (error instanceof LostFile) throw this.#lose(error.what);
      throw damageOrDiskFailure(this.#file, error) ?? error;
    }
  }

  #read<T>(body: () => T): T {
    return this.#db.transaction(body).deferred();
  }

  #studyRow(name: string): StudyRow {
    const row = this.#sql('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
    if (!row) throw storeErrors.studyNotFound(name, this.#file);
    return row;
  }

  #leased(name: string, token: string): void {
    if (this.#studyRow(name).lease_token !== token) throw storeErrors.leaseLost(name);
  }

  #trialRow(name: string, trialId: string): TrialRow {
    const id = Number(trialId);
    const row = Number.isSafeInteger(id)
      ? (this.#sql('SELECT * FROM trials WHERE study = ? AND id = ?').get(name, id) as TrialRow | undefined)
      : undefined;
    if (!row) throw storeErrors.trialNotFound(name, trialId);
    return row;
  }

  #trial(name: string, trialId: string): FrozenTrial {
    const row = this.#trialRow(name, trialId);
    const measurements = this.#sql('SELECT trial, step, metrics, elapsed_seconds, after_stop FROM measurements WHERE study = ? AND trial = ? ORDER BY seq').all(
      name,
      row.id,
    ) as MeasurementRow[];
    return toTrial(row, measurements);
  }

  #touch(name: string): void {
    this.#sql('UPDATE studies SET update_time = ? WHERE name = ?').run(new Date().toISOString(), name);
  }

  createStudy(definition: StudyDefinition, owner: LeaseOwner): StudyRecord {
    return this.#write(() => {
      if (this.#sql('SELECT 1 FROM studies WHERE name = ?').get(definition.name)) throw storeErrors.studyExists(definition.name);
      const now = new Date().toISOString();
      this.#sql(
        `INSERT INTO studies (name, definition, state, create_time, update_time, lease_token, lease_pid, lease_hostname, lease_process_start, lease_acquired_at)
         VALUES (?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?)`,
      ).run(definition.name, JSON.stringify(definition), now, now, owner.token, owner.pid, owner.hostname, owner.processStart ?? null, now);
      return toStudy(this.#studyRow(definition.name));
    });
  }

  getStudy(name: string): StudyRecord | undefined {
    const row = this.#sql('SELECT * FROM studies WHERE name = ?').get(name) as StudyRow | undefined;
    return row ? toStudy(row) : undefined;
  }

  listStudies(): StudyRecord[] {
    return (this.#sql('SELECT * FROM studies ORDER BY create_time, rowid').all() as StudyRow[]).map(toStudy);
  }

  acquireLease(name: string, owner: LeaseOwner, options: AcquireLeaseOptions) {
    return this.#write(() => {
      const held = toStudy(this.#studyRow(name)).lease;
      const takeover = held && held.token !== owner.token ? options.takeOver(held) : false;
      if (held && !takeover) return { lease: held };
      const now = new Date().toISOString();
      this.#sql(
        `UPDATE studies SET lease_token = ?, lease_pid = ?, lease_hostname = ?, lease_process_start = ?, lease_acquired_at = ?, update_time = ?
         WHERE name = ?`,
      ).run(owner.token, owner.pid, owner.hostname, owner.processStart ?? null, now, now, name);
      const lease = toStudy(this.#studyRow(name)).lease as StudyLease;
      return { lease, ...(held ? { takenOver: held } : {}) };
    });
  }

  releaseLease(name: string, token: string): void {
    this.#write(() => {
      this.#sql(
        `UPDATE studies SET lease_token = NULL, lease_pid = NULL, lease_hostname = NULL, lease_process_start = NULL, lease_acquired_at = NULL, update_time = ?
         WHERE name = ? AND lease_token = ?`,
      ).run(new Date().toISOString(), name, token);
    });
  }

  deleteStudy(name: string, token: string): void {
    this.#write(() => {
      this.#leased(name, token);
      // Trials and measurements go with it (ON DELETE CASCADE, foreign_keys on).
      this.#sql('DELETE FROM studies WHERE name = ?').run(name);
    });
  }

  setStudyState(name: string, state: StudyState, token: string): void {
    this.#write(() => {
      this.#leased(name, token);
      this.#sql('UPDATE studies SET state = ?, update_time = ? WHERE name = ?').run(state, new Date().toISOString(), name);
    });
  }

  createTrial(name: string, input: { readonly parameters: TrialParameters; readonly retryOf?: string }, token: string): FrozenTrial {
    return this.#write(() => {
      this.#leased(name, token);
      return this.#insertTrial(name, input.parameters, input.retryOf, new Date().toISOString());
    });
  }

  #insertTrial(name: string, parameters: TrialParameters, retryOf: string | undefined, createTime: string): FrozenTrial {
    const next = this.#sql('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM trials WHERE study = ?').get(name) as { id: number };
    this.#sql('INSERT INTO trials (study, id, state, parameters, retry_of, create_time) VALUES (?, ?, ?, ?, ?, ?)').run(
      name,
      next.id,
      'REQUESTED',
      JSON.stringify(parameters),
      retryOf === undefined ? null : Number(retryOf),
      createTime,
    );
    this.#touch(name);
    return this.#trial(name, String(next.id));
  }

  startTrial(name: string, trialId: string, start: { readonly startTime: string; readonly process?: TrialProcess }, token: string): FrozenTrial {
    return this.#write(() => {
      this.#leased(name, token);
      checkTransition(name, trialId, this.#trialRow(name, trialId).state, 'start');
      this.#sql(
        `UPDATE trials SET state = 'ACTIVE', start_time = ?, process_pid = ?, process_hostname = ?, process_start = ? WHERE study = ? AND id = ?`,
      ).run(start.startTime, start.process?.pid ?? null, start.process?.hostname ?? null, start.process?.processStart ?? null, name, Number(trialId));
      this.#touch(name);
      return this.#trial(name, trialId);
    });
  }

  stopTrial(name: string, trialId: string, token: string, decision?: StopDecision): TrialSummary {
    return this.#write(() => {
      this.#leased(name, token);
      checkTransition(name, trialId, this.#trialRow(name, trialId).state, 'stop');
      if (decision) checkMeasurement(decision.stoppedAtStep, 0);
      this.#sql(`UPDATE trials SET state = 'STOPPING', stopped_at_step = ? WHERE study = ? AND id = ?`).run(decision?.stoppedAtStep ?? null, name, Number(trialId));
      this.#touch(name);
      return toTrialSummary(this.#trialRow(name, trialId));
    });
  }

  addMeasurements(name: string, trialId: string, measurements: readonly Measurement[], token: string): void {
    if (measurements.length === 0) return;
    this.#write(() => {
      this.#leased(name, token);
      const row = this.#trialRow(name, trialId);
      checkTransition(name, trialId, row.state, 'measure');
      for (const measurement of measurements) checkMeasurement(measurement.step, measurement.elapsedSeconds);
      const next = this.#sql('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM measurements WHERE study = ? AND trial = ?').get(name, Number(trialId)) as {
        seq: number;
      };
      const afterStop = row.stopped_at_step === null ? 0 : 1;
      const trial = Number(trialId);
      // Rows go in groups of MEASUREMENT_ROWS_PER_INSERT, one statement each: a trainer may report 100,000 steps at once.
      const many = this.#sql(`${INSERT_MEASUREMENT}${', (?, ?, ?, ?, ?, ?, ?)'.repeat(MEASUREMENT_ROWS_PER_INSERT - 1)}`);
      const one = this.#sql(INSERT_MEASUREMENT);
      const values: unknown[] = [];
      let index = 0;
      for (; index + MEASUREMENT_ROWS_PER_INSERT <= measurements.length; index += MEASUREMENT_ROWS_PER_INSERT) {
        values.length = 0;
        for (let row = index; row < index + MEASUREMENT_ROWS_PER_INSERT; row += 1) {
          const measurement = measurements[row] as Measurement;
          values.push(name, trial, next.seq + row, measurement.step, JSON.stringify(measurement.metrics), measurement.elapsedSeconds, afterStop);
        }
        many.run(values);
      }
      for (; index < measurements.length; index += 1) {
        const measurement = measurements[index] as Measurement;
        one.run(name, trial, next.seq + index, measurement.step, JSON.stringify(measurement.metrics), measurement.elapsedSeconds, afterStop);
      }
    });
  }

  finishTrial(name: string, trialId: string, outcome: Parameters<StudyStore['finishTrial']>[2], token: string): TrialSummary {
    return this.#write(() => {
      this.#leased(name, token);
      checkTransition(name, trialId, this.#trialRow(name, trialId).state, 'finish');
      const stoppedEarly = outcome.state === 'SUCCEEDED' && outcome.stoppedEarly === true;
      if (!stoppedEarly) {
        // The trainer finished first (or failed): the decision ended nothing, so nothing came after it.
        this.#sql('UPDATE trials SET stopped_at_step = NULL WHERE study = ? AND id = ?').run(name, Number(trialId));
        this.#sql('UPDATE measurements SET after_stop = 0 WHERE study = ? AND trial = ? AND after_stop = 1').run(name, Number(trialId));
      }
      this.#sql('UPDATE trials SET state = ?, final_measurement = ?, failure = ?, end_time = ?, stopped_early = ? WHERE study = ? AND id = ?').run(
        outcome.state,
        outcome.state === 'SUCCEEDED' ? JSON.stringify(outcome.finalMeasurement) : null,
        outcome.state === 'INFEASIBLE' ? JSON.stringify(outcome.failure) : null,
        outcome.endTime,
        stoppedEarly ? 1 : 0,
        name,
        Number(trialId),
      );
      this.#touch(name);
      return toTrialSummary(this.#trialRow(name, trialId));
    });
  }

  interruptTrials(name: string, endTime: string, token: string): InterruptedTrial[] {
    return this.#write(() => {
      this.#leased(name, token);
      const rows = this.#sql(`SELECT * FROM trials WHERE study = ? AND state IN ('ACTIVE', 'STOPPING') ORDER BY id`).all(name) as TrialRow[];
      return rows.map((row) => this.#interrupt(name, row, endTime));
    });
  }

  interruptTrial(name: string, trialId: string, endTime: string, token: string): InterruptedTrial {
    return this.#write(() => {
      this.#leased(name, token);
      const row = this.#trialRow(name, trialId);
      checkTransition(name, trialId, row.state, 'interrupt');
      return this.#interrupt(name, row, endTime);
    });
  }

  #interrupt(name: string, row: TrialRow, endTime: string): InterruptedTrial {
    this.#sql(`UPDATE trials SET state = 'INFEASIBLE', failure = ?, end_time = ? WHERE study = ? AND id = ?`).run(
      JSON.stringify(interruptedFailure()),
      endTime,
      name,
      row.id,
    );
    const trial = this.#trial(name, String(row.id));
    const retry = this.#insertTrial(name, trial.parameters, trial.id, endTime);
    const process = toProcess(row);
    return { trial, retry, ...(process ? { process } : {}) };
  }

  getTrialProcess(name: string, trialId: string): TrialProcess | undefined {
    return this.#read(() => toProcess(this.#trialRow(name, trialId)));
  }

  getTrials(name: string): FrozenTrial[] {
    return this.#read(() => {
      this.#studyRow(name);
      const rows = this.#sql('SELECT * FROM trials WHERE study = ? ORDER BY id').all(name) as TrialRow[];
      const measurements = this.#sql('SELECT trial, step, metrics, elapsed_seconds, after_stop FROM measurements WHERE study = ? ORDER BY trial, seq').all(
        name,
      ) as MeasurementRow[];
      const byTrial = new Map<number, MeasurementRow[]>();
      for (const row of measurements) {
        const list = byTrial.get(row.trial) ?? [];
        list.push(row);
        byTrial.set(row.trial, list);
      }
      return rows.map((row) => toTrial(row, byTrial.get(row.id) ?? []));
    });
  }

  getTrialSummaries(name: string): TrialSummary[] {
    return this.#read(() => {
      this.#studyRow(name);
      return (this.#sql('SELECT * FROM trials WHERE study = ? ORDER BY id').all(name) as TrialRow[]).map(toTrialSummary);
    });
  }

  getTrial(name: string, trialId: string): FrozenTrial | undefined {
    return this.#read(() => {
      try {
        return this.#trial(name, trialId);
      } catch (error) {
        if (error instanceof HptuneError && (error.code === 'TRIAL_NOT_FOUND' || error.code === 'STUDY_NOT_FOUND')) return undefined;
        throw error;
      }
    });
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}

function toStudy(row: StudyRow): StudyRecord {
  const lease: StudyLease | undefined =
    row.lease_token === null
      ? undefined
      : {
          token: row.lease_token,
          pid: row.lease_pid ?? 0,
          hostname: row.lease_hostname ?? '',
          ...(row.lease_process_start === null ? {} : { processStart: row.lease_process_start }),
          acquiredAt: row.lease_acquired_at ?? row.update_time,
        };
  return deepFreeze({
    definition: JSON.parse(row.definition) as StudyDefinition,
    state: row.state,
    createTime: row.create_time,
    updateTime: row.update_time,
    ...(lease ? { lease } : {}),
  });
}

function toTrial(row: TrialRow, rows: readonly MeasurementRow[]): FrozenTrial {
  // One pass, each measurement frozen as it is made: a trial may hold 100,000 of them.
  const measurements: Measurement[] = [];
  const afterStop: Measurement[] = [];
  for (const measurement of rows) (measurement.after_stop === 1 ? afterStop : measurements).push(frozenMeasurement(measurement));
  return Object.freeze({
    ...toTrialSummary(row),
    measurements: Object.freeze(measurements),
    ...(afterStop.length === 0 ? {} : { measurementsAfterStop: Object.freeze(afterStop) }),
  });
}

function toTrialSummary(row: TrialRow): TrialSummary {
  return deepFreeze({
    id: String(row.id),
    state: row.state,
    parameters: JSON.parse(row.parameters) as TrialParameters,
    ...(row.stopped_at_step === null ? {} : { stoppedAtStep: row.stopped_at_step }),
    ...(row.final_measurement === null ? {} : { finalMeasurement: JSON.parse(row.final_measurement) as Measurement }),
    ...(row.failure === null ? {} : { failure: JSON.parse(row.failure) as TrialFailure }),
    ...(row.retry_of === null ? {} : { retryOf: String(row.retry_of) }),
    ...(row.stopped_early === 1 ? { stoppedEarly: true } : {}),
    createTime: row.create_time,
    ...(row.start_time === null ? {} : { startTime: row.start_time }),
    ...(row.end_time === null ? {} : { endTime: row.end_time }),
  });
}

function frozenMeasurement(row: MeasurementRow): Measurement {
  return Object.freeze({ step: row.step, metrics: Object.freeze(JSON.parse(row.metrics) as Record<string, number>), elapsedSeconds: row.elapsed_seconds });
}

function toProcess(row: TrialRow): TrialProcess | undefined {
  if (row.process_pid === null || row.process_hostname === null) return undefined;
  return { pid: row.process_pid, hostname: row.process_hostname, ...(row.process_start === null ? {} : { processStart: row.process_start }) };
}
