import type { ParameterValue } from '../../space/types.js';
import { finalMetricValue } from '../../study/best.js';
import type { FrozenTrial, MetricSpec } from '../../study/types.js';
import type { ParameterGroup } from './groups.js';
import type { Point } from './parzen.js';

/** The trials in which a group was active, split into the good (`below`) and the rest (`above`). */
export interface GroupObservations {
  /** The points of the best trials: the first `ceil(gamma * n)` of the `n` that reported the metric, at most `maxBelow`. */
  readonly below: readonly Point[];
  /** Every other trial: the rest of those that reported, the failed ones, and those still running. */
  readonly above: readonly Point[];
}

/** How {@link splitObservations} splits. */
export interface SplitSettings {
  readonly metric: MetricSpec;
  /** The share of trials that counts as good. */
  readonly gamma: number;
  /** The most trials that count as good. */
  readonly maxBelow: number;
}

/**
 * Splits the trials in which `group` was active (those carrying all its parameters, with values
 * it can take), best first by the metric's goal, ties to the earlier trial. Failed trials and
 * SUCCEEDED ones without the metric go above: the model learns to avoid where trials crash. Trials
 * still running go above too (a constant liar: they count as bad until they finish), so parallel
 * workers are steered away from what the others are running.
 */
export function splitObservations(group: ParameterGroup, trials: readonly FrozenTrial[], settings: SplitSettings): GroupObservations {
  const valued: { point: Point; score: number }[] = [];
  const rest: Point[] = [];
  for (const trial of trials) {
    const point = pointOf(group, trial.parameters);
    if (point === undefined) continue;
    const value = finalMetricValue(trial, settings.metric);
    if (value === undefined) rest.push(point);
    else valued.push({ point, score: settings.metric.goal === 'maximize' ? -value : value });
  }
  // A stable sort keeps trial order among equal scores.
  valued.sort((a, b) => a.score - b.score);
  const belowCount = Math.min(Math.ceil(settings.gamma * valued.length), settings.maxBelow);
  return {
    below: valued.slice(0, belowCount).map(({ point }) => point),
    above: [...valued.slice(belowCount).map(({ point }) => point), ...rest],
  };
}

/** A trial's point in a group, or `undefined` when the group was not active in it (or a value is foreign). */
function pointOf(group: ParameterGroup, parameters: Readonly<Record<string, ParameterValue>>): Point | undefined {
  const point: number[] = [];
  for (const dimension of group.dimensions) {
    if (!Object.hasOwn(parameters, dimension.id)) return undefined;
    const position = dimension.position(parameters[dimension.id] as ParameterValue);
    if (position === undefined) return undefined;
    point.push(position);
  }
  return point;
}
