export { SEARCH_ALGORITHMS, type SearchAlgorithm } from '../algorithms.js';
export { GRID_TAKEN_STATES, createGridSampler, type GridSamplerOptions } from './grid.js';
export { createRandomSampler, type RandomSamplerOptions } from './random.js';
export type { Sampler } from './types.js';
export { createSampler, type CreateSamplerOptions } from './create.js';
