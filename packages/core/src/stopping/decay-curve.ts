import { finalMetricValue } from '../study/best.js';
import { onlyKnown, wholeNumber } from './check.js';
import type { DecayCurveStoppingSpec, StoppingRule } from './types.js';
import { metricValue, newest, ranToEnd, valueAtStep, worse } from './values.js';

/** Options of {@link decayCurve}. */
export interface DecayCurveOptions {
  /** Trials that must have run to their end before any trial is stopped; their curves are the model. @default 3 */
  readonly startupTrials?: number;
}

/** {@link decayCurve}'s default start-up trials. */
export const DEFAULT_DECAY_CURVE_STARTUP_TRIALS = 3;

/**
 * Stops a trial whose predicted final value cannot beat the best final value so far. Locally the
 * prediction is empirical: once `startupTrials` trials have run to their end, a trial at step `s`
 * with value `v` is predicted to end at `v` plus the largest gain (for `maximize`; the largest drop
 * for `minimize`) that any of those trials made from its own value at step `s` to its final value;
 * it is stopped when even that is strictly worse than the best final value of every SUCCEEDED trial.
 * Trials whose curves end at or before `s` say nothing about what follows `s` and are left out.
 *
 * On Vertex AI, `decayCurve()` sets the study's `decayCurveStoppingSpec`: Vizier fits a Gaussian
 * process to the completed trials' curves instead; `startupTrials` is then not sent (hptune cannot set it).
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#decaycurveautomatedstoppingspec
 * @throws ValidationError for a `startupTrials` that is not a whole number of at least 1.
 */
export function decayCurve(options: DecayCurveOptions = {}): StoppingRule {
  onlyKnown('decayCurve', options, ['startupTrials']);
  const spec: DecayCurveStoppingSpec = {
    kind: 'decay-curve',
    startupTrials: wholeNumber('decayCurve.startupTrials', options.startupTrials, 1, DEFAULT_DECAY_CURVE_STARTUP_TRIALS, 'give how many trials run to their end first, e.g. 3'),
  };
  return {
    spec,
    decide({ trial, others, metric }) {
      const current = newest(trial, metric);
      if (!current) return { stop: false };
      const finished = others.filter(ranToEnd);
      if (finished.length < spec.startupTrials) return { stop: false };
      const gains = finished.flatMap((other) => {
        const final = finalMetricValue(other, metric);
        const then = valueAtStep(other, current.step, metric);
        const end = other.finalMeasurement?.step;
        return final === undefined || then === undefined || end === undefined || end <= current.step ? [] : [final - then];
      });
      if (gains.length === 0) return { stop: false };
      const predicted = current.value + (metric.goal === 'maximize' ? Math.max(...gains) : Math.min(...gains));
      const finals = others.flatMap((other) => (other.state === 'SUCCEEDED' ? (metricValue(other.finalMeasurement, metric) ?? []) : []));
      const best = finals.reduce((a, b) => (worse(a, b, metric) ? b : a));
      if (!worse(predicted, best, metric)) return { stop: false };
      return {
        stop: true,
        reason: `predicted final ${metric.id} ${predicted} (best gain after step ${current.step} of ${gains.length} finished trials) cannot beat the best ${best}`,
      };
    },
  };
}
