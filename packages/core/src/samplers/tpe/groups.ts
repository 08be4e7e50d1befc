import type { ParameterSpec, ParameterSpecs, ParameterValue } from '../../space/types.js';
import { dimensionOf, type Dimension } from './dimensions.js';

/**
 * Parameters that are always active together: the top-level ones, or the children of one
 * condition. TPE models each group jointly, over the trials in which it was active.
 */
export interface ParameterGroup {
  readonly dimensions: readonly Dimension[];
  readonly specs: readonly ParameterSpec[];
  /** The groups a member activates: `parent` is the member's index, active when it takes one of `parentValues`. */
  readonly children: readonly { readonly parent: number; readonly parentValues: readonly ParameterValue[]; readonly group: ParameterGroup }[];
}

/** The group of `specs` and, below it, the groups of their conditions. */
export function parameterGroup(specs: ParameterSpecs): ParameterGroup {
  const entries = Object.entries(specs);
  return {
    dimensions: entries.map(([id, spec]) => dimensionOf(id, spec)),
    specs: entries.map(([, spec]) => spec),
    children: entries.flatMap(([, spec], parent) =>
      (spec.conditions ?? []).map((condition) => ({ parent, parentValues: condition.parentValues, group: parameterGroup(condition.parameters) })),
    ),
  };
}
