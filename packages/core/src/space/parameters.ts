import { ValidationError } from '../errors.js';
import type { ParametersOf } from './builder.js';
import type { ParameterSpec, ParameterValue, SearchSpace } from './types.js';
import { sameValue } from './validate.js';
import { assignActive } from './walk.js';

/** Options of {@link validateParameters}. */
export interface ValidateParametersOptions {
  /** The field path errors start with, e.g. `trials[3].parameters`. @default 'parameters' */
  readonly field?: string;
}

/**
 * Checks one trial's parameters against the space and returns them typed: every top-level
 * parameter present, each conditional child present exactly when its parent's value activates it,
 * no other key, and every value one the spec can take (categorical and discrete: a listed value;
 * integer: a whole number in `[min, max]`; double: a finite number in `[min, max]`).
 * Used when reading trials back from a store or from Vertex.
 * @throws ValidationError naming the parameter (e.g. `parameters.batch_size`), its value and the fix.
 */
export function validateParameters<S extends SearchSpace>(
  space: S,
  parameters: unknown,
  options: ValidateParametersOptions = {},
): ParametersOf<S> {
  const field = options.field ?? 'parameters';
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new ValidationError({ field, value: parameters, problem: 'is not an object of parameter values by id', fix: 'pass { id: value, ... }' });
  }
  const given = parameters as Record<string, unknown>;
  const active = assignActive(space.parameters, (id, spec) => {
    const value = given[id];
    if (!Object.hasOwn(given, id) || value === undefined) {
      throw new ValidationError({ field: `${field}.${id}`, value, problem: 'is missing', fix: `give ${id} ${describe(spec)}` });
    }
    if (!canTake(spec, value)) {
      throw new ValidationError({ field: `${field}.${id}`, value, problem: 'is not a value of this parameter', fix: `give ${id} ${describe(spec)}` });
    }
    return value;
  });
  const expected = new Set(Object.keys(active));
  for (const id of Object.keys(given)) {
    if (!expected.has(id)) {
      throw new ValidationError({
        field: `${field}.${id}`,
        value: given[id],
        problem: 'is not a parameter of the search space, or is a conditional parameter its parent does not activate here',
        fix: 'remove it',
      });
    }
  }
  return parameters as ParametersOf<S>;
}

function canTake(spec: ParameterSpec, value: unknown): value is ParameterValue {
  switch (spec.kind) {
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max;
    case 'integer':
      return Number.isSafeInteger(value) && (value as number) >= spec.min && (value as number) <= spec.max;
    case 'discrete':
      return typeof value === 'number' && spec.values.some((candidate) => sameValue(candidate, value));
    case 'categorical':
      return typeof value === 'string' && spec.values.includes(value);
  }
}

function describe(spec: ParameterSpec): string {
  switch (spec.kind) {
    case 'double':
      return `a number from ${spec.min} to ${spec.max}`;
    case 'integer':
      return `a whole number from ${spec.min} to ${spec.max}`;
    case 'discrete':
    case 'categorical':
      return `one of ${spec.values.map((value) => JSON.stringify(value)).join(', ')}`;
  }
}
