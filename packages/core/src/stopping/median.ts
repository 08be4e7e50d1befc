import { onlyKnown, wholeNumber } from './check.js';
import type { MedianStoppingSpec, StoppingRule } from './types.js';
import { newest, ranToEnd, valueAtStep, worse } from './values.js';

/** Options of {@link median}. */
export interface MedianOptions {
  /** Trials that must have run to their end before any trial is stopped (Optuna's `n_startup_trials`). @default 5 */
  readonly startupTrials?: number;
  /** A trial is judged only at steps of at least this (Optuna's `n_warmup_steps`). @default 0 */
  readonly warmupSteps?: number;
}

/** {@link median}'s default start-up trials. */
export const DEFAULT_MEDIAN_STARTUP_TRIALS = 5;

/**
 * The median rule (Optuna's `MedianPruner`): once `startupTrials` trials have run to their end, a
 * trial that reports step `s >= warmupSteps` is stopped when its best value so far is strictly worse
 * than the median of the values those trials reported at step `s` (trials that lack step `s` are
 * left out; with none, it goes on). Trials stopped early are never part of the median.
 *
 * Vertex AI's median rule differs: it compares the trial's best value with the median of the
 * completed trials' running averages up to the trial's last measurement, and hptune cannot set its
 * start-up or warm-up, so on Vertex AI `median()` takes no options.
 * @see https://optuna.readthedocs.io/en/stable/reference/generated/optuna.pruners.MedianPruner.html
 * @throws ValidationError for a setting that is not a whole number of at least 0.
 */
export function median(options: MedianOptions = {}): StoppingRule {
  onlyKnown('median', options, ['startupTrials', 'warmupSteps']);
  const spec: MedianStoppingSpec = {
    kind: 'median',
    startupTrials: wholeNumber('median.startupTrials', options.startupTrials, 0, DEFAULT_MEDIAN_STARTUP_TRIALS, 'give how many trials run to their end first, e.g. 5'),
    warmupSteps: wholeNumber('median.warmupSteps', options.warmupSteps, 0, 0, 'give the first step at which trials are judged, e.g. 1'),
  };
  return {
    spec,
    decide({ trial, others, metric }) {
      const current = newest(trial, metric);
      if (!current || current.step < spec.warmupSteps) return { stop: false };
      const finished = others.filter(ranToEnd);
      if (finished.length < spec.startupTrials || finished.length === 0) return { stop: false };
      const reference = finished.flatMap((other) => valueAtStep(other, current.step, metric) ?? []);
      if (reference.length === 0) return { stop: false };
      const middle = medianOf(reference);
      let best = current.value;
      for (const measurement of trial.measurements) {
        const value = measurement.metrics[metric.id];
        if (typeof value === 'number' && Number.isFinite(value) && worse(best, value, metric)) best = value;
      }
      if (!worse(best, middle, metric)) return { stop: false };
      return {
        stop: true,
        reason: `best ${metric.id} so far ${best} is worse than the median ${middle} of ${reference.length} finished trials at step ${current.step}`,
      };
    },
  };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
