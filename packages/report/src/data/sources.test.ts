import { describe, expect, it } from 'vitest';
import type { VertexJob } from '@hptune/core/vertex';
import { trial } from '../../test/fixtures/trials.js';
import { describeEarlyStopping } from './early-stopping.js';
import { reportSourceFromVertexJob } from './sources.js';

const job = (state: VertexJob['state']): VertexJob => ({
  name: 'projects/p/locations/us-central1/hyperparameterTuningJobs/42',
  id: '42',
  displayName: 'hptune-seed',
  state,
  metric: { id: 'accuracy', goal: 'maximize' },
  maxTrialCount: 3,
  parallelTrialCount: 3,
  maxFailedTrialCount: 0,
  trials: [trial(1, 'SUCCEEDED', { batch_size: 32 }, [0.5])],
  labels: {},
  consoleUrl: 'https://console.cloud.google.com/x',
});

describe('reportSourceFromVertexJob', () => {
  it('follows a job until it reaches a complete state', () => {
    expect(reportSourceFromVertexJob(job('JOB_STATE_RUNNING')).running).toBe(true);
    expect(reportSourceFromVertexJob(job('JOB_STATE_SUCCEEDED')).running).toBe(false);
    expect(reportSourceFromVertexJob(job('JOB_STATE_SUCCEEDED'))).toMatchObject({ name: 'hptune-seed', backend: 'vertex', maxTrials: 3, details: [['job', 'projects/p/locations/us-central1/hyperparameterTuningJobs/42'], ['console', 'https://console.cloud.google.com/x']] });
  });
});

describe('describeEarlyStopping', () => {
  it('names the rule and its settings in one line, or none', () => {
    expect(describeEarlyStopping(undefined)).toBeNull();
    expect(describeEarlyStopping({ kind: 'median', startupTrials: 5, warmupSteps: 2 })).toBe('median (startupTrials 5, warmupSteps 2)');
    expect(describeEarlyStopping({ kind: 'asha', minStep: 1, maxStep: 9, reductionFactor: 3 })).toBe('asha (minStep 1, maxStep 9, reductionFactor 3)');
  });
});
