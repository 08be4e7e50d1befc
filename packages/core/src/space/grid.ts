import type { ParameterSpec, ParameterValue, SearchSpace, TrialParameters } from './types.js';
import { checkSearchSpace } from './checked.js';
import { sameValue } from './validate.js';
import { activeChildren, entriesOf, finiteValues, type SpecEntry } from './walk.js';

/**
 * The number of parameter combinations grid search visits: the product over top-level parameters of
 * each one's count, where a value with conditional children counts as the number of combinations of
 * those children. 27 for the example space (and the seed study's).
 * @throws ValidationError when the space has a `double` parameter (or is otherwise invalid).
 */
export function gridSize(space: SearchSpace): number {
  return countEntries(entriesOf(checkSearchSpace(space, { algorithm: 'grid' }).parameters));
}

function countEntries(entries: readonly SpecEntry[]): number {
  return entries.reduce((product, [, spec]) => product * countSpec(spec), 1);
}

function countSpec(spec: ParameterSpec): number {
  if (spec.kind === 'double') return Number.POSITIVE_INFINITY;
  const total = spec.kind === 'integer' ? spec.max - spec.min + 1 : spec.values.length;
  // Only values that some condition names can count for more than one; walk those, not a wide integer range.
  const conditioned: ParameterValue[] = [];
  for (const condition of spec.conditions ?? []) {
    for (const value of condition.parentValues) {
      if (!conditioned.some((seen) => sameValue(seen, value))) conditioned.push(value);
    }
  }
  const conditionedCount = conditioned.reduce<number>((sum, value) => sum + countEntries(activeChildren(spec, value)), 0);
  return total - conditioned.length + conditionedCount;
}

/**
 * Every parameter combination of the space, lazily, in a stable order: the first parameter varies
 * slowest, values in declared order (integers ascending), and a parameter's conditional children
 * are expanded right after it, only under the values that activate them. Each combination lists
 * exactly the parameters active in it, keys in that same order.
 * @example [...enumerateGrid(exampleSpace)][0] // { activation: 'relu', optimizer: 'sgd', batch_size: 32 }
 * @throws ValidationError when the space has a `double` parameter (or is otherwise invalid).
 */
export function* enumerateGrid(space: SearchSpace): Generator<TrialParameters, void, undefined> {
  yield* expand(entriesOf(checkSearchSpace(space, { algorithm: 'grid' }).parameters));
}

function* expand(entries: readonly SpecEntry[]): Generator<Record<string, ParameterValue>, void, undefined> {
  const [first, ...rest] = entries;
  if (first === undefined) {
    yield {};
    return;
  }
  const [id, spec] = first;
  if (spec.kind === 'double') return;
  for (const value of finiteValues(spec)) {
    for (const tail of expand([...activeChildren(spec, value), ...rest])) {
      yield { [id]: value, ...tail };
    }
  }
}

/**
 * A key that identifies a parameter combination regardless of key order, for telling whether two
 * trials ran the same combination.
 */
export function combinationKey(parameters: TrialParameters): string {
  return JSON.stringify(Object.keys(parameters).sort().map((id) => [id, parameters[id]]));
}
