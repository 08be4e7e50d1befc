import { gridSize } from '../../space/grid.js';
import { toVertexStudySpec } from './study-spec.js';
import {
  DEFAULT_VERTEX_MACHINE_TYPE,
  defaultVertexParallelTrials,
  type VertexBackendOptions,
  type VertexStudyDefinition,
} from './options.js';
import { DEFAULT_VERTEX_REGION } from './regions.js';
import { stagedTrialContainer } from './staging/bootstrap.js';
import { stagingManifestUri } from './staging/stage.js';
import type { CreateHyperparameterTuningJobRequest, SchedulingRequest, TrialJobSpecRequest } from './request.js';

/** `projects/<project>/locations/<region>`: where a job is created. */
export function vertexParent(project: string, region: string): string {
  return `projects/${project}/locations/${region}`;
}

/** Where trial outputs go: `gs://<bucket>/hptune/<study>/` (Vertex adds `<trial id>/model/`, `/checkpoints/`, `/logs/`). */
export function vertexOutputDirectory(bucket: string, study: string): string {
  return `gs://${bucket}/hptune/${study}/`;
}

/** A label value from free text: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function toLabelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{Ll}\p{Lo}\p{N}_-]/gu, '-')
    .slice(0, 63);
}

/** `maxTrialCount` of a study: as given, else the grid size for grid search. */
export function resolveMaxTrials(study: VertexStudyDefinition): number | undefined {
  if (study.maxTrials !== undefined) return study.maxTrials;
  return study.algorithm === 'grid' ? gridSize(study.space) : undefined;
}

/**
 * Builds the CreateHyperparameterTuningJob request for a study on Vertex AI: a pure function, no
 * network. The study spec comes from the search space (`toVertexStudySpec`); each trial runs the
 * container on one machine (`replicaCount` 1) with `trainerArgs`, to which Vertex appends the
 * trial's `--<param>=<value>`: the trainer image, or (`useCustomContainer: false`) a stock Node image
 * whose command installs the trainer staged at `gs://<bucket>/hptune/staging/<study>/` first. Run `preflightVertexJob` first: this builder assumes checked input.
 * @throws ValidationError when the space or metric is invalid for the algorithm, or `maxTrials` is missing for a non-grid search.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.hyperparameterTuningJobs#HyperparameterTuningJob
 */
export function buildHyperparameterTuningJobRequest(study: VertexStudyDefinition, backend: VertexBackendOptions): CreateHyperparameterTuningJobRequest {
  const region = backend.region ?? DEFAULT_VERTEX_REGION;
  const studySpec = toVertexStudySpec(study.space, {
    metric: study.metric,
    algorithm: study.algorithm,
    ...(study.measurementSelection ? { measurementSelection: study.measurementSelection } : {}),
  });
  if (study.earlyStopping === 'median') studySpec.medianAutomatedStoppingSpec = { useElapsedDuration: false };
  if (study.earlyStopping === 'decay-curve') studySpec.decayCurveStoppingSpec = { useElapsedDuration: false };
  const maxTrialCount = resolveMaxTrials(study) ?? 0;
  const parallelTrialCount = study.parallelTrials ?? defaultVertexParallelTrials(maxTrialCount);

  const scheduling: SchedulingRequest = {
    ...(study.trialTimeoutSeconds !== undefined ? { timeout: { seconds: study.trialTimeoutSeconds } } : {}),
    ...(backend.spot ? { strategy: 'SPOT' as const } : {}),
  };
  const trialJobSpec: TrialJobSpecRequest = {
    workerPoolSpecs: [
      {
        machineSpec: {
          machineType: backend.machineType ?? DEFAULT_VERTEX_MACHINE_TYPE,
          ...(backend.acceleratorType ? { acceleratorType: backend.acceleratorType, acceleratorCount: backend.acceleratorCount ?? 1 } : {}),
        },
        replicaCount: 1,
        containerSpec:
          backend.useCustomContainer === false
            ? stagedTrialContainer({
                ...(backend.containerUri ? { imageUri: backend.containerUri } : {}),
                manifestUri: stagingManifestUri(backend.bucket, study.name),
                trainerArgs: backend.trainerArgs ?? [],
              })
            : { imageUri: backend.containerUri ?? '', args: [...(backend.trainerArgs ?? [])] },
      },
    ],
    baseOutputDirectory: { outputUriPrefix: vertexOutputDirectory(backend.bucket, study.name) },
    ...(backend.serviceAccount ? { serviceAccount: backend.serviceAccount } : {}),
    ...(backend.network ? { network: backend.network } : {}),
    ...(backend.tensorboard ? { tensorboard: backend.tensorboard } : {}),
    ...(Object.keys(scheduling).length > 0 ? { scheduling } : {}),
  };
  return {
    parent: vertexParent(backend.project, region),
    hyperparameterTuningJob: {
      displayName: backend.displayName ?? `hptune-${study.name}`,
      studySpec,
      maxTrialCount,
      parallelTrialCount,
      maxFailedTrialCount: study.maxFailedTrials ?? 0,
      trialJobSpec,
      labels: { created_by: 'hptune', hptune_study: toLabelValue(study.name), ...backend.labels },
    },
  };
}
