import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../options.js';

/**
 * Creates an optimizer with PyTorch's defaults for everything but the learning rate, as the
 * PyTorch original trains: adam with betas 0.9/0.999 and epsilon 1e-8; rmsprop with decay
 * (PyTorch's `alpha`) 0.99, no momentum, epsilon 1e-8; sgd without momentum.
 *
 * @param learningRate the step size; see `DEFAULT_LEARNING_RATES` for the defaults per optimizer.
 */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'adam':
      return tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, 0.99, 0, 1e-8);
  }
}
