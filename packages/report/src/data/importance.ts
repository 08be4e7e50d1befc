import type { ParameterValue } from '@hptune/core';
import type { ParameterImportance, ReportParameter } from './types.js';

/** Most groups a continuous parameter is cut into (quantile bins). */
export const MAX_IMPORTANCE_BINS = 10;

/** One finished trial as the importance sees it: its parameters and its metric value. */
export interface ImportanceSample {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly value: number;
}

/** The importances, or why there are none. */
export type ImportanceResult =
  | { readonly importance: readonly ParameterImportance[]; readonly note: null }
  | { readonly importance: readonly []; readonly note: string };

/**
 * Parameter importance by first-order variance decomposition (a one-way ANOVA per parameter).
 *
 * For each parameter, the finished trials that took it are grouped by its value (a categorical or
 * a parameter with at most {@link MAX_IMPORTANCE_BINS} distinct values), or by quantile bins of
 * about equal counts (a continuous one). The parameter's `explained` variance is epsilon squared,
 * `(SS_between - (k - 1) MS_within) / SS_total`, clipped at 0: the fraction of the metric's variance
 * its value alone accounts for, corrected for the variance k groups of pure noise would explain.
 * On a full grid this is the main-effect share of a classical ANOVA; on random search a binned
 * estimate of the first-order Sobol index. `share` normalises the parameters to add up to 1, as
 * Optuna's importance plot does. Interactions are attributed to no parameter.
 */
export function parameterImportance(parameters: readonly ReportParameter[], samples: readonly ImportanceSample[]): ImportanceResult {
  if (samples.length < 3) {
    return { importance: [], note: `needs at least 3 finished trials with a value (has ${samples.length})` };
  }
  const mean = average(samples.map((sample) => sample.value));
  if (samples.every((sample) => sample.value === mean)) {
    return { importance: [], note: 'every finished trial has the same value: no parameter changes it' };
  }
  const raw = parameters.map((parameter) => explainedVariance(parameter, samples));
  const total = raw.reduce((sum, entry) => sum + entry.explained, 0);
  const importance = raw
    .map((entry) => ({ ...entry, share: total > 0 ? entry.explained / total : 0 }))
    .sort((a, b) => b.share - a.share || a.id.localeCompare(b.id));
  return { importance, note: null };
}

function explainedVariance(parameter: ReportParameter, samples: readonly ImportanceSample[]): Omit<ParameterImportance, 'share'> {
  const taken = samples.filter((sample) => sample.parameters[parameter.id] !== undefined);
  const groups = groupsOf(parameter, taken);
  const values = taken.map((sample) => sample.value);
  const mean = average(values);
  const total = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  const between = groups.reduce((sum, group) => sum + group.length * (average(group) - mean) ** 2, 0);
  const k = groups.length;
  const n = taken.length;
  if (k < 2 || total === 0 || n <= k) return { id: parameter.id, explained: 0, trials: n, groups: k };
  const withinMeanSquare = (total - between) / (n - k);
  const explained = Math.min(1, Math.max(0, (between - (k - 1) * withinMeanSquare) / total));
  return { id: parameter.id, explained, trials: n, groups: k };
}

/** The metric values grouped by the parameter's value, or by quantile bin of a continuous parameter. */
function groupsOf(parameter: ReportParameter, samples: readonly ImportanceSample[]): number[][] {
  const byValue = new Map<ParameterValue, number[]>();
  for (const sample of samples) {
    const key = sample.parameters[parameter.id] as ParameterValue;
    const group = byValue.get(key);
    if (group) group.push(sample.value);
    else byValue.set(key, [sample.value]);
  }
  if (parameter.kind === 'categorical' || byValue.size <= MAX_IMPORTANCE_BINS) return [...byValue.values()];
  const sorted = [...samples].sort((a, b) => Number(a.parameters[parameter.id]) - Number(b.parameters[parameter.id]));
  const bins = Math.min(MAX_IMPORTANCE_BINS, Math.max(2, Math.floor(Math.sqrt(sorted.length))));
  const groups: number[][] = Array.from({ length: bins }, () => []);
  sorted.forEach((sample, index) => groups[Math.floor((index * bins) / sorted.length)]?.push(sample.value));
  return groups.filter((group) => group.length > 0);
}

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
