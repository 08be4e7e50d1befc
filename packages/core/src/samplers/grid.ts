import type { FrozenTrial, TrialState } from '../study/types.js';
import { combinationKey, enumerateGrid } from '../space/grid.js';
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

/** Options of {@link createGridSampler}. */
export interface GridSamplerOptions {
  /** The space to enumerate; no `double` parameters. */
  readonly space: SearchSpace;
}

/**
 * Grid search: suggests the first combination, in `enumerateGrid` order, that no trial in a
 * {@link GRID_TAKEN_STATES} state holds, and `undefined` once every combination is taken. Because it
 * decides from the trials alone, a resumed study never runs a combination twice to completion.
 * @throws ValidationError when the space cannot be searched by grid.
 */
export function createGridSampler(options: GridSamplerOptions): Sampler {
  const space = checkSearchSpace(options.space, { algorithm: 'grid' });
  return {
    algorithm: 'grid',
    suggest(trials: readonly FrozenTrial[]): TrialParameters | undefined {
      const taken = new Set<string>();
      for (const trial of trials) {
        if (GRID_TAKEN_STATES.includes(trial.state)) taken.add(combinationKey(trial.parameters));
      }
      for (const combination of enumerateGrid(space)) {
        if (!taken.has(combinationKey(combination))) return combination;
      }
      return undefined;
    },
  };
}
