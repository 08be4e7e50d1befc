import type { VertexEarlyStopping } from './stopping.js';
import type { SearchSpace } from '../../space/types.js';
import type { SearchAlgorithm } from '../../algorithms.js';
import type { MeasurementSelection, MetricSpec } from '../../study/types.js';
import type { VertexAccessCheckOptions } from './access.js';
import type { AcceleratorType } from './machines.js';

/** The machine each trial runs on when none is given: 4 vCPUs, 15 GB, no GPU. */
export const DEFAULT_VERTEX_MACHINE_TYPE = 'n1-standard-4';

/** Trials run at the same time when not given (never more than `maxTrialCount`). */
export const DEFAULT_VERTEX_PARALLEL_TRIALS = 3;

/** Trials run at the same time on Vertex AI when the study does not say: min(maxTrials, {@link DEFAULT_VERTEX_PARALLEL_TRIALS}), at least 1. */
export function defaultVertexParallelTrials(maxTrials: number): number {
  return Math.max(1, Math.min(maxTrials, DEFAULT_VERTEX_PARALLEL_TRIALS));
}

/**
 * Settings of the Vertex AI backend: where the HyperparameterTuningJob runs and on what.
 * Mirrors the Python launcher's flags (`--project`, `--region`, `--bucket`, `--machine-type`, ...).
 */
export interface VertexBackendOptions {
  /** The Google Cloud project id (or number). */
  readonly project: string;
  /** The region of the job, its endpoint and the bucket. @default {@link DEFAULT_VERTEX_REGION} */
  readonly region?: string;
  /** The bucket (name only, no `gs://`) in the same region: trial outputs go to `gs://<bucket>/hptune/<study>/`. */
  readonly bucket: string;
  /**
   * With a custom container, the trainer image, e.g. `us-docker.pkg.dev/<project>/<repo>/lenet5:latest`
   * (built from `packages/trainer/Dockerfile`). Without, the stock Node image staged trials run on.
   * @default `node:22-bookworm-slim` (`DEFAULT_STOCK_NODE_IMAGE`) without a custom container; required with one
   */
  readonly containerUri?: string;
  /**
   * `true`: each trial runs the image `containerUri`, the trainer built in. `false`: hptune packs
   * the trainer package (`trainerPackageDir`), stages it to `gs://<bucket>/hptune/staging/<study>/`
   * and each trial installs it on a stock Node image before training: no image to build, but every
   * trial pays the install (see the README), and no GPUs. @default true
   */
  readonly useCustomContainer?: boolean;
  /**
   * The built trainer package to stage when `useCustomContainer` is false: the folder of
   * `@hptune/trainer`'s package.json, e.g.
   * `dirname(createRequire(import.meta.url).resolve('@hptune/trainer/package.json'))`.
   */
  readonly trainerPackageDir?: string;
  /** @default {@link DEFAULT_VERTEX_MACHINE_TYPE} */
  readonly machineType?: string;
  /** GPU type; give `acceleratorCount` with it. */
  readonly acceleratorType?: AcceleratorType;
  /** GPUs per trial; give `acceleratorType` with it. */
  readonly acceleratorCount?: number;
  /** The job's name in the console (at most 128 characters). @default `hptune-<study name>` */
  readonly displayName?: string;
  /** The service account trials run as; required with `tensorboard`. */
  readonly serviceAccount?: string;
  /** VPC network peered with Vertex AI: `projects/<project number>/global/networks/<network>`. */
  readonly network?: string;
  /** A Vertex AI TensorBoard instance: `projects/<p>/locations/<region>/tensorboards/<id>`. */
  readonly tensorboard?: string;
  /** Labels of the job (lowercase keys and values). hptune adds `created_by` and `hptune_study`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Run trials on Spot VMs (cheaper, can be preempted). @default false */
  readonly spot?: boolean;
  /** `host[:port]` instead of `<region>-aiplatform.googleapis.com`. */
  readonly apiEndpoint?: string;
  /** Arguments for the trainer in every trial, before the trial's `--<param>=<value>` (e.g. `['--num-epochs', '3']`). */
  readonly trainerArgs?: readonly string[];
  /** Run the network checks (credentials, bucket region) before creating the job. @default true */
  readonly checkAccess?: boolean;
  /** Passed to the network checks and the staging, e.g. `storageApiEndpoint` for an emulator. */
  readonly access?: Pick<VertexAccessCheckOptions, 'storageApiEndpoint' | 'env' | 'credentials'>;
  /** First wait between polls of the job, in milliseconds. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls, in milliseconds. @default 60000 */
  readonly maxPollIntervalMs?: number;
}

/** The study part of a Vertex job, checked by the shared study checks: what the local backend's studies also have. */
export interface VertexStudyDefinition {
  /** The study's name; names the output folder `gs://<bucket>/hptune/<name>/`. */
  readonly name: string;
  readonly space: SearchSpace;
  readonly metric: MetricSpec;
  /** `grid` -> GRID_SEARCH, `random` -> RANDOM_SEARCH, `bayesian` -> Vertex's default (Bayesian optimization); `tpe` and `gp` are refused. */
  readonly algorithm: SearchAlgorithm;
  /** `maxTrialCount`. @default the grid size for `grid`; required otherwise */
  readonly maxTrials?: number;
  /** `parallelTrialCount`. @default min(maxTrials, {@link DEFAULT_VERTEX_PARALLEL_TRIALS}) */
  readonly parallelTrials?: number;
  /** `maxFailedTrialCount`; absent lets Vertex AI decide (0 in the request). */
  readonly maxFailedTrials?: number;
  /** `trialJobSpec.scheduling.timeout`, whole seconds. @default the service's (7 days) */
  readonly trialTimeoutSeconds?: number;
  /** `studySpec.medianAutomatedStoppingSpec` or `decayCurveStoppingSpec`. @default none: trials run to their end */
  readonly earlyStopping?: VertexEarlyStopping;
  /** `studySpec.measurementSelectionType`: `best` -> BEST_MEASUREMENT, `last` -> LAST_MEASUREMENT. @default 'best' */
  readonly measurementSelection?: MeasurementSelection;
}
