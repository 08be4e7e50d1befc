import type { ParameterSpecs, SearchSpace } from './types.js';
import { validateSearchSpace, type ValidateSearchSpaceOptions } from './validate.js';

declare const checkedBrand: unique symbol;

/**
 * A search space that has passed {@link validateSearchSpace} and been frozen (a deep copy), so
 * nothing can make it invalid afterwards: what `searchSpace()` and `searchSpaceFromJSON` return,
 * and what a launch hands its backend. Checking it again costs a lookup, not a walk of the space:
 * a launch validates its space once however many steps look at it.
 */
export type CheckedSearchSpace<S extends SearchSpace = SearchSpace> = S & { readonly [checkedBrand]: true };

/** The spaces {@link checkSearchSpace} made, each with whether grid search can run it (no `double` at any depth). */
const CHECKED = new WeakMap<object, { readonly gridSearchable: boolean }>();

/**
 * `space` checked by {@link validateSearchSpace} with `options`, as a {@link CheckedSearchSpace}:
 * the space itself when it is one already (and meets the algorithm's rules), else a validated,
 * deep-frozen copy. Every check inside core goes through here, so a space is walked once.
 * @throws ValidationError as `validateSearchSpace`.
 */
export function checkSearchSpace<S extends SearchSpace>(space: S, options: ValidateSearchSpaceOptions = {}): CheckedSearchSpace<S> {
  const known = typeof space === 'object' && space !== null ? CHECKED.get(space) : undefined;
  if (known !== undefined && (options.algorithm !== 'grid' || known.gridSearchable)) return space as CheckedSearchSpace<S>;
  validateSearchSpace(space, options);
  const copy = deepFreeze(structuredClone(space));
  CHECKED.set(copy, { gridSearchable: options.algorithm === 'grid' || !hasDouble(copy.parameters) });
  return copy as CheckedSearchSpace<S>;
}

function hasDouble(specs: ParameterSpecs): boolean {
  return Object.values(specs).some((spec) => spec.kind === 'double' || (spec.conditions ?? []).some((condition) => hasDouble(condition.parameters)));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
