import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { categorical, double, searchSpace } from '../../space/builder.js';
import { exampleSearchSpace } from '../../testing/example-space.js';
import { gridCombinations, type ParameterSpecMessage, protoRoundTrip } from '@hptune/testing/vertex';
import { resolveVertexEndpoint } from './endpoint.js';
import { launchStudy } from '../../launch.js';
import { asha } from '../../stopping/asha.js';
import { decayCurve } from '../../stopping/decay-curve.js';
import { median } from '../../stopping/median.js';
import { planVertexStudy, vertex } from './backend.js';
import { buildHyperparameterTuningJobRequest, toLabelValue } from './job-spec.js';
import type { VertexBackendOptions, VertexStudyDefinition } from './options.js';

/** The production command: 27 grid trials, 3 at a time, one T4 on n1-standard-8. */
const seedStudy: VertexStudyDefinition = {
  name: 'seed',
  space: exampleSearchSpace,
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  maxTrials: 27,
  parallelTrials: 3,
};
const t4Backend: VertexBackendOptions = {
  project: 'my-project-123',
  bucket: 'my-bucket-123',
  region: 'us-central1',
  containerUri: 'us-docker.pkg.dev/p/r/lenet5:latest',
  machineType: 'n1-standard-8',
  acceleratorType: 'NVIDIA_TESLA_T4',
  acceleratorCount: 1,
  trainerArgs: ['--num-epochs', '3'],
};

/** Drops what a decoded message lacks (empty lists), so it compares equal to its input. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .map(([key, inner]) => [key, withoutDefaults(inner)] as const)
    .filter(([, inner]) => inner !== undefined && !(Array.isArray(inner) && inner.length === 0));
  return Object.fromEntries(entries);
}

describe('buildHyperparameterTuningJobRequest', () => {
  it('builds the 27-trial T4 request that the aiplatform protos accept whole', () => {
    const request = buildHyperparameterTuningJobRequest(seedStudy, t4Backend);
    expect(request.parent).toBe('projects/my-project-123/locations/us-central1');
    const job = request.hyperparameterTuningJob;
    expect(job).toMatchObject({
      displayName: 'hptune-seed',
      maxTrialCount: 27,
      parallelTrialCount: 3,
      maxFailedTrialCount: 0,
      labels: { created_by: 'hptune', hptune_study: 'seed' },
    });
    expect(job.studySpec.algorithm).toBe('GRID_SEARCH');
    expect(job.studySpec.metrics).toEqual([{ metricId: 'accuracy', goal: 'MAXIMIZE' }]);
    expect(job.trialJobSpec).toEqual({
      workerPoolSpecs: [
        {
          machineSpec: { machineType: 'n1-standard-8', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 1 },
          replicaCount: 1,
          containerSpec: { imageUri: 'us-docker.pkg.dev/p/r/lenet5:latest', args: ['--num-epochs', '3'] },
        },
      ],
      baseOutputDirectory: { outputUriPrefix: 'gs://my-bucket-123/hptune/seed/' },
    });

    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    // Every field survived encoding: nothing unknown to the protos, no enum name they lack.
    expect(decoded).toEqual(withoutDefaults(JSON.parse(JSON.stringify(request))));
    // And the study spec, read back as the service reads it, is the 27-combination grid.
    const parameters = (decoded.hyperparameterTuningJob as { studySpec: { parameters: ParameterSpecMessage[] } }).studySpec.parameters;
    expect(gridCombinations(parameters)).toHaveLength(27);
  });

  it('sets every optional trial setting the protos know: service account, network, TensorBoard, timeout, Spot, labels', () => {
    const request = buildHyperparameterTuningJobRequest(
      { ...seedStudy, algorithm: 'random', maxTrials: 10, parallelTrials: undefined, maxFailedTrials: 2, trialTimeoutSeconds: 7200, measurementSelection: 'last' },
      {
        ...t4Backend,
        displayName: 'LeNet-5 random',
        serviceAccount: 'trainer@p.iam.gserviceaccount.com',
        network: 'projects/123/global/networks/default',
        tensorboard: 'projects/p/locations/us-central1/tensorboards/42',
        spot: true,
        labels: { team: 'vision' },
      },
    );
    const job = request.hyperparameterTuningJob;
    expect(job.parallelTrialCount).toBe(3);
    expect(job.studySpec).toMatchObject({ algorithm: 'RANDOM_SEARCH', measurementSelectionType: 'LAST_MEASUREMENT' });
    expect(job.trialJobSpec).toMatchObject({
      serviceAccount: 'trainer@p.iam.gserviceaccount.com',
      network: 'projects/123/global/networks/default',
      tensorboard: 'projects/p/locations/us-central1/tensorboards/42',
      scheduling: { timeout: { seconds: 7200 }, strategy: 'SPOT' },
    });
    expect(job.labels).toEqual({ created_by: 'hptune', hptune_study: 'seed', team: 'vision' });
    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    expect(decoded).toEqual(withoutDefaults(JSON.parse(JSON.stringify(request))));
  });

  it('maps bayesian to the service default and derives maxTrialCount from the grid', () => {
    const space = searchSpace({ activation: categorical(['relu', 'softmax']), learning_rate: double(1e-4, 1e-1, { scale: 'log' }) });
    const bayesian = buildHyperparameterTuningJobRequest({ ...seedStudy, space, algorithm: 'bayesian', maxTrials: 8, parallelTrials: 2 }, t4Backend);
    expect(bayesian.hyperparameterTuningJob.studySpec.algorithm).toBe('ALGORITHM_UNSPECIFIED');
    expect(protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', bayesian).verifyError).toBeNull();
    const grid = buildHyperparameterTuningJobRequest({ ...seedStudy, maxTrials: undefined, parallelTrials: undefined }, t4Backend);
    expect(grid.hyperparameterTuningJob.maxTrialCount).toBe(27);
    expect(() => buildHyperparameterTuningJobRequest({ ...seedStudy, space }, t4Backend)).toThrow(ValidationError);
  });

  it('runs staged trials on the stock Node image: the bootstrap as command, the manifest in the environment', () => {
    const request = buildHyperparameterTuningJobRequest(seedStudy, { project: 'my-project-123', bucket: 'my-bucket-123', useCustomContainer: false, trainerPackageDir: '/unused', trainerArgs: ['--num-epochs=3'] });
    const pool = request.hyperparameterTuningJob.trialJobSpec.workerPoolSpecs[0];
    expect(pool?.machineSpec).toEqual({ machineType: 'n1-standard-4' });
    expect(pool?.containerSpec).toMatchObject({
      imageUri: 'node:22-bookworm-slim',
      command: ['node', '-e', expect.stringMatching(/^\(async function stagedTrialBootstrap\(.*\)\(require\)$/s)],
      args: ['--', '--num-epochs=3'],
      env: [{ name: 'HPTUNE_STAGED_TRAINER', value: 'gs://my-bucket-123/hptune/staging/seed/manifest.json' }],
    });
    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    expect(decoded).toEqual(withoutDefaults(JSON.parse(JSON.stringify(request))));
  });

  it('turns a study name into a label value', () => {
    expect(toLabelValue('LeNet5 Grid.v2')).toBe('lenet5-grid-v2');
  });
});

describe('resolveVertexEndpoint', () => {
  it('uses the regional endpoint, or the override with TLS unless it is loopback or http://', () => {
    expect(resolveVertexEndpoint({ region: 'europe-west4' })).toEqual({ host: 'europe-west4-aiplatform.googleapis.com', port: 443, insecure: false });
    expect(resolveVertexEndpoint({ region: 'us-central1', apiEndpoint: '127.0.0.1:8081' })).toEqual({ host: '127.0.0.1', port: 8081, insecure: true });
    expect(resolveVertexEndpoint({ region: 'us-central1', apiEndpoint: 'private.example.com' })).toEqual({ host: 'private.example.com', port: 443, insecure: false });
    expect(resolveVertexEndpoint({ region: 'us-central1', apiEndpoint: 'http://proxy:9000' })).toEqual({ host: 'proxy', port: 9000, insecure: true });
    expect(() => resolveVertexEndpoint({ region: 'us-central1', apiEndpoint: 'host:99999' })).toThrow(/is not host\[:port\]/);
  });

  it.each([
    ['median', 'medianAutomatedStoppingSpec'],
    ['decay-curve', 'decayCurveStoppingSpec'],
  ] as const)('sets the %s stopping rule as studySpec.%s, which the protos accept', (earlyStopping, field) => {
    const request = buildHyperparameterTuningJobRequest({ ...seedStudy, earlyStopping }, t4Backend);
    expect(request.hyperparameterTuningJob.studySpec[field]).toEqual({ useElapsedDuration: false });
    const { verifyError, decoded } = protoRoundTrip('google.cloud.aiplatform.v1.CreateHyperparameterTuningJobRequest', request);
    expect(verifyError).toBeNull();
    expect((decoded.hyperparameterTuningJob as { studySpec: Record<string, unknown> }).studySpec[field]).toEqual({ useElapsedDuration: false });
  });
});

describe('early stopping on Vertex AI', () => {
  const study = { name: 'seed', space: exampleSearchSpace, metric: { id: 'accuracy', goal: 'maximize' } as const, algorithm: 'grid' as const, parallelTrials: 3 };
  const backend = vertex({ ...t4Backend, checkAccess: false });

  it('maps median() and decayCurve() to Vizier\'s rules in the dry run', () => {
    expect(planVertexStudy({ ...study, backend, earlyStopping: median() }).request.hyperparameterTuningJob.studySpec.medianAutomatedStoppingSpec).toEqual({ useElapsedDuration: false });
    expect(planVertexStudy({ ...study, backend, earlyStopping: decayCurve() }).request.hyperparameterTuningJob.studySpec.decayCurveStoppingSpec).toEqual({ useElapsedDuration: false });
  });

  it('refuses ASHA, naming median and decay-curve, and settings Vizier does not take, before anything is sent', async () => {
    expect(() => planVertexStudy({ ...study, backend, earlyStopping: asha({ maxStep: 9 }) })).toThrow(/earlyStopping.*ASHA.*median and decay-curve/);
    await expect(launchStudy({ ...study, backend, earlyStopping: asha({ maxStep: 9 }) })).rejects.toThrow(ValidationError);
    expect(() => planVertexStudy({ ...study, backend, earlyStopping: median({ warmupSteps: 2 }) })).toThrow(/median\(\) without options/);
  });
});
