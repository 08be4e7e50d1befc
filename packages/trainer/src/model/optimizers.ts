import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { ValidationError } from '@hptune/trial';
import type { OptimizerName } from '../settings.js';
import { FusedOptimizer, fusedUpdateAvailable } from './fused-optimizer.js';

/** Options of {@link createOptimizer}. */
export interface CreateOptimizerOptions {
  /**
   * `false` for the update as tfjs ops even where the fused kernel could run (a reference to compare
   * with): tfjs's own adam and sgd, rmsprop's PyTorch update in ops. @default true
   */
  fused?: boolean;
  /**
   * SGD's momentum, PyTorch's (`v = momentum * v + g; w -= rate * v`, no dampening, not Nesterov),
   * its velocity kept per variable and checkpointed. @default 0 (none)
   */
  momentum?: number;
}

/**
 * Creates an optimizer with PyTorch's defaults for everything but the learning rate, as the
 * PyTorch original trains (checked against PyTorch's documentation of `torch.optim`): adam with
 * betas 0.9/0.999 and epsilon 1e-8; rmsprop with decay (PyTorch's `alpha`) 0.99, no momentum,
 * epsilon 1e-8 added after the square root as PyTorch does; sgd with `options.momentum` (default 0).
 *
 * On a backend with hptune's fused update kernels (wasm, cpu) the optimizer is a
 * {@link FusedOptimizer}: the same update, one kernel call per variable. Elsewhere (tfjs-node,
 * tfjs-node-gpu) adam and sgd are tfjs's own (the same arithmetic) and rmsprop a `FusedOptimizer`
 * running tfjs ops, because `tf.train.rmsprop` puts epsilon inside the square root. Create it after
 * the backend is selected.
 *
 * @param learningRate the step size; see `DEFAULT_LEARNING_RATES` for the defaults per optimizer.
 * @throws ValidationError for a momentum with an optimizer other than sgd.
 */
export function createOptimizer(name: OptimizerName, learningRate: number, options: CreateOptimizerOptions = {}): tf.Optimizer {
  const momentum = options.momentum ?? 0;
  if (momentum !== 0 && name !== 'sgd') {
    throw new ValidationError({
      field: 'momentum',
      value: momentum,
      problem: `applies to the sgd optimizer only, and the optimizer is ${name}`,
      fix: 'leave momentum at 0 with adam and rmsprop, or pass --optimizer sgd (in a search space: a child parameter of optimizer under sgd)',
    });
  }
  // A velocity per variable, kept by hptune's optimizer so its checkpoints hold it: fused kernel or ops.
  if (momentum > 0) return new FusedOptimizer({ kind: 'sgd', learningRate, momentum, kernels: (options.fused ?? true) && fusedUpdateAvailable('sgd') });
  if ((options.fused ?? true) && fusedUpdateAvailable(name)) {
    if (name === 'adam') return new FusedOptimizer({ kind: name, learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    if (name === 'rmsprop') return new FusedOptimizer({ kind: name, learningRate, decay: 0.99, epsilon: 1e-8 });
    return new FusedOptimizer({ kind: name, learningRate });
  }
  switch (name) {
    case 'sgd':
      return tfjs.train.sgd(learningRate);
    case 'adam':
      return tfjs.train.adam(learningRate, 0.9, 0.999, 1e-8);
    case 'rmsprop':
      return new FusedOptimizer({ kind: name, learningRate, decay: 0.99, epsilon: 1e-8, kernels: false });
  }
}
