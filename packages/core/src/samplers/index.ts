import { ValidationError } from '../errors.js';
import type { SearchSpace } from '../space/types.js';
import { createGridSampler } from './grid.js';
import { createRandomSampler } from './random.js';
import type { Sampler, SearchAlgorithm } from './types.js';

export { GRID_TAKEN_STATES, createGridSampler, type GridSamplerOptions } from './grid.js';
export { createRandomSampler, type RandomSamplerOptions } from './random.js';
export type { Sampler, SearchAlgorithm } from './types.js';

/** The algorithms {@link createSampler} knows, in the order the CLI lists them. */
export const SEARCH_ALGORITHMS: readonly SearchAlgorithm[] = ['grid', 'random'];

/** Options of {@link createSampler}. */
export interface CreateSamplerOptions {
  readonly algorithm: SearchAlgorithm;
  readonly space: SearchSpace;
  /** The study's seed (any safe integer); grid search ignores it. @default 0 */
  readonly seed?: number;
}

/**
 * The sampler for a study's algorithm, after checking the space for it (grid: no `double` parameter).
 * @throws ValidationError for an unknown algorithm, a bad seed or a space the algorithm cannot search.
 */
export function createSampler(options: CreateSamplerOptions): Sampler {
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new ValidationError({ field: 'seed', value: options.seed, problem: 'is not a whole number', fix: 'give an integer seed such as 42' });
  }
  switch (options.algorithm) {
    case 'grid':
      return createGridSampler({ space: options.space });
    case 'random':
      return createRandomSampler({ space: options.space, seed });
    default:
      throw new ValidationError({
        field: 'algorithm',
        value: options.algorithm,
        problem: 'is not a search algorithm hptune runs locally',
        fix: `use ${SEARCH_ALGORITHMS.map((algorithm) => JSON.stringify(algorithm)).join(' or ')}`,
      });
  }
}
