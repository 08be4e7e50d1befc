import { categorical, discrete, searchSpace } from './builder.js';

/**
 * The seed study's search space: LeNet-5's activation, optimizer and batch size, 3 x 3 x 3 = 27
 * combinations, with the ids the trainer takes as flags (`--activation`, `--optimizer`, `--batch_size`).
 */
export const seedSearchSpace = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
  batch_size: discrete([32, 64, 128]),
});

/** The seed search space under the model's name; the same object as {@link seedSearchSpace}. */
export const lenet5SearchSpace = seedSearchSpace;
