import { ValidationError } from '../errors.js';
import type { SearchSpace } from '../space/types.js';
import { validateMetric } from '../study/validate.js';
import type { MetricSpec } from '../study/types.js';
import { ALGORITHM_BACKENDS, SEARCH_ALGORITHMS, isSearchAlgorithm, type SearchAlgorithm } from '../algorithms.js';
import { createGridSampler } from './grid.js';
import { createRandomSampler } from './random.js';
import { createGpSampler } from './gp/sampler.js';
import { createTpeSampler } from './tpe/sampler.js';
import type { Sampler } from './types.js';

/** Options of {@link createSampler}. */
export interface CreateSamplerOptions {
  readonly algorithm: SearchAlgorithm;
  readonly space: SearchSpace;
  /** The metric the study optimizes: TPE and the GP learn from it; grid and random search ignore it. */
  readonly metric: MetricSpec;
  /** The study's seed (any safe integer); grid search in enumeration order ignores it. @default 0 */
  readonly seed?: number;
}

/**
 * The sampler hptune runs locally for a study's algorithm (`bayesian` is the GP sampler here), after
 * checking the space for it (grid: no `double` parameter). Drive it without a study by calling
 * `suggest(trials)` with the trials so far (ask and tell).
 * @throws ValidationError for an unknown algorithm, a bad metric or seed, or a space the algorithm cannot search.
 * @example
 * const sampler = createSampler({ algorithm: 'tpe', space, metric: { id: 'loss', goal: 'minimize' }, seed: 1 });
 * const parameters = sampler.suggest(trials);
 */
export function createSampler(options: CreateSamplerOptions): Sampler {
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new ValidationError({ field: 'seed', value: options.seed, problem: 'is not a whole number', fix: 'give an integer seed such as 42' });
  }
  if (!isSearchAlgorithm(options.algorithm)) {
    throw new ValidationError({
      field: 'algorithm',
      value: options.algorithm,
      problem: 'is not a search algorithm',
      fix: `use ${SEARCH_ALGORITHMS.map((algorithm) => JSON.stringify(algorithm)).join(', ')}`,
    });
  }
  const metric = validateMetric(options.metric);
  switch (ALGORITHM_BACKENDS[options.algorithm].local) {
    case 'grid':
      return createGridSampler({ space: options.space, ...(options.algorithm === 'shuffled-grid' ? { order: 'shuffled', seed } : {}) });
    case 'random':
      return createRandomSampler({ space: options.space, seed });
    case 'tpe':
      return createTpeSampler({ space: options.space, metric, seed });
    case 'gp':
      return createGpSampler({ space: options.space, metric, seed });
  }
}
