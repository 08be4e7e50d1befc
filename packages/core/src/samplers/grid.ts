import type { FrozenTrial, TrialState } from '../study/types.js';
import { ValidationError } from '../errors.js';
import { combinationKey, enumerateGrid, gridSize } from '../space/grid.js';
import { createRandom } from '../space/random.js';
import type { SearchSpace, TrialParameters } from '../space/types.js';
import { checkSearchSpace } from '../space/checked.js';
import type { Sampler } from './types.js';

/**
 * The trial states that take a grid combination: it is running, about to run, or done, failed
 * included (as on Vertex AI: a combination that crashes once would most likely crash again, and
 * retrying it would spend the budget meant for the rest of the grid). Trials that were cancelled
 * or interrupted by a dying coordinator are not shown to the sampler at all, so they run again.
 */
export const GRID_TAKEN_STATES: readonly TrialState[] = ['REQUESTED', 'ACTIVE', 'STOPPING', 'SUCCEEDED', 'INFEASIBLE'];

/** The most combinations a `shuffled` grid takes: its order is held in memory. */
const SHUFFLED_GRID_LIMIT = 1_000_000;

/** Options of {@link createGridSampler}. */
export interface GridSamplerOptions {
  /** The space to enumerate; no `double` parameters. */
  readonly space: SearchSpace;
  /**
   * The order combinations are visited in: `enumeration` (`enumerateGrid`'s: the first parameter
   * changes slowest), or `shuffled`, a permutation of it drawn from `seed`. @default 'enumeration'
   */
  readonly order?: 'enumeration' | 'shuffled';
  /** The seed of the `shuffled` order (any safe integer). @default 0 */
  readonly seed?: number;
}

/**
 * Grid search: suggests the first combination, in its order, that no trial in a
 * {@link GRID_TAKEN_STATES} state holds, and `undefined` once every combination is taken. Because it
 * decides from the trials alone (and the shuffled order from the seed alone), a resumed study never
 * runs a combination twice to completion.
 *
 * The shuffled order matters with early stopping: ASHA judges each trial against those that reached
 * its rung before it, so the first arrivals go on easily. In enumeration order the first arrivals
 * share their first parameter's value (every `relu` trial before any `softmax` one), and how many
 * trials a rung promotes depends on that value; in an order drawn at random it promotes, on average,
 * the share synchronous successive halving would (Optuna's `GridSampler` visits its grid at random too).
 * @throws ValidationError when the space cannot be searched by grid.
 */
export function createGridSampler(options: GridSamplerOptions): Sampler {
  const space = checkSearchSpace(options.space, { algorithm: 'grid' });
  const shuffled = options.order === 'shuffled';
  if (shuffled && gridSize(space) > SHUFFLED_GRID_LIMIT) {
    throw new ValidationError({
      field: 'algorithm',
      value: 'shuffled-grid',
      problem: `cannot shuffle a grid of ${gridSize(space)} combinations (it holds the whole order in memory, at most ${SHUFFLED_GRID_LIMIT})`,
      fix: 'use "grid", or "random" for a space this large',
    });
  }
  let visitOrder: readonly TrialParameters[] | undefined;
  const combinations = (): Iterable<TrialParameters> => (shuffled ? (visitOrder ??= shuffle([...enumerateGrid(space)], options.seed ?? 0)) : enumerateGrid(space));
  return {
    algorithm: shuffled ? 'shuffled-grid' : 'grid',
    suggest(trials: readonly FrozenTrial[]): TrialParameters | undefined {
      const taken = new Set<string>();
      for (const trial of trials) {
        if (GRID_TAKEN_STATES.includes(trial.state)) taken.add(combinationKey(trial.parameters));
      }
      for (const combination of combinations()) {
        if (!taken.has(combinationKey(combination))) return combination;
      }
      return undefined;
    },
  };
}

/** Fisher-Yates with the study's seeded generator: the same seed, the same order. */
function shuffle<T>(items: T[], seed: number): T[] {
  const random = createRandom(seed);
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.nextIndex(index + 1);
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}
