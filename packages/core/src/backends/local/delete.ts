import { existsSync, lstatSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HptuneError } from '../../errors.js';
import { storeErrors } from '../../study-store/rules.js';
import { openSqliteStudyStore } from '../../study-store/sqlite.js';
import { validateStudyName } from '../../study/validate.js';
import { checkLeaseTakeover, currentLeaseOwner, processLiveness } from './liveness.js';
import type { StudyDirOptions } from './open.js';
import { DEFAULT_STUDY_DIR, resolveStudyDir, storeFileIn } from './settings.js';

/** Options of {@link deleteStudy}. */
export interface DeleteStudyOptions extends StudyDirOptions {
  /**
   * Delete a study whose coordinator ran on another host and cannot be shown dead (as
   * `resumeStudy`'s `forceUnlock`). A coordinator alive on this host is never overridden.
   * @default false
   */
  readonly forceUnlock?: boolean;
}

/** What {@link deleteStudy} removed. */
export interface DeletedStudy {
  readonly name: string;
  /** Trials removed from the store, in any state. */
  readonly trials: number;
  /** The study's folder (`<study dir>/<name>`), removed with every trial's files; absent when there was none. */
  readonly directory?: string;
}

/**
 * Deletes a local study: its record, trials and measurements from the study store, then its folder
 * with every trial's files (logs, models, checkpoints, TensorBoard runs). The name is free again.
 * Refused while a coordinator runs the study or a trainer it started still runs.
 * @throws HptuneError `STUDY_NOT_FOUND` (exit code 2); `STUDY_LOCKED` while a coordinator runs it;
 *   `TRAINER_RUNNING` while a trainer of a dead coordinator still runs.
 */
export function deleteStudy(name: string, options: DeleteStudyOptions = {}): DeletedStudy {
  validateStudyName(name);
  const studyDir = resolveStudyDir(options.studyDir ?? DEFAULT_STUDY_DIR);
  const storeFile = storeFileIn(studyDir);
  if (!existsSync(storeFile)) throw storeErrors.studyNotFound(name, studyDir);
  const store = openSqliteStudyStore({ file: storeFile });
  let trials: number;
  try {
    if (!store.getStudy(name)) throw storeErrors.studyNotFound(name, studyDir);
    const owner = currentLeaseOwner();
    store.acquireLease(name, owner, { takeOver: (held) => checkLeaseTakeover(name, held, owner, options.forceUnlock ?? false) });
    const all = store.getTrials(name);
    for (const trial of all.filter((each) => each.state === 'ACTIVE' || each.state === 'STOPPING')) {
      const process = store.getTrialProcess(name, trial.id);
      if (process && processLiveness(process) === 'alive') {
        store.releaseLease(name, owner.token);
        throw new HptuneError(
          'TRAINER_RUNNING',
          `trial ${trial.id} of study ${JSON.stringify(name)} still runs (pid ${process.pid}), started by a coordinator that is gone; let it finish with resumeStudy(${JSON.stringify(name)}), or stop it (kill ${process.pid}), then delete the study`,
        );
      }
    }
    store.deleteStudy(name, owner.token);
    trials = all.length;
  } finally {
    store.close();
  }
  const directory = join(studyDir, name);
  let present = false;
  try {
    // A symbolic link is removed, never followed: what it points to is not the study's.
    present = lstatSync(directory) !== undefined;
  } catch {
    present = false;
  }
  if (present) rmSync(directory, { recursive: true, force: true });
  return { name, trials, ...(present ? { directory } : {}) };
}
