import type { EarlyStoppingSpec } from '@hptune/core';

/**
 * One line describing a study's early-stopping settings as stored: `null` when there are none;
 * else the rule's kind followed by its scalar settings, e.g. `asha (minStep 1, maxStep 9, reductionFactor 3)`.
 */
export function describeEarlyStopping(spec: EarlyStoppingSpec | undefined): string | null {
  if (spec === undefined) return null;
  const settings = Object.entries(spec)
    .filter(([key, value]) => key !== 'kind' && ['number', 'string', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key} ${String(value)}`);
  return settings.length > 0 ? `${spec.kind} (${settings.join(', ')})` : spec.kind;
}
