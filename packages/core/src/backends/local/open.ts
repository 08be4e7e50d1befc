import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { storeErrors } from '../../study-store/rules.js';
import { openSqliteStudyStore } from '../../study-store/sqlite.js';
import type { StudyRecord, StudyStore } from '../../study-store/types.js';
import { bestTrial } from '../../study/best.js';
import { countTrials, type TrialCounts } from '../../study/counts.js';
import type { StudyInfo } from '../../study/handle.js';
import type { FrozenTrial, StudyState, TrialSummary } from '../../study/types.js';
import { validateStudyName } from '../../study/validate.js';
import { processLiveness } from './liveness.js';
import { DEFAULT_STUDY_DIR, resolveStudyDir, storeFileIn } from './settings.js';

/** Options of `openStudy` and `listStudies`. */
export interface StudyDirOptions {
  /** @default {@link DEFAULT_STUDY_DIR} */
  readonly studyDir?: string;
}

/** A study stored by the local backend: what every backend shows, and where its files are. */
export interface StoredStudyInfo extends StudyInfo {
  /** The study's folder, `<study dir>/<name>`, absolute: one sub-folder per trial. */
  readonly directory: string;
  /** The SQLite file that stores it. */
  readonly storeFile: string;
}

/** The coordinator that holds a study's lease, as `openStudy` reports it. */
export interface StudyCoordinator {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601. */
  readonly since: string;
  /** `dead`: it was killed or crashed; `resumeStudy` takes over. `unknown`: it ran on another host. */
  readonly liveness: 'alive' | 'dead' | 'unknown';
}

/**
 * A stored study's state as a reader sees it: the stored {@link StudyState}, or `INTERRUPTED` for
 * a study stored ACTIVE whose coordinator is gone (killed, crashed, or never got going), derived
 * when read, never stored; `hptune study resume <name>` (`resumeStudy`) continues it.
 */
export type StudyStatus = StudyState | 'INTERRUPTED';

/** A stored study read without taking its lease: what `openStudy` returns. */
export interface StoredStudy {
  readonly study: StoredStudyInfo;
  /** Its state as of this read, `INTERRUPTED` when its coordinator died; see {@link StudyStatus}. */
  readonly status: StudyStatus;
  /** Every trial, by id. */
  readonly trials: readonly FrozenTrial[];
  /** The SUCCEEDED trial with the best final value of the study's metric (the earliest on a tie). */
  readonly best: FrozenTrial | undefined;
  /** The coordinator holding the study, if any (a running or a crashed one). */
  readonly coordinator?: StudyCoordinator;
}

/** One line of `listStudies`. */
export interface StudySummary {
  readonly study: StoredStudyInfo;
  /** See {@link StoredStudy.status}. */
  readonly status: StudyStatus;
  /** Trials by what happened to them: cancelled and interrupted ones are not counted as failed. */
  readonly counts: TrialCounts;
  /** The best trial, without its measurements (a list reads none; `openStudy` has them). */
  readonly best: TrialSummary | undefined;
  readonly coordinator?: StudyCoordinator;
}

/**
 * Reads a stored study: its definition and state, every trial with its measurements, the best
 * trial, and the coordinator running it if any. Takes no lease, so it works while the study runs.
 * @throws HptuneError `STUDY_NOT_FOUND` (exit code 2).
 */
export function openStudy(name: string, options: StudyDirOptions = {}): StoredStudy {
  validateStudyName(name);
  const studyDir = resolveStudyDir(options.studyDir ?? DEFAULT_STUDY_DIR);
  const store = openExisting(studyDir);
  if (!store) throw storeErrors.studyNotFound(name, studyDir);
  try {
    const record = store.getStudy(name);
    if (!record) throw storeErrors.studyNotFound(name, studyDir);
    const trials = store.getTrials(name);
    const coordinator = coordinatorOf(record);
    return {
      study: infoOf(record, studyDir),
      status: statusOf(record, coordinator),
      trials,
      best: bestTrial(trials, record.definition.metric),
      ...(coordinator ? { coordinator } : {}),
    };
  } finally {
    store.close();
  }
}

/**
 * Every study in the study directory, oldest first, with trial counts and the best trial; `[]` when
 * there is none. Reads no measurement: a study may hold millions, and a list needs none of them.
 */
export function listStudies(options: StudyDirOptions = {}): StudySummary[] {
  const studyDir = resolveStudyDir(options.studyDir ?? DEFAULT_STUDY_DIR);
  const store = openExisting(studyDir);
  if (!store) return [];
  try {
    return store.listStudies().map((record) => {
      const trials = store.getTrialSummaries(record.definition.name);
      const coordinator = coordinatorOf(record);
      return {
        study: infoOf(record, studyDir),
        status: statusOf(record, coordinator),
        counts: countTrials(trials),
        best: bestTrial(trials, record.definition.metric),
        ...(coordinator ? { coordinator } : {}),
      };
    });
  } finally {
    store.close();
  }
}

/** Opens the store of a study directory without creating one where there is none. */
function openExisting(studyDir: string): StudyStore | undefined {
  const file = storeFileIn(studyDir);
  return existsSync(file) ? openSqliteStudyStore({ file }) : undefined;
}

function infoOf(record: StudyRecord, studyDir: string): StoredStudyInfo {
  return {
    ...record.definition,
    state: record.state,
    directory: join(studyDir, record.definition.name),
    storeFile: storeFileIn(studyDir),
    createTime: record.createTime,
    updateTime: record.updateTime,
  };
}

function statusOf(record: StudyRecord, coordinator: StudyCoordinator | undefined): StudyStatus {
  if (record.state !== 'ACTIVE') return record.state;
  // No lease on an ACTIVE study: its coordinator gave it up without ending it (a launch that failed half-way).
  return coordinator === undefined || coordinator.liveness === 'dead' ? 'INTERRUPTED' : 'ACTIVE';
}

function coordinatorOf(record: StudyRecord): StudyCoordinator | undefined {
  const lease = record.lease;
  if (!lease) return undefined;
  return { pid: lease.pid, hostname: lease.hostname, since: lease.acquiredAt, liveness: processLiveness(lease) };
}
