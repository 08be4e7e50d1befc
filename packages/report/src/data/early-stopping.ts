import type { FrozenTrial } from '@hptune/core';

// Early stopping (issue 12) adds `FrozenTrial.stoppedEarly` and `StudyDefinition.earlyStopping`.
// Both are read here, and only here, through a narrow view, so this package compiles with and
// without them; once they are in core's types, read `trial.stoppedEarly` directly.

/** Whether an early-stopping rule ended this trial (`FrozenTrial.stoppedEarly`, when the store records it). */
export function stoppedEarly(trial: FrozenTrial): boolean {
  return (trial as FrozenTrial & { readonly stoppedEarly?: unknown }).stoppedEarly === true;
}

/** Keys that name a rule in a stored early-stopping setting, in the order they are tried. */
const NAME_KEYS = ['rule', 'type', 'kind', 'name'] as const;

/**
 * One line describing a stored early-stopping setting, whatever its shape: `null` when there is
 * none; its name (`rule`, `type`, `kind` or `name`) followed by its scalar settings, e.g.
 * `median (warmupSteps 2, minTrials 5)`; or its JSON when it has no name.
 */
export function describeEarlyStopping(setting: unknown): string | null {
  if (setting === undefined || setting === null || setting === false) return null;
  if (typeof setting !== 'object') return String(setting);
  const record = setting as Record<string, unknown>;
  const name = NAME_KEYS.map((key) => record[key]).find((value): value is string => typeof value === 'string');
  if (name === undefined) return JSON.stringify(setting);
  const settings = Object.entries(record)
    .filter(([key, value]) => !(NAME_KEYS as readonly string[]).includes(key) && ['number', 'string', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key} ${String(value)}`);
  return settings.length > 0 ? `${name} (${settings.join(', ')})` : name;
}
