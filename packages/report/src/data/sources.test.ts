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
  it('names a rule of any shape in one line, or none', () => {
    expect(describeEarlyStopping(undefined)).toBeNull();
    expect(describeEarlyStopping('median')).toBe('median');
    expect(describeEarlyStopping({ rule: 'median', warmupSteps: 2, minTrials: 5 })).toBe('median (warmupSteps 2, minTrials 5)');
    expect(describeEarlyStopping({ type: 'asha', reductionFactor: 3, brackets: [1, 2] })).toBe('asha (reductionFactor 3)');
    expect(describeEarlyStopping({ patience: 3 })).toBe('{"patience":3}');
  });
});
