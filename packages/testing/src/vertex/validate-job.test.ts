import { describe, expect, it } from 'vitest';
import { validateCreateRequest } from './validate-job.js';
import type { CreateHyperparameterTuningJobRequest } from './messages.js';

/** A minimal request the service accepts, with `studySpec` fields added. */
function request(stopping: Record<string, unknown>): CreateHyperparameterTuningJobRequest {
  return {
    parent: 'projects/p/locations/us-central1',
    hyperparameterTuningJob: {
      displayName: 'hptune-seed',
      maxTrialCount: 2,
      parallelTrialCount: 1,
      studySpec: {
        metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
        parameters: [{ parameterId: 'x', discreteValueSpec: { values: [1, 2] } }],
        algorithm: 'GRID_SEARCH',
        ...stopping,
      },
      trialJobSpec: { workerPoolSpecs: [{ machineSpec: { machineType: 'n1-standard-4' }, replicaCount: '1', containerSpec: { imageUri: 'gcr.io/p/t' } }] },
    },
  } as CreateHyperparameterTuningJobRequest;
}

describe('the JobService fixture\'s check of automated stopping', () => {
  it('accepts one median or decay-curve spec, as the decoded oneof names it', () => {
    expect(() => validateCreateRequest(request({ automatedStoppingSpec: 'medianAutomatedStoppingSpec', medianAutomatedStoppingSpec: { useElapsedDuration: false } }))).not.toThrow();
    expect(() => validateCreateRequest(request({ automatedStoppingSpec: 'decayCurveStoppingSpec', decayCurveStoppingSpec: {} }))).not.toThrow();
    expect(() => validateCreateRequest(request({}))).not.toThrow();
  });

  it('refuses two specs at once, the convex rule, and a use_elapsed_duration that is not a boolean', () => {
    expect(() => validateCreateRequest(request({ medianAutomatedStoppingSpec: {}, decayCurveStoppingSpec: {} }))).toThrow(/more than one automated stopping spec/);
    expect(() => validateCreateRequest(request({ automatedStoppingSpec: 'convexAutomatedStoppingSpec', convexAutomatedStoppingSpec: {} }))).toThrow(/convex/);
    expect(() => validateCreateRequest(request({ automatedStoppingSpec: 'medianAutomatedStoppingSpec', medianAutomatedStoppingSpec: { useElapsedDuration: 'no' } }))).toThrow(/use_elapsed_duration/);
  });
});
