import { describeSamplerConformance } from './conformance.js';
import { createSampler } from './index.js';

describeSamplerConformance('grid', { create: ({ space, seed }) => createSampler({ algorithm: 'grid', space, seed }), exhaustive: true });
describeSamplerConformance('random', { create: ({ space, seed }) => createSampler({ algorithm: 'random', space, seed }), exhaustive: false });
