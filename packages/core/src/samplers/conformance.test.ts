import { SEARCH_ALGORITHMS, isGridSearch } from '../algorithms.js';
import { describeSamplerConformance } from './conformance.js';
import { createSampler } from './index.js';

for (const algorithm of SEARCH_ALGORITHMS) {
  describeSamplerConformance(algorithm, { create: ({ space, seed, metric }) => createSampler({ algorithm, space, metric, seed }), exhaustive: isGridSearch(algorithm) });
}
