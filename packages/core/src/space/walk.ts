import type { ParameterSpec, ParameterSpecs, ParameterValue } from './types.js';
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

/** The values of a finite spec, in grid order: declared order, or ascending for an integer range. */
export function* finiteValues(spec: Exclude<ParameterSpec, { kind: 'double' }>): Generator<ParameterValue> {
  if (spec.kind === 'integer') {
    for (let value = spec.min; value <= spec.max; value += 1) yield value;
  } else {
    yield* spec.values;
  }
}
