export type { BucketLocation, CredentialsCheckOptions, CredentialsSource, VertexAccessCheckOptions } from './access.js';
export { VertexApiError, createVertexJobClient, resolveVertexJobName, type ListVertexJobsOptions, type VertexJobClient, type VertexJobClientOptions } from './client.js';
export type { VertexEndpoint } from './endpoint.js';
export {
  JOB_STATES_COMPLETE,
  JOB_STATES_ERROR,
  JOB_STATES_PENDING,
  VertexJobError,
  parseVertexJobName,
  vertexConsoleUrl,
  type VertexJob,
  type VertexJobNameParts,
  type VertexJobState,
} from './job.js';
export { vertexOutputDirectory } from './job-spec.js';
export { ACCELERATOR_TYPES, machineAccelerators, type AcceleratorType, type MachineAccelerators } from './machines.js';
export { DEFAULT_VERTEX_MACHINE_TYPE, DEFAULT_VERTEX_PARALLEL_TRIALS, type VertexBackendOptions } from './options.js';
export { DEFAULT_MAX_POLL_INTERVAL_MS, DEFAULT_POLL_INTERVAL_MS } from './poller.js';
export { DEFAULT_VERTEX_REGION, checkAcceleratorRegion, regionsOffering } from './regions.js';
export { MAX_DISPLAY_NAME_LENGTH, MAX_LABELS, checkVertexPlace } from './preflight.js';
export type { PreflightWarning } from './warnings.js';
export type { CreateHyperparameterTuningJobRequest, HyperparameterTuningJobRequest } from './request.js';
export { DEFAULT_STOCK_NODE_IMAGE, STAGED_TRAINER_ENV } from './staging/bootstrap.js';
export { packWithLocalDependencies, type PackedPackage } from './staging/pack.js';
export { stageTrainer, stagingFolderUri, stagingManifestUri, type StageTrainerOptions, type StagedTrainer, type StagingManifest } from './staging/stage.js';
export { planVertexStudy, vertex, type PlanVertexStudyOptions, type VertexBackend } from './backend.js';
export type { VertexStudyDetails, VertexStudyEvents, VertexStudyPlan } from './study.js';
