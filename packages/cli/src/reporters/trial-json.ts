import type { FrozenTrial, TrialSummary } from '@hptune/core';

/** A trial as every `--json` output prints it: `{ id, state, parameters, metrics, measurements, ... }`. */
export function trialJson(trial: FrozenTrial) {
  return {
    id: trial.id,
    state: trial.state,
    parameters: trial.parameters,
    metrics: trial.finalMeasurement?.metrics ?? {},
    measurements: trial.measurements,
    ...(trial.stoppedEarly ? { stoppedEarly: true } : {}),
    ...(trial.stoppedAtStep === undefined ? {} : { stoppedAtStep: trial.stoppedAtStep }),
    ...(trial.measurementsAfterStop ? { measurementsAfterStop: trial.measurementsAfterStop } : {}),
    ...(trial.failure ? { failure: trial.failure } : {}),
    ...(trial.startTime ? { startTime: trial.startTime } : {}),
    ...(trial.endTime ? { endTime: trial.endTime } : {}),
  };
}

/** The best trial as `--json` outputs print it, or `null`. */
export function bestTrialJson(best: TrialSummary | undefined) {
  return best ? { id: best.id, parameters: best.parameters, metrics: best.finalMeasurement?.metrics ?? {} } : null;
}
