import { countsAsFailed } from './best.js';
import type { TrialSummary } from './types.js';

/**
 * A study's trials counted by what happened to them, the one count every summary shows
 * (`hptune study run`'s end, `study list`, `study show`): a cancelled or interrupted trial is
 * counted as such, never as failed.
 */
export interface TrialCounts {
  /** Every trial, in any state. */
  readonly total: number;
  /**
   * Trials run to their end: succeeded plus failed, the ones that count towards `maxTrials`
   * (cancelled and interrupted trials run again). The `done` of `7/27 done` everywhere.
   */
  readonly done: number;
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
export function countTrials(trials: readonly Pick<TrialSummary, 'state' | 'failure'>[]): TrialCounts {
  const counts = { total: trials.length, done: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, running: 0, requested: 0 };
  for (const trial of trials) {
    if (trial.state === 'SUCCEEDED') counts.succeeded += 1;
    else if (trial.state === 'REQUESTED') counts.requested += 1;
    else if (trial.state === 'ACTIVE' || trial.state === 'STOPPING') counts.running += 1;
    else if (countsAsFailed(trial)) counts.failed += 1;
    else if (trial.failure?.kind === 'interrupted') counts.interrupted += 1;
    else counts.cancelled += 1;
  }
  counts.done = counts.succeeded + counts.failed;
  return counts;
}

/**
 * `27 succeeded, 0 failed, 2 cancelled, 29 trials`: {@link TrialCounts} in the words every summary
 * uses (the CLI, the HTML report, the dashboard); cancelled, interrupted, running and queued trials
 * are named only when there are some, and never counted as failed.
 */
export function describeTrialCounts(counts: TrialCounts): string {
  const parts = [`${counts.succeeded} succeeded`, `${counts.failed} failed`];
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  if (counts.interrupted > 0) parts.push(`${counts.interrupted} interrupted`);
  if (counts.running > 0) parts.push(`${counts.running} running`);
  if (counts.requested > 0) parts.push(`${counts.requested} queued`);
  return `${parts.join(', ')}, ${counts.total} trials`;
}
