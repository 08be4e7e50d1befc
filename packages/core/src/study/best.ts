import type { Measurement, MetricSpec, TrialSummary } from './types.js';

/** The final value of the study's metric for a trial, when it SUCCEEDED and reported one. */
export function finalMetricValue(trial: Pick<TrialSummary, 'state' | 'finalMeasurement'>, metric: MetricSpec): number | undefined {
  if (trial.state !== 'SUCCEEDED') return undefined;
  const value = trial.finalMeasurement?.metrics[metric.id];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The best trial: the SUCCEEDED one whose final measurement has the highest (maximize) or lowest
 * (minimize) value of the metric; on a tie, the earliest trial. `undefined` when none succeeded.
 */
export function bestTrial<T extends TrialSummary>(trials: readonly T[], metric: MetricSpec): T | undefined {
  let best: T | undefined;
  let bestValue = 0;
  for (const trial of trials) {
    const value = finalMetricValue(trial, metric);
    if (value === undefined) continue;
    if (best === undefined || (metric.goal === 'maximize' ? value > bestValue : value < bestValue)) {
      best = trial;
      bestValue = value;
    }
  }
  return best;
}

/**
 * Whether a trial counts towards the study's limits and is shown to its sampler. Trials that were
 * cancelled, or interrupted by a coordinator's death, say nothing about their parameters: their
 * parameters are run again, so they count as if they never ran.
 */
export function countsForSearch(trial: Pick<TrialSummary, 'state' | 'failure'>): boolean {
  return !(trial.state === 'INFEASIBLE' && (trial.failure?.kind === 'cancelled' || trial.failure?.kind === 'interrupted'));
}

/** Whether a trial failed in a way that counts towards `maxFailedTrials`. */
export function countsAsFailed(trial: Pick<TrialSummary, 'state' | 'failure'>): boolean {
  return trial.state === 'INFEASIBLE' && countsForSearch(trial);
}

/**
 * The measurement with the best value of the metric (highest for `maximize`, lowest for
 * `minimize`; the earliest on a tie), as Vertex AI's `BEST_MEASUREMENT` chooses a trial's final
 * measurement; `undefined` when none has a finite value of the metric.
 */
export function bestMeasurement(measurements: readonly Measurement[], metric: MetricSpec): Measurement | undefined {
  let best: Measurement | undefined;
  let bestValue = 0;
  for (const measurement of measurements) {
    const value = measurement.metrics[metric.id];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (best === undefined || (metric.goal === 'maximize' ? value > bestValue : value < bestValue)) {
      best = measurement;
      bestValue = value;
    }
  }
  return best;
}
