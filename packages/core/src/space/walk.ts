import type { ParameterSpec, ParameterSpecs, ParameterValue, TrialParameters } from './types.js';
import { sameValue } from './validate.js';

/** One parameter spec with its id: the unit grid enumeration and sampling work through, in order. */
export type SpecEntry = readonly [id: string, spec: ParameterSpec];

/** The entries of a specs record, in declaration order. */
export function entriesOf(specs: ParameterSpecs): SpecEntry[] {
  return Object.entries(specs);
}

/**
 * The child parameters active when the spec takes `value`: the children of every condition that
 * lists `value`, in condition order then declaration order.
 */
export function activeChildren(spec: ParameterSpec, value: ParameterValue): SpecEntry[] {
  const children: SpecEntry[] = [];
  for (const condition of spec.conditions ?? []) {
    if (condition.parentValues.some((parentValue) => sameValue(parentValue, value))) {
      children.push(...entriesOf(condition.parameters));
    }
  }
  return children;
}

/**
 * One combination: each parameter's value from `valueOf`, visited depth-first (a parameter's active
 * children right after it, before its next sibling), so only active parameters are asked for and
 * the keys come in grid order.
 */
export function assignActive(specs: ParameterSpecs, valueOf: (id: string, spec: ParameterSpec) => ParameterValue): TrialParameters {
  const parameters: Record<string, ParameterValue> = {};
  const pending: SpecEntry[] = entriesOf(specs);
  for (let entry = pending.shift(); entry !== undefined; entry = pending.shift()) {
    const [id, spec] = entry;
    const value = valueOf(id, spec);
    parameters[id] = value;
    pending.unshift(...activeChildren(spec, value));
  }
  return parameters;
}

/** The values of a finite spec, in grid order: declared order, or ascending for an integer range. */
export function* finiteValues(spec: Exclude<ParameterSpec, { kind: 'double' }>): Generator<ParameterValue> {
  if (spec.kind === 'integer') {
    for (let value = spec.min; value <= spec.max; value += 1) yield value;
  } else {
    yield* spec.values;
  }
}
