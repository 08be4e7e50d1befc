import { HptuneError } from '../errors.js';
import type { FrozenTrial, StudyState, TrialFailure, TrialState, TrialSummary } from '../study/types.js';

/** The store's refusals, shared by every implementation so they read the same. */
export const storeErrors = {
  /** `state` (when known) picks the advice: a finished study has nothing to resume. */
  studyExists: (name: string, state?: StudyState) =>
    new HptuneError(
      'STUDY_EXISTS',
      state === 'COMPLETED'
        ? `study ${JSON.stringify(name)} already exists and is COMPLETED; choose another name, or delete it first with deleteStudy(${JSON.stringify(name)})`
        : `study ${JSON.stringify(name)} already exists${state ? ` (${state})` : ''}; resume it with resumeStudy(${JSON.stringify(name)}), choose another name, or delete it first with deleteStudy(${JSON.stringify(name)})`,
      { exitCode: 2 },
    ),
  studyNotFound: (name: string, where: string) =>
    new HptuneError('STUDY_NOT_FOUND', `no study ${JSON.stringify(name)} in ${where}; list the studies there with hptune study list`, {
      exitCode: 2,
    }),
  trialNotFound: (name: string, trialId: string) =>
    new HptuneError('TRIAL_NOT_FOUND', `study ${JSON.stringify(name)} has no trial ${JSON.stringify(trialId)}`),
  leaseLost: (name: string) =>
    new HptuneError(
      'LEASE_LOST',
      `this coordinator no longer holds the lease of study ${JSON.stringify(name)}: another coordinator took it over; stop this one`,
    ),
  badTransition: (name: string, trialId: string, from: TrialState, action: string) =>
    new HptuneError(
      from === 'SUCCEEDED' || from === 'INFEASIBLE' ? 'TRIAL_FINISHED' : 'INVALID_TRIAL_STATE',
      `trial ${trialId} of study ${JSON.stringify(name)} is ${from} and cannot be ${action}`,
    ),
};

/** The states a trial may be in for each change. Finished trials (SUCCEEDED, INFEASIBLE) accept none. */
export const allowedFrom = {
  start: ['REQUESTED'],
  stop: ['ACTIVE', 'STOPPING'],
  measure: ['ACTIVE', 'STOPPING'],
  finish: ['REQUESTED', 'ACTIVE', 'STOPPING'],
  interrupt: ['ACTIVE', 'STOPPING'],
} as const satisfies Record<string, readonly TrialState[]>;

/** Checks a trial state change against {@link allowedFrom}. */
export function checkTransition(name: string, trialId: string, from: TrialState, change: keyof typeof allowedFrom): void {
  const allowed: readonly TrialState[] = allowedFrom[change];
  if (!allowed.includes(from)) {
    const action = { start: 'started', stop: 'stopped', measure: 'measured', finish: 'finished', interrupt: 'interrupted' }[change];
    throw storeErrors.badTransition(name, trialId, from, action);
  }
}

/** Checks a measurement before it is stored. */
export function checkMeasurement(step: number, elapsedSeconds: number): void {
  if (!Number.isSafeInteger(step) || step < 0) throw new HptuneError('INVALID_MEASUREMENT', `measurement step ${step} is not a non-negative integer`);
  if (!Number.isFinite(elapsedSeconds) || elapsedSeconds < 0) {
    throw new HptuneError('INVALID_MEASUREMENT', `measurement elapsedSeconds ${elapsedSeconds} is not a non-negative number`);
  }
}

/** The failure recorded on a trial whose coordinator died while it ran. */
export function interruptedFailure(): TrialFailure {
  return {
    kind: 'interrupted',
    reason: 'interrupted: the coordinator stopped while the trial ran, and its trainer did not complete; the resumed study runs it again',
  };
}

/** Freezes a record and everything in it: what stores hand out cannot be changed by callers. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A trial as a store's write returned it (a {@link TrialSummary}, no measurements read back), with
 * the measurements its writer holds for it, which are those it stored, in order. As every store
 * keeps them, what was reported after an early-stopping decision stays apart only while the trial
 * keeps the decision (`stoppedAtStep`); otherwise it joins the curve. Nothing is copied but, then,
 * the one curve.
 */
export function withCurves(record: TrialSummary, held: Pick<FrozenTrial, 'measurements' | 'measurementsAfterStop'>): FrozenTrial {
  const after = held.measurementsAfterStop ?? [];
  if (record.stoppedAtStep === undefined) {
    return Object.freeze({ ...record, measurements: after.length === 0 ? held.measurements : Object.freeze(held.measurements.concat(after)) });
  }
  return Object.freeze({ ...record, measurements: held.measurements, ...(after.length === 0 ? {} : { measurementsAfterStop: after }) });
}
