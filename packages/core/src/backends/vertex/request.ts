/**
 * The CreateHyperparameterTuningJob request as `@google-cloud/aiplatform`'s `JobServiceClient`
 * takes it: camelCase fields, enums by name, durations as `{ seconds }`. Only the fields hptune
 * sets are declared; it is plain JSON, what `hptune launch --dry-run` prints.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.hyperparameterTuningJobs
 */

import type { VertexStudySpec } from './study-spec.js';
import type { AcceleratorType } from './machines.js';

/** `MachineSpec`: the machine each trial runs on. */
export interface MachineSpecRequest {
  readonly machineType: string;
  readonly acceleratorType?: AcceleratorType;
  readonly acceleratorCount?: number;
}

/** `ContainerSpec`: the image and its arguments; Vertex appends `--<param>=<value>` per trial. */
export interface ContainerSpecRequest {
  readonly imageUri: string;
  /** Replaces the image's entrypoint (only the stock-image mode sets it). */
  readonly command?: readonly string[];
  readonly args: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
}

/** `WorkerPoolSpec`: hptune runs each trial on one machine. */
export interface WorkerPoolSpecRequest {
  readonly machineSpec: MachineSpecRequest;
  readonly replicaCount: number;
  readonly containerSpec: ContainerSpecRequest;
}

/** `Scheduling`: per-trial timeout and the provisioning strategy. */
export interface SchedulingRequest {
  /** The most a trial may run. */
  readonly timeout?: { readonly seconds: number };
  /** `SPOT` for Spot VMs (preemptible, cheaper). */
  readonly strategy?: 'SPOT' | 'STANDARD';
}

/** `CustomJobSpec`: how each trial runs. */
export interface TrialJobSpecRequest {
  readonly workerPoolSpecs: readonly WorkerPoolSpecRequest[];
  /** `gs://<bucket>/hptune/<study>/`: Vertex derives each trial's `AIP_MODEL_DIR`, `AIP_CHECKPOINT_DIR` and `AIP_TENSORBOARD_LOG_DIR` from it. */
  readonly baseOutputDirectory: { readonly outputUriPrefix: string };
  readonly serviceAccount?: string;
  readonly network?: string;
  readonly tensorboard?: string;
  readonly scheduling?: SchedulingRequest;
}

/** `HyperparameterTuningJob` as hptune creates it. */
export interface HyperparameterTuningJobRequest {
  readonly displayName: string;
  /** From the search space, by `toVertexStudySpec`. */
  readonly studySpec: VertexStudySpec;
  readonly maxTrialCount: number;
  readonly parallelTrialCount: number;
  readonly maxFailedTrialCount?: number;
  readonly trialJobSpec: TrialJobSpecRequest;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `CreateHyperparameterTuningJobRequest`: the job and where it goes (`projects/<p>/locations/<r>`). */
export interface CreateHyperparameterTuningJobRequest {
  readonly parent: string;
  readonly hyperparameterTuningJob: HyperparameterTuningJobRequest;
}
