import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runLocalStudy } from '../backends/local/coordinator.js';
import { launchVertexStudy, type LaunchVertexStudyOptions, type VertexStudyHandle } from '../backends/vertex/study.js';
import { HptuneError } from '../errors.js';
import { createSampler } from '../samplers/index.js';
import type { ParametersOf } from '../space/builder.js';
import { searchSpaceFromJSON } from '../space/json.js';
import type { SearchSpace, TrialParameters } from '../space/types.js';
import { checkLeaseTakeover, currentLeaseOwner } from '../study-store/lease.js';
import { storeErrors } from '../study-store/rules.js';
import { openSqliteStudyStore } from '../study-store/sqlite.js';
import type { StudyStore } from '../study-store/types.js';
import type { StudyHandle } from './handle.js';
import type { LaunchStudyOptions, ResumeStudyOptions } from './options.js';
import { isNonEmptyDir, storeFileIn, validateLaunch, validateResume } from './validate.js';

/**
 * Runs a study: trials of `trainer` over `space`, `parallelTrials` at a time, as child processes on
 * this machine (the local backend, the default; pass `backend: vertex({...})` for Vertex AI), every trial and measurement stored in SQLite at
 * `<studyDir>/hptune.db`, each trial's files under `<studyDir>/<name>/<trial id>/`.
 *
 * Every option is checked before anything runs or is written. Only one coordinator runs a study:
 * the study's lease is taken as it is created.
 *
 * @returns a handle to follow the study (`on`), wait for its result, or cancel it.
 * @throws ValidationError naming the option, its value and the fix (exit code 2); HptuneError
 *   `STUDY_EXISTS` (resume it instead) or `STUDY_LOCKED` (a coordinator runs it now).
 * @example
 * const study = await launchStudy({ name: 'seed', space: seedSearchSpace, metric: { id: 'accuracy', goal: 'maximize' },
 *   algorithm: 'grid', parallelTrials: 2, trainer: lenet5Trainer({ flags: { numEpochs: 1 } }) });
 * study.on('trialCompleted', ({ trial }) => console.log(trial.id, trial.state));
 * const { best } = await study.wait();
 */
export async function launchStudy<S extends SearchSpace>(options: LaunchStudyOptions<S>): Promise<StudyHandle<ParametersOf<S>>>;
/**
 * Runs the same study on Vertex AI as a HyperparameterTuningJob when `backend` is `vertex({...})`:
 * the trainer is the container image, and the handle follows the job; see `launchVertexStudy`.
 */
export async function launchStudy(options: LaunchVertexStudyOptions): Promise<VertexStudyHandle>;
export async function launchStudy<S extends SearchSpace>(
  options: LaunchStudyOptions<S> | LaunchVertexStudyOptions,
): Promise<StudyHandle<ParametersOf<S>> | VertexStudyHandle> {
  if (options.backend?.kind === 'vertex') return launchVertexStudy(options as LaunchVertexStudyOptions);
  return launchLocalStudy(options as LaunchStudyOptions<S>);
}

async function launchLocalStudy<S extends SearchSpace>(options: LaunchStudyOptions<S>): Promise<StudyHandle<ParametersOf<S>>> {
  const launch = validateLaunch(options);
  const { definition, studyDir } = launch;
  if (options.signal?.aborted) throw cancelledBeforeStart(definition.name);
  const sampler = createSampler({ algorithm: definition.algorithm, space: launch.space, seed: definition.seed });
  const storeFile = storeFileIn(studyDir);
  const directory = join(studyDir, definition.name);
  const owner = currentLeaseOwner();
  const store = openSqliteStudyStore({ file: storeFile });
  try {
    const existing = store.getStudy(definition.name);
    if (existing) {
      // A live coordinator is the more useful thing to say; otherwise the study just exists.
      if (existing.lease) checkLeaseTakeover(definition.name, existing.lease, owner, false);
      throw storeErrors.studyExists(definition.name);
    }
    if (isNonEmptyDir(directory)) {
      throw new HptuneError(
        'STUDY_EXISTS',
        `study ${JSON.stringify(definition.name)} is not in ${storeFile}, but its folder ${directory} holds files from an earlier study; delete that folder or choose another name`,
        { exitCode: 2 },
      );
    }
    const record = store.createStudy(definition, owner);
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      store.releaseLease(definition.name, owner.token);
      throw new HptuneError('STUDY_DIR_UNWRITABLE', `cannot create the study folder ${directory}: ${(error as Error).message}; check the permissions of ${studyDir}, then resume the study`, { cause: error });
    }
    return runLocalStudy<ParametersOf<S>>({
      store,
      token: owner.token,
      record,
      directory,
      storeFile,
      sampler,
      parallelTrials: definition.parallelTrials,
      ...(definition.maxFailedTrials === undefined ? {} : { maxFailedTrials: definition.maxFailedTrials }),
      ...(definition.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: definition.trialTimeoutSeconds }),
      pollIntervalMs: launch.backend.pollIntervalMs,
      stopGracePeriodSeconds: launch.backend.stopGracePeriodSeconds,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Finishes a stored study after a crash, a cancel or a failure: takes the study's lease (refused
 * while its coordinator lives; taken over when it died), stops trial processes the dead coordinator
 * left behind, records each trial it left ACTIVE as INFEASIBLE (`interrupted`, its measurements
 * kept) and queues a new trial with the same parameters (`retryOf` naming the old one), then runs
 * the rest. Completed trials are kept; a grid combination never succeeds twice.
 *
 * Settings given here apply to this run only; the stored definition is unchanged.
 * @throws HptuneError `STUDY_NOT_FOUND` (exit code 2), `STUDY_LOCKED`.
 */
export async function resumeStudy(name: string, options: ResumeStudyOptions = {}): Promise<StudyHandle<TrialParameters>> {
  const { studyDir, settings } = validateResume(name, options);
  if (options.signal?.aborted) throw cancelledBeforeStart(name);
  const storeFile = storeFileIn(studyDir);
  if (!existsSync(storeFile)) throw storeErrors.studyNotFound(name, studyDir);
  const store = openSqliteStudyStore({ file: storeFile });
  try {
    const stored = store.getStudy(name);
    if (!stored) throw storeErrors.studyNotFound(name, studyDir);
    const space = searchSpaceFromJSON(stored.definition.space);
    const sampler = createSampler({ algorithm: stored.definition.algorithm, space, seed: stored.definition.seed });
    const owner = currentLeaseOwner();
    store.acquireLease(name, owner, { force: options.forceUnlock ?? false });
    try {
      return startResumed(store, name, owner.token, studyDir, storeFile, sampler, settings, options.signal);
    } catch (error) {
      store.releaseLease(name, owner.token);
      throw error;
    }
  } catch (error) {
    store.close();
    throw error;
  }
}

function startResumed(
  store: StudyStore,
  name: string,
  token: string,
  studyDir: string,
  storeFile: string,
  sampler: ReturnType<typeof createSampler>,
  settings: ReturnType<typeof validateResume>['settings'],
  signal: AbortSignal | undefined,
): StudyHandle<TrialParameters> {
  const interrupted = store.interruptTrials(name, new Date().toISOString(), token);
  store.setStudyState(name, 'ACTIVE', token);
  const record = store.getStudy(name);
  if (!record) throw storeErrors.studyNotFound(name, studyDir);
  const { definition } = record;
  const directory = join(studyDir, name);
  mkdirSync(directory, { recursive: true });
  const maxFailedTrials = settings.maxFailedTrials ?? definition.maxFailedTrials;
  const trialTimeoutSeconds = settings.trialTimeoutSeconds ?? definition.trialTimeoutSeconds;
  return runLocalStudy({
    store,
    token,
    record,
    directory,
    storeFile,
    sampler,
    parallelTrials: settings.parallelTrials ?? definition.parallelTrials,
    ...(maxFailedTrials ? { maxFailedTrials } : {}),
    ...(trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds }),
    pollIntervalMs: settings.backend.pollIntervalMs,
    stopGracePeriodSeconds: settings.backend.stopGracePeriodSeconds,
    interrupted,
    ...(signal ? { signal } : {}),
  });
}

function cancelledBeforeStart(name: string): HptuneError {
  return new HptuneError('STUDY_CANCELLED', `study ${JSON.stringify(name)} was cancelled before it started`);
}
