import type { LocalBackend } from '../backends/local/backend.js';
import type { SearchAlgorithm } from '../samplers/types.js';
import type { SearchSpace } from '../space/types.js';
import type { MetricSpec, TrainerCommand } from './types.js';

/** The folder studies live in when no `studyDir` is given, relative to the working directory. */
export const DEFAULT_STUDY_DIR = './hptune';

/** The SQLite file, inside the study directory, that stores every study there. */
export const STUDY_STORE_FILE = 'hptune.db';

/**
 * Where a study's trials run. Only `local` for now; the union grows a `vertex` member, so code that
 * switches on `kind` keeps compiling exhaustively.
 */
export type StudyBackend = LocalBackend;

/** Options of `launchStudy`. */
export interface LaunchStudyOptions<S extends SearchSpace = SearchSpace> {
  /** The study's name: letters, digits, `_` and `-`, at most 128; its folder under `studyDir`. */
  readonly name: string;
  /** The search space, from `searchSpace({...})`. */
  readonly space: S;
  /** The metric the trainer reports and the study optimizes. */
  readonly metric: MetricSpec;
  /** `grid` visits every combination once (no `double` parameters); `random` draws with the seed. */
  readonly algorithm: SearchAlgorithm;
  /**
   * Trials to run in all; failed trials count, cancelled and interrupted ones (run again) do not.
   * @default the grid size for `grid`; required for `random`
   */
  readonly maxTrials?: number;
  /** Trials run at the same time. @default `os.availableParallelism()` */
  readonly parallelTrials?: number;
  /**
   * Failed trials after which the study stops, ends running trials and fails; 0 means no limit.
   * @default no limit
   */
  readonly maxFailedTrials?: number;
  /** Seconds a trial may run before it is stopped (SIGTERM, then SIGKILL) and recorded INFEASIBLE. @default no limit */
  readonly trialTimeoutSeconds?: number;
  /** The sampler's seed, stored with the study so a resume continues the same sequence. @default a random one */
  readonly seed?: number;
  /**
   * The program each trial runs, e.g. `lenet5Trainer({...})`. Its working directory defaults to the
   * trial's folder, so give script paths absolute (or set `cwd`).
   */
  readonly trainer: TrainerCommand;
  /** The folder that holds the store (`hptune.db`) and a sub-folder per study. @default {@link DEFAULT_STUDY_DIR} */
  readonly studyDir?: string;
  /** Where trials run. @default `local()` */
  readonly backend?: StudyBackend;
  /** Aborting it cancels the study, as `cancel()` does. */
  readonly signal?: AbortSignal;
}

/** Options of `resumeStudy`: where the study is, and settings for this run only (not stored). */
export interface ResumeStudyOptions {
  /** @default {@link DEFAULT_STUDY_DIR} */
  readonly studyDir?: string;
  /** @default the stored value */
  readonly parallelTrials?: number;
  /** 0 means no limit. @default the stored value */
  readonly maxFailedTrials?: number;
  /** @default the stored value */
  readonly trialTimeoutSeconds?: number;
  /** @default `local()` */
  readonly backend?: StudyBackend;
  readonly signal?: AbortSignal;
  /**
   * Take the study over even when its coordinator ran on another host and cannot be shown dead.
   * Only when you know it is gone: two coordinators would run trials twice. @default false
   */
  readonly forceUnlock?: boolean;
}

/** Options of `openStudy` and `listStudies`. */
export interface StudyDirOptions {
  /** @default {@link DEFAULT_STUDY_DIR} */
  readonly studyDir?: string;
}
