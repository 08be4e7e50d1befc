import { categorical, discrete, searchSpace } from '../space/builder.js';

/**
 * A 3 x 3 x 3 search space (27 combinations, shaped like the LeNet-5 seed study's: two categorical
 * parameters and a discrete one) that core's tests and conformance suites run samplers and studies
 * over. Private to core: the seed study's own space is `seedSearchSpace` in `@hptune/trainer`.
 */
export const exampleSearchSpace = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
  batch_size: discrete([32, 64, 128]),
});
