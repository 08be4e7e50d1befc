import { local, type LocalBackend } from './backends/local/backend.js';
import type { VertexBackend } from './backends/vertex/backend.js';
import { HptuneError, ValidationError } from './errors.js';
import type { Sampler } from './samplers/types.js';
import type { ParametersOf } from './space/builder.js';
import type { SearchSpace, TrialParameters } from './space/types.js';
import { validateStoppingRule } from './stopping/from-spec.js';
import type { StoppingRule } from './stopping/types.js';
import type { DetailsOf, ExtraEventsOf, StudyDriver } from './study/driver.js';
import type { StudyHandle } from './study/handle.js';
import { runStudy } from './study/run.js';
import type { StudyOptions } from './study/options.js';
import type { TrainerCommand } from './study/types.js';
import { validateRunLimits, validateSampler, validateStudyDefinition, validateStudyName } from './study/validate.js';

/** Where a study's trials run: `local(...)` (the default) or `vertex(...)`. */
export type StudyBackend = LocalBackend | VertexBackend;

/** The handle `launchStudy` returns for a backend: shared events and methods, plus that backend's `backend` details and events. */
export type StudyHandleOf<P extends TrialParameters, B extends StudyDriver<unknown, object>> = StudyHandle<P, DetailsOf<B>, ExtraEventsOf<B>>;

/** Options of `launchStudy`: one study definition, whatever the backend, and what only some backends take. */
export interface LaunchStudyOptions<S extends SearchSpace = SearchSpace, B extends StudyBackend = StudyBackend> extends StudyOptions<S> {
  /**
   * The program each trial runs on the local backend, e.g. `lenet5Trainer({...})`. Its working
   * directory defaults to the trial's folder, so give script paths absolute (or set `cwd`).
   * Required locally; refused on Vertex AI, where the trainer is `vertex({ containerUri })`.
   */
  readonly trainer?: TrainerCommand;
  /** Local backend: the folder that holds the store (`hptune.db`) and a sub-folder per study. @default `./hptune` (`DEFAULT_STUDY_DIR`) */
  readonly studyDir?: string;
  /** Where trials run. @default `local()` */
  readonly backend?: B;
  /**
   * A sampler of your own, instead of `algorithm` (local backend only): any object that honours the
   * `Sampler` contract (check it with `describeSamplerConformance` from `@hptune/core/testing`).
   * The study stores its `algorithm` name, and `resumeStudy` asks for the sampler again.
   */
  readonly sampler?: Sampler;
  /** Aborting it cancels the study, as `cancel()` does (on Vertex AI: the job is cancelled). */
  readonly signal?: AbortSignal;
}

/** Options of `resumeStudy`: where the study is, and settings for this run only (not stored). */
export interface ResumeStudyOptions<B extends StudyBackend = StudyBackend> {
  /** Local backend: @default `./hptune` (`DEFAULT_STUDY_DIR`) */
  readonly studyDir?: string;
  /** @default the stored value */
  readonly parallelTrials?: number;
  /** @default the stored value */
  readonly maxFailedTrials?: number;
  /** @default the stored value */
  readonly trialTimeoutSeconds?: number;
  /** @default `local()` */
  readonly backend?: B;
  /** The sampler a study launched with `sampler` runs; required for such a study, refused for others. */
  readonly sampler?: Sampler;
  readonly signal?: AbortSignal;
  /**
   * Take the study over even when its coordinator ran on another host and cannot be shown dead.
   * Only when you know it is gone: two coordinators would run trials twice. @default false
   */
  readonly forceUnlock?: boolean;
  /**
   * The study's early-stopping rule, needed only when it was written outside hptune (hptune
   * rebuilds `median`, `asha`, `hyperband` and `decayCurve` from the stored settings); its `spec.kind` must be the stored one.
   */
  readonly earlyStopping?: StoppingRule;
}

function checkBackend(backend: unknown): StudyBackend {
  if (backend === undefined) return local();
  const driver = backend as Partial<StudyDriver> | null;
  if (typeof driver !== 'object' || driver === null || typeof driver.launch !== 'function' || typeof driver.resume !== 'function' || !Array.isArray(driver.algorithms)) {
    throw new ValidationError({ field: 'backend', value: backend, problem: 'is not a study backend', fix: 'pass local({...}) or vertex({...}), or leave it unset for local()' });
  }
  return backend as StudyBackend;
}

/**
 * Runs a study: trials of the trainer over `space`, `parallelTrials` at a time, on the backend:
 * locally by default (child processes on this machine, every trial and measurement stored in
 * SQLite at `<studyDir>/hptune.db`, each trial's files under `<studyDir>/<name>/<trial id>/`), or
 * on Vertex AI with `backend: vertex({...})` (a HyperparameterTuningJob).
 *
 * The study definition passes the same checks on every backend before anything runs or is
 * written; the backend then checks its own options.
 *
 * @returns a handle to follow the study (`on`), wait for its result, or cancel it; `handle.backend`
 *   holds what only that backend has.
 * @throws ValidationError naming the option, its value and the fix (exit code 2); locally HptuneError
 *   `STUDY_EXISTS` (resume it instead) or `STUDY_LOCKED` (a coordinator runs it now); on Vertex AI
 *   `VertexApiError` when the service refuses the job.
 * @example
 * const study = await launchStudy({ name: 'seed', space: seedSearchSpace, metric: { id: 'accuracy', goal: 'maximize' },
 *   algorithm: 'grid', parallelTrials: 2, trainer: lenet5Trainer({ flags: { numEpochs: 1 } }) });
 * study.on('trialCompleted', ({ trial }) => console.log(trial.id, trial.state));
 * const { best } = await study.wait();
 */
export async function launchStudy<S extends SearchSpace, B extends StudyBackend = LocalBackend>(
  options: LaunchStudyOptions<S, B>,
): Promise<StudyHandleOf<ParametersOf<S>, B>> {
  const backend = checkBackend(options?.backend);
  const { definition, space, sampler, stoppingRule } = validateStudyDefinition(options, backend);
  if (options.signal?.aborted) throw cancelledBeforeStart(definition.name);
  const execution = await (backend as StudyDriver<unknown, object>).launch({ definition, space, sampler, trainer: options.trainer, studyDir: options.studyDir, ...(stoppingRule ? { stoppingRule } : {}) });
  return runStudy(execution, options.signal) as StudyHandleOf<ParametersOf<S>, B>;
}

/**
 * Takes up a study launched before, on the backend it runs on. Locally it finishes a stored study
 * after a crash, a cancel or a failure: takes the study's lease (refused while its coordinator
 * lives; taken over when it died), then adopts each trial the dead coordinator left running on
 * this host: a trainer still running (same pid and start time) is waited for and its metrics
 * read, not killed; a trainer that ended unwatched is recorded from its metric file when it wrote
 * its completion marker (`hptune-complete.json` in its model folder, see `markTrialComplete`).
 * Any other unfinished trial is recorded INFEASIBLE (`interrupted`, its measurements kept) with a
 * new trial of the same parameters queued (`retryOf` naming the old one). Then it runs the rest. Completed
 * trials are kept; a grid combination never succeeds twice. Vertex AI jobs cannot be restarted
 * (`STUDY_NOT_RESUMABLE`).
 *
 * Settings given here apply to this run only; the stored definition is unchanged. A study launched
 * with a `sampler` of your own needs it again here.
 * @throws HptuneError `STUDY_NOT_FOUND` (exit code 2), `STUDY_LOCKED`, `STUDY_NOT_RESUMABLE`,
 *   `SAMPLER_REQUIRED` (exit code 2: the study's custom sampler was not passed).
 */
export async function resumeStudy<B extends StudyBackend = LocalBackend>(
  name: string,
  options: ResumeStudyOptions<B> = {},
): Promise<StudyHandleOf<TrialParameters, B>> {
  validateStudyName(name);
  const backend = checkBackend(options.backend);
  const limits = validateRunLimits(options);
  const sampler = options.sampler === undefined ? undefined : validateSampler(options.sampler);
  if (options.signal?.aborted) throw cancelledBeforeStart(name);
  const stoppingRule = options.earlyStopping === undefined ? undefined : validateStoppingRule(options.earlyStopping);
  const execution = await (backend as StudyDriver<unknown, object>).resume({
    name,
    studyDir: options.studyDir,
    ...limits,
    forceUnlock: options.forceUnlock ?? false,
    sampler,
    ...(stoppingRule ? { stoppingRule } : {}),
  });
  return runStudy(execution, options.signal) as StudyHandleOf<TrialParameters, B>;
}

function cancelledBeforeStart(name: string): HptuneError {
  return new HptuneError('STUDY_CANCELLED', `study ${JSON.stringify(name)} was cancelled before it started (its signal was already aborted)`);
}
