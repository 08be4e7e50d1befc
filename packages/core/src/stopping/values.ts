/** Reading metric values off trials, as every rule needs them. */
import type { FrozenTrial, Measurement, MetricSpec } from '../study/types.js';

/** The metric's value in a measurement, when it is a finite number. */
export function metricValue(measurement: Measurement | undefined, metric: MetricSpec): number | undefined {
  const value = measurement?.metrics[metric.id];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The trial's value at exactly `step` (its last report at that step), if it reported one. */
export function valueAtStep(trial: FrozenTrial, step: number, metric: MetricSpec): number | undefined {
  let found: number | undefined;
  for (const measurement of trial.measurements) {
    if (measurement.step !== step) continue;
    found = metricValue(measurement, metric) ?? found;
  }
  return found;
}

/** The trial's value at its first report at `step` or later: what it had when it reached that step. */
export function valueReaching(trial: FrozenTrial, step: number, metric: MetricSpec): number | undefined {
  for (const measurement of trial.measurements) {
    if (measurement.step < step) continue;
    const value = metricValue(measurement, metric);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Whether `a` is strictly worse than `b` for the metric's goal. */
export function worse(a: number, b: number, metric: MetricSpec): boolean {
  return metric.goal === 'maximize' ? a < b : a > b;
}

/** Sorts values best first for the metric's goal (a copy). */
export function bestFirst(values: readonly number[], metric: MetricSpec): number[] {
  return [...values].sort((a, b) => (metric.goal === 'maximize' ? b - a : a - b));
}

/** A trial that ran to its own end: SUCCEEDED and not stopped by a rule. Only such curves say what a full run reaches. */
export function ranToEnd(trial: FrozenTrial): boolean {
  return trial.state === 'SUCCEEDED' && trial.stoppedEarly !== true;
}

/** The newest measurement and its metric value, or `undefined` when there is nothing to judge. */
export function newest(trial: FrozenTrial, metric: MetricSpec): { readonly step: number; readonly value: number } | undefined {
  const last = trial.measurements.at(-1);
  const value = metricValue(last, metric);
  return last === undefined || value === undefined ? undefined : { step: last.step, value };
}
