import { countsAsFailed } from './best.js';
import type { FrozenTrial } from './types.js';

/**
 * A study's trials counted by what happened to them, the one count every summary shows
 * (`hptune study run`'s end, `study list`, `study show`): a cancelled or interrupted trial is
 * counted as such, never as failed.
 */
export interface TrialCounts {
  /** Every trial, in any state. */
  readonly total: number;
  readonly succeeded: number;
  /** INFEASIBLE trials that count towards `maxFailedTrials`: the trainer failed. */
  readonly failed: number;
  /** Stopped by hptune while they ran (a cancel, or a study stopped by too many failures); a resume runs them again. */
  readonly cancelled: number;
  /** Their coordinator died while they ran; a resume runs them again. */
  readonly interrupted: number;
  /** ACTIVE or STOPPING. */
  readonly running: number;
  /** REQUESTED: created, not started yet (a resumed study's re-runs). */
  readonly requested: number;
}

/** Counts trials by {@link TrialCounts}. */
export function countTrials(trials: readonly FrozenTrial[]): TrialCounts {
  const counts = { total: trials.length, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, running: 0, requested: 0 };
  for (const trial of trials) {
    if (trial.state === 'SUCCEEDED') counts.succeeded += 1;
    else if (trial.state === 'REQUESTED') counts.requested += 1;
    else if (trial.state === 'ACTIVE' || trial.state === 'STOPPING') counts.running += 1;
    else if (countsAsFailed(trial)) counts.failed += 1;
    else if (trial.failure?.kind === 'interrupted') counts.interrupted += 1;
    else counts.cancelled += 1;
  }
  return counts;
}
