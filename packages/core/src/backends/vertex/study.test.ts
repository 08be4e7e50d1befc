import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { startJobServiceFixture, type JobServiceFixture } from '@hptune/testing/vertex';
import { startMetadataFixture, type MetadataFixture } from '@hptune/testing/metadata';
import { installFakeNpm } from '@hptune/testing/npm';
import { TRIAL_DIR, FAKE_TRAINER_BIN, fakeTrainerPackage } from '../../../test/fixtures/trainer-package.js';
import { ValidationError } from '../../errors.js';
import { exampleSearchSpace } from '../../testing/example-space.js';
import { VertexJobError } from './job.js';
import type { VertexBackendOptions } from './options.js';
import { launchStudy } from '../../launch.js';
import { DEFAULT_STOCK_NODE_IMAGE } from './staging/bootstrap.js';
import { planVertexStudy, vertex } from './backend.js';

const IMAGE = 'us-docker.pkg.dev/p/r/lenet5:latest';

let gcs: GcsFixture;
beforeAll(async () => {
  gcs = await startGcsFixture({ buckets: [{ name: 'hptune-bucket', location: 'US-CENTRAL1' }, { name: 'eu-bucket', location: 'EUROPE-WEST4' }] });
});
afterAll(async () => {
  await gcs?.close();
});

function study(backend: Partial<VertexBackendOptions> & { apiEndpoint: string }, maxTrials = 3) {
  return {
    name: 'seed',
    space: exampleSearchSpace,
    metric: { id: 'accuracy', goal: 'maximize' } as const,
    algorithm: 'grid' as const,
    maxTrials,
    parallelTrials: Math.min(3, maxTrials),
    backend: vertex({ project: 'my-project-123', bucket: 'hptune-bucket', containerUri: IMAGE, ...backend }),
  };
}

describe('launchStudy on vertex(...) against the simulated service', () => {
  let fixture: JobServiceFixture;
  beforeAll(async () => {
    fixture = await startJobServiceFixture({
      outcome: ({ id }) => (id === '2' ? { kind: 'fail', reason: 'The replica workerpool0-0 exited with a non-zero status of 137.' } : { kind: 'succeed', values: [0.8, 0.9 + Number(id) / 100] }),
    });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('creates nothing when the bucket is in another region', async () => {
    const before = fixture.calls.length;
    const error = await launchStudy(study({ apiEndpoint: fixture.endpoint, bucket: 'eu-bucket', access: { storageApiEndpoint: gcs.url, env: {} } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/EUROPE-WEST4.*gcloud storage buckets create gs:\/\/eu-bucket-us-central1 --location=us-central1/);
    expect(fixture.calls.length).toBe(before);
  });

  it('launches, emits the job’s and trials’ changes, and resolves with the best trial', async () => {
    const handle = await launchStudy(study({ apiEndpoint: fixture.endpoint, access: { storageApiEndpoint: gcs.url, env: {} }, pollIntervalMs: 1 }));
    expect(handle.backend.jobName).toMatch(/^projects\/my-project-123\/locations\/us-central1\/hyperparameterTuningJobs\/\d+$/);
    expect(handle.backend.consoleUrl).toContain('console.cloud.google.com');
    const seen: string[] = [];
    handle.on('jobState', ({ job }) => seen.push(job.state));
    handle.on('trialStarted', ({ trial }) => seen.push(`started ${trial.id}`));
    handle.on('trialCompleted', ({ trial }) => seen.push(`${trial.state} ${trial.id}`));
    const result = await handle.wait();
    expect(handle.backend.current().state).toBe('JOB_STATE_SUCCEEDED');
    expect(result.study).toMatchObject({ name: 'seed', backend: 'vertex', state: 'COMPLETED', maxTrials: 3 });
    expect(seen).toEqual(['JOB_STATE_PENDING', 'JOB_STATE_RUNNING', 'started 1', 'started 2', 'started 3', 'INFEASIBLE 2', 'SUCCEEDED 1', 'SUCCEEDED 3', 'JOB_STATE_SUCCEEDED']);
    expect(result.best?.id).toBe('3');
    expect(handle.best()?.finalMeasurement?.metrics.accuracy).toBe(0.93);
    expect(handle.trials()).toHaveLength(3);
  });

  it('cancels the job when the study\'s signal aborts, and ends CANCELLED', async () => {
    const abort = new AbortController();
    const handle = await launchStudy({ ...study({ apiEndpoint: fixture.endpoint, checkAccess: false, pollIntervalMs: 1 }), signal: abort.signal });
    handle.on('jobState', ({ job }) => {
      if (job.state === 'JOB_STATE_RUNNING') abort.abort();
    });
    const error = await handle.wait().catch((caught: unknown) => caught);
    expect((error as VertexJobError).state).toBe('JOB_STATE_CANCELLED');
    expect(handle.study.state).toBe('CANCELLED');
    expect(fixture.calls.some((call) => call.method === 'CancelHyperparameterTuningJob')).toBe(true);
  });

  it('refuses what only the local backend takes, before anything is created', async () => {
    const before = fixture.calls.length;
    const error = await launchStudy({ ...study({ apiEndpoint: fixture.endpoint, checkAccess: false }), trainer: { command: 'node', args: [] } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('trainer');
    expect((error as Error).message).toMatch(/containerUri/);
    expect(fixture.calls.length).toBe(before);
  });

  it('cancels: wait() rejects with the CANCELLED job', async () => {
    const handle = await launchStudy(study({ apiEndpoint: fixture.endpoint, checkAccess: false, pollIntervalMs: 1 }));
    let stopped: string | undefined;
    handle.on('studyStopped', ({ error }) => (stopped = error.code));
    handle.on('jobState', ({ job }) => {
      if (job.state === 'JOB_STATE_RUNNING') void handle.cancel();
    });
    const error = await handle.wait().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VertexJobError);
    expect((error as VertexJobError).state).toBe('JOB_STATE_CANCELLED');
    expect(stopped).toBe('VERTEX_JOB_CANCELLED');
  });

  it('plans without the network: the request, its warnings and the endpoint', () => {
    const plan = planVertexStudy(study({ apiEndpoint: 'us-central1-aiplatform.googleapis.com' }, 9));
    expect(plan.endpoint).toEqual({ host: 'us-central1-aiplatform.googleapis.com', port: 443, insecure: false });
    expect(plan.warnings.map((warning) => warning.field)).toEqual(['maxTrials']);
    expect(plan.request.hyperparameterTuningJob.maxTrialCount).toBe(9);
  });
});

describe('end to end: each trial runs the trainer as the image would, with the environment Vertex sets', () => {
  let fixture: JobServiceFixture;
  let metadata: MetadataFixture;
  let outputRoot: string;
  let trainerDir: string;
  beforeAll(async () => {
    outputRoot = mkdtempSync(join(tmpdir(), 'hptune-vertex-e2e-'));
    trainerDir = fakeTrainerPackage(outputRoot);
    metadata = await startMetadataFixture({ accessToken: 'ya29.trial-token' });
    const npmBin = installFakeNpm(join(outputRoot, '.bin'), [trainerDir, TRIAL_DIR]);
    fixture = await startJobServiceFixture({
      executor: {
        outputRoot,
        // The stock image is Node itself; a staged trial's container command replaces its entrypoint.
        entrypoint: (imageUri) =>
          imageUri === IMAGE ? { command: process.execPath, args: [FAKE_TRAINER_BIN] } : imageUri === DEFAULT_STOCK_NODE_IMAGE ? { command: process.execPath, args: [] } : undefined,
        env: { PATH: `${npmBin}:${process.env.PATH ?? ''}`, GCE_METADATA_HOST: metadata.host, HPTUNE_GCS_API_ENDPOINT: gcs.url, TMPDIR: outputRoot },
      },
    });
  });
  afterAll(async () => {
    await fixture?.close();
    await metadata?.close();
    if (outputRoot) rmSync(outputRoot, { recursive: true, force: true });
  });

  it('stages the trainer and runs each trial on the stock Node image, installing it first', async () => {
    const trainerArgs = ['--num-epochs=1', '--train-size=256', '--test-size=128'];
    const options = study({ apiEndpoint: fixture.endpoint, trainerArgs, useCustomContainer: false, containerUri: undefined, trainerPackageDir: trainerDir, access: { storageApiEndpoint: gcs.url, env: {} }, pollIntervalMs: 250, maxPollIntervalMs: 1000 }, 2);
    const handle = await launchStudy({ ...options, name: 'staged' });
    expect(handle.backend.staged?.manifestUri).toBe('gs://hptune-bucket/hptune/staging/staged/manifest.json');
    expect(gcs.objectNames('hptune-bucket').filter((name) => name.startsWith('hptune/staging/staged/'))).toHaveLength(3);
    const result = await handle.wait();

    expect(handle.backend.current().state).toBe('JOB_STATE_SUCCEEDED');
    expect(result.trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    for (const trial of result.trials) {
      expect(trial.finalMeasurement?.metrics.accuracy).toBeGreaterThan(0);
      expect(existsSync(join(outputRoot, 'hptune-bucket/hptune/staged', trial.id, 'model/model.json'))).toBe(true);
      const stderr = readFileSync(join(outputRoot, '.trial-logs', handle.backend.job.id, trial.id, 'stderr.log'), 'utf8');
      expect(stderr).toMatch(/hptune bootstrap: installed with npm in [\d.]+ s; starting hptune-train/);
      const stdout = readFileSync(join(outputRoot, '.trial-logs', handle.backend.job.id, trial.id, 'stdout.log'), 'utf8');
      expect(stdout).toContain(`batch size ${trial.parameters.batch_size}`);
    }
  }, 120_000);

  it('runs 3 grid trials in parallel from launch to the job’s final result', async () => {
    const trainerArgs = ['--num-epochs', '1', '--train-size', '256', '--test-size', '128'];
    const handle = await launchStudy(study({ apiEndpoint: fixture.endpoint, trainerArgs, access: { storageApiEndpoint: gcs.url, env: {} }, pollIntervalMs: 250, maxPollIntervalMs: 1000 }));
    const measurements: string[] = [];
    handle.on('measurement', ({ trial, measurement }) => measurements.push(`${trial.id}@${measurement.step}`));
    const result = await handle.wait();

    expect(handle.backend.current().state).toBe('JOB_STATE_SUCCEEDED');
    expect(result.trials.map((trial) => [trial.id, trial.state, trial.parameters])).toEqual([
      ['1', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 32 }],
      ['2', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 64 }],
      ['3', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 128 }],
    ]);
    for (const trial of result.trials) {
      const accuracy = trial.finalMeasurement?.metrics.accuracy;
      expect(accuracy).toBeGreaterThan(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      // The trainer wrote where AIP_MODEL_DIR pointed: <base output dir>/<trial id>/model/.
      expect(existsSync(join(outputRoot, 'hptune-bucket/hptune/seed', trial.id, 'model/model.json'))).toBe(true);
      // It got the container args and the trial's parameters as flags.
      const log = readFileSync(join(outputRoot, '.trial-logs', handle.backend.job.id, trial.id, 'stdout.log'), 'utf8');
      expect(log).toContain(`batch size ${trial.parameters.batch_size}`);
      expect(log).toContain(`trial ${trial.id}`);
    }
    expect(measurements.sort()).toEqual(['1@1', '2@1', '3@1']);
    expect(result.best).toBeDefined();
    expect(result.best?.finalMeasurement?.metrics.accuracy).toBe(Math.max(...result.trials.map((trial) => trial.finalMeasurement?.metrics.accuracy ?? 0)));
  });

  it('fails the job with the trainer’s own error when the image is not the trainer', async () => {
    const handle = await launchStudy(study({ apiEndpoint: fixture.endpoint, containerUri: 'us-docker.pkg.dev/p/r/other:latest', checkAccess: false, pollIntervalMs: 50 }, 1));
    const error = await handle.wait().catch((caught: unknown) => caught);
    expect((error as VertexJobError).state).toBe('JOB_STATE_FAILED');
    expect((error as VertexJobError).serviceMessage).toMatch(/Failed to pull image "us-docker\.pkg\.dev\/p\/r\/other:latest"/);
  });
});
