import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobServiceFixture, type JobServiceFixture } from '@hptune/testing/vertex';
import { exampleSearchSpace } from '../../testing/example-space.js';
import { createVertexJobClient, type VertexJobClient } from './client.js';
import { buildHyperparameterTuningJobRequest } from './job-spec.js';
import { VertexJobError, toVertexJob, vertexConsoleUrl, type VertexJob } from './job.js';
import { diffVertexJobs, watchVertexJob, type VertexJobEvent } from './poller.js';

function describeEvent(event: VertexJobEvent): string {
  switch (event.type) {
    case 'job-state':
      return `job ${event.job.state}`;
    case 'trial-started':
      return `trial ${event.trial.id} started ${JSON.stringify(event.trial.parameters)}`;
    case 'trial-measurement':
      return `trial ${event.trial.id} step ${event.measurement.step} ${event.measurement.metrics.accuracy}`;
    case 'trial-state':
      return `trial ${event.trial.id} ${event.previous} -> ${event.trial.state}`;
    case 'trial-completed':
      return `trial ${event.trial.id} ${event.trial.state} ${event.trial.finalMeasurement?.metrics.accuracy ?? event.trial.failure?.reason}`;
  }
}

const request = (maxTrials: number, parallel: number, maxFailed = 0) =>
  buildHyperparameterTuningJobRequest(
    { name: 'seed', space: exampleSearchSpace, metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', maxTrials, parallelTrials: parallel, maxFailedTrials: maxFailed },
    { project: 'my-project-123', bucket: 'my-bucket-123', containerUri: 'us-docker.pkg.dev/p/r/lenet5:latest' },
  );

let fixture: JobServiceFixture;
let client: VertexJobClient;
beforeAll(async () => {
  fixture = await startJobServiceFixture({
    outcome: ({ id }) => (id === '2' ? { kind: 'fail', reason: 'exit status 1: out of memory', afterSteps: 1 } : { kind: 'succeed', values: [0.6, 0.9] }),
  });
  client = await createVertexJobClient({ region: 'us-central1', apiEndpoint: fixture.endpoint });
});
afterAll(async () => {
  await client?.close();
  await fixture?.close();
});

describe('watchVertexJob', () => {
  it('reports every change of the job and its trials, in order, and resolves with the succeeded job', async () => {
    const created = await client.createJob(request(3, 2));
    const events: string[] = [];
    const waits: number[] = [];
    const job = await watchVertexJob({
      client,
      name: created.name,
      initial: created,
      pollIntervalMs: 10,
      maxPollIntervalMs: 40,
      sleep: async (ms) => void waits.push(ms),
      onEvent: (event) => events.push(describeEvent(event)),
    });
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    expect(events).toEqual([
      'job JOB_STATE_PENDING',
      'job JOB_STATE_RUNNING',
      'trial 1 started {"activation":"relu","optimizer":"sgd","batch_size":32}',
      'trial 2 started {"activation":"relu","optimizer":"sgd","batch_size":64}',
      'trial 1 step 1 0.6',
      'trial 1 step 2 0.9',
      'trial 1 SUCCEEDED 0.9',
      'trial 2 INFEASIBLE exit status 1: out of memory',
      'trial 3 started {"activation":"relu","optimizer":"sgd","batch_size":128}',
      'trial 3 step 1 0.6',
      'trial 3 step 2 0.9',
      'trial 3 SUCCEEDED 0.9',
      'job JOB_STATE_SUCCEEDED',
    ]);
    expect(waits.every((ms) => ms === 10)).toBe(true);
  });

  it('throws a VertexJobError with the service message and console URL as soon as the job fails', async () => {
    const created = await client.createJob(request(4, 1, 1));
    const completed: string[] = [];
    const error = await watchVertexJob({
      client,
      name: created.name,
      pollIntervalMs: 1,
      sleep: async () => undefined,
      onEvent: (event) => event.type === 'trial-completed' && completed.push(event.trial.id),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VertexJobError);
    const failure = error as VertexJobError;
    expect(failure.state).toBe('JOB_STATE_FAILED');
    expect(failure.jobName).toBe(created.name);
    expect(failure.serviceMessage).toMatch(/Trial 2: exit status 1: out of memory/);
    expect(failure.consoleUrl).toBe(`https://console.cloud.google.com/ai/platform/locations/us-central1/training/${created.id}?project=my-project-123`);
    expect(failure.message).toContain(failure.consoleUrl);
    expect(completed).toEqual(['1', '2']);
  });

  it('grows the wait while nothing changes, up to the maximum', async () => {
    const job = toVertexJob({ name: 'projects/my-project-123/locations/us-central1/hyperparameterTuningJobs/9', state: 'JOB_STATE_PENDING' });
    let polls = 0;
    const waits: number[] = [];
    const still: Pick<VertexJobClient, 'getJob'> = {
      getJob: async () => (++polls < 6 ? job : { ...job, state: 'JOB_STATE_CANCELLED' }),
    };
    const error = await watchVertexJob({ client: still, name: job.name, initial: job, pollIntervalMs: 100, maxPollIntervalMs: 300, sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e);
    expect((error as VertexJobError).state).toBe('JOB_STATE_CANCELLED');
    expect(waits).toEqual([150, 225, 300, 300, 300]);
  });
});

describe('diffVertexJobs', () => {
  it('reports a trial first seen already finished as started, measured and completed', () => {
    const base: VertexJob = toVertexJob({ name: 'projects/my-project-123/locations/l/hyperparameterTuningJobs/1', state: 'JOB_STATE_RUNNING' });
    const next = toVertexJob({
      name: base.name,
      state: 'JOB_STATE_RUNNING',
      studySpec: { metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }] },
      trials: [{ id: '1', state: 'SUCCEEDED', parameters: [{ parameterId: 'activation', value: { stringValue: 'relu', kind: 'stringValue' } }], measurements: [{ stepCount: '1', metrics: [{ metricId: 'accuracy', value: 0.9 }] }], finalMeasurement: { stepCount: '1', metrics: [{ metricId: 'accuracy', value: 0.9 }] } }],
    });
    expect(diffVertexJobs(base, next).map(describeEvent)).toEqual(['trial 1 started {"activation":"relu"}', 'trial 1 step 1 0.9', 'trial 1 SUCCEEDED 0.9']);
    expect(diffVertexJobs(next, next)).toEqual([]);
    expect(vertexConsoleUrl('not a name')).toMatch(/^https:\/\/console\.cloud\.google\.com\//);
  });
});
