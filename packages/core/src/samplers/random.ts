import { createRandom } from '../space/random.js';
import { sampleParameters } from '../space/sample.js';
import type { SearchSpace, TrialParameters } from '../space/types.js';
import { checkSearchSpace } from '../space/checked.js';
import type { FrozenTrial } from '../study/types.js';
import type { Sampler } from './types.js';

/** Options of {@link createRandomSampler}. */
export interface RandomSamplerOptions {
  readonly space: SearchSpace;
  /** The study's seed: any safe integer. */
  readonly seed: number;
}

/**
 * Random search: the `n`-th suggestion (`n` = the number of trials shown, of any state) is drawn
 * from its own stream of the seeded generator, so it depends only on the seed and `n`: a resumed
 * study continues the very sequence it would have run. Values are drawn as `sampleParameters`
 * describes; combinations may repeat (as with Vertex's RANDOM_SEARCH). It never runs out.
 * @throws ValidationError when the space is invalid.
 */
export function createRandomSampler(options: RandomSamplerOptions): Sampler {
  const { seed } = options;
  const space = checkSearchSpace(options.space, { algorithm: 'random' });
  return {
    algorithm: 'random',
    suggest(trials: readonly FrozenTrial[]): TrialParameters {
      return sampleParameters(space, createRandom(seed, trials.length));
    },
  };
}
