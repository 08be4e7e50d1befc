import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../backends/kernels/index.js';
import { maxRelativeError, randomValues, seededRandom } from '../backends/kernels/testing/naive-reference.js';
import { FusedOptimizer } from './fused-optimizer.js';
import { createOptimizer } from './optimizers.js';

/** A tiny regression the optimizers minimise: w·x against fixed targets. */
function lossOf(weights: tf.Variable, inputs: tf.Tensor2D, targets: tf.Tensor2D): () => tf.Scalar {
  return () => tf.mean(tf.square(tf.sub(tf.matMul(inputs, weights), targets)));
}

async function trainedWeights(backendName: string, makeOptimizer: () => tf.Optimizer, steps: number): Promise<Float32Array> {
  await tf.setBackend(backendName);
  const random = seededRandom(51);
  const weights = tf.variable(tf.tensor2d(randomValues(random, 12, 0), [4, 3]));
  const inputs = tf.tensor2d(randomValues(random, 20, 0), [5, 4]);
  const targets = tf.tensor2d(randomValues(random, 15, 0), [5, 3]);
  const optimizer = makeOptimizer();
  for (let step = 0; step < steps; step++) optimizer.minimize(lossOf(weights, inputs, targets), false, [weights]);
  const values = weights.dataSync() as Float32Array;
  optimizer.dispose();
  tf.dispose([weights, inputs, targets]);
  return values;
}

describe('FusedOptimizer', () => {
  beforeAll(() => {
    registerTrainingKernels('wasm');
    registerTrainingKernels('cpu');
  });

  it("follows tfjs's own adam and sgd, and its own rmsprop in tfjs ops, through minimize on wasm and cpu", async () => {
    for (const [kind, stock] of [
      ['adam', () => tf.train.adam(0.05, 0.9, 0.999, 1e-8)],
      ['rmsprop', () => new FusedOptimizer({ kind: 'rmsprop', learningRate: 0.05, kernels: false })],
      ['sgd', () => tf.train.sgd(0.05)],
    ] as const) {
      const reference = await trainedWeights('cpu', stock, 12);
      for (const backendName of ['wasm', 'cpu']) {
        const fused = await trainedWeights(backendName, () => new FusedOptimizer({ kind, learningRate: 0.05 }), 12);
        expect(maxRelativeError(fused, reference), `${kind} on ${backendName}`).toBeLessThan(1e-5);
      }
    }
  });

  it("takes PyTorch's SGD momentum steps (v = mu*v + g; w -= lr*v), fused on wasm and cpu and as ops", async () => {
    // w0 = 1, g = 0.5 each step, lr 0.1, momentum 0.9: v = 0.5, 0.95, 1.355; w = 0.95, 0.855, 0.7195 (torch.optim.SGD).
    for (const backendName of ['wasm', 'cpu']) {
      for (const kernels of [true, false]) {
        await tf.setBackend(backendName);
        const weight = tf.variable(tf.tensor1d([1, 1]));
        const optimizer = createOptimizer('sgd', 0.1, { momentum: 0.9, fused: kernels });
        const seen: number[] = [];
        for (let step = 0; step < 3; step++) {
          tf.tidy(() => optimizer.applyGradients({ [weight.name]: tf.fill([2], 0.5) }));
          seen.push(weight.dataSync()[0] as number);
        }
        expect(seen[0], `${backendName}, kernels ${kernels}`).toBeCloseTo(0.95, 6);
        expect(seen[1], `${backendName}, kernels ${kernels}`).toBeCloseTo(0.855, 6);
        expect(seen[2], `${backendName}, kernels ${kernels}`).toBeCloseTo(0.7195, 6);
        optimizer.dispose();
        weight.dispose();
      }
    }
  });

  it("follows tfjs's momentum optimizer (the same rule) through minimize, and plain SGD at momentum 0", async () => {
    const reference = await trainedWeights('cpu', () => tf.train.momentum(0.05, 0.9), 12);
    for (const backendName of ['wasm', 'cpu']) {
      const fused = await trainedWeights(backendName, () => createOptimizer('sgd', 0.05, { momentum: 0.9 }), 12);
      expect(maxRelativeError(fused, reference), `momentum on ${backendName}`).toBeLessThan(1e-5);
    }
    const plain = await trainedWeights('cpu', () => tf.train.sgd(0.05), 12);
    expect(maxRelativeError(await trainedWeights('wasm', () => createOptimizer('sgd', 0.05, { momentum: 0 }), 12), plain)).toBeLessThan(1e-5);
  });

  it('checkpoints the velocity: a restored optimizer takes the same next step as the original', async () => {
    await tf.setBackend('wasm');
    const weights = tf.variable(tf.tensor1d([1, -2, 3]));
    const optimizer = new FusedOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 });
    const gradient = tf.tensor1d([0.5, 0.25, -1]);
    optimizer.applyGradients({ [weights.name]: gradient });
    optimizer.applyGradients({ [weights.name]: gradient });
    const saved = await optimizer.getWeights();
    expect(saved.map((weight) => weight.name)).toEqual(['iter', `${weights.name}/velocity`]);
    const copy = tf.variable(weights.clone());
    const restored = new FusedOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 });
    await restored.setWeights([saved[0]!, { name: `${copy.name}/velocity`, tensor: saved[1]!.tensor }]);
    optimizer.applyGradients({ [weights.name]: gradient });
    restored.applyGradients({ [copy.name]: gradient });
    expect(Array.from(copy.dataSync())).toEqual(Array.from(weights.dataSync()));
    tf.dispose([weights, copy, gradient]);
    optimizer.dispose();
    restored.dispose();
  });

  it('writes the new weights over the old ones where nothing else shares them, and makes a new tensor where something does', async () => {
    for (const backendName of ['wasm', 'cpu']) {
      await tf.setBackend(backendName);
      const weight = tf.variable(tf.tensor1d([1, 2, 3, 4, 5]));
      const optimizer = new FusedOptimizer({ kind: 'adam', learningRate: 0.1 });
      const gradient = () => tf.tensor1d([0.5, -0.5, 0.25, -0.25, 1]);
      tf.tidy(() => optimizer.applyGradients({ [weight.name]: gradient() }));
      const ownData = weight.dataId;
      const before = [...(weight.dataSync() as Float32Array)];
      tf.tidy(() => optimizer.applyGradients({ [weight.name]: gradient() }));
      expect(weight.dataId, `${backendName}: updated in place`).toBe(ownData);
      expect([...(weight.dataSync() as Float32Array)]).not.toEqual(before);

      // A reshaped view shares the variable's memory: the update must leave the view as it was.
      const view = tf.reshape(weight, [5, 1]);
      const viewed = [...(view.dataSync() as Float32Array)];
      tf.tidy(() => optimizer.applyGradients({ [weight.name]: gradient() }));
      expect([...(view.dataSync() as Float32Array)], `${backendName}: the view keeps its values`).toEqual(viewed);
      expect(weight.dataId, `${backendName}: a new tensor while shared`).not.toBe(ownData);
      tf.dispose([view, weight]);
      optimizer.dispose();
    }
  });

  it("lets tfjs's own wasm convolution see weights written in place (XNNPACK keeps packed weights by tensor id)", async () => {
    await tf.setBackend('wasm');
    const random = seededRandom(7);
    // Two input channels: tfjs's own FusedConv2D (XNNPACK) runs it, not the single-channel kernel.
    const input = tf.tensor4d(randomValues(random, 2 * 6 * 6 * 2, 0), [2, 6, 6, 2]);
    const filter = tf.variable(tf.tensor4d(randomValues(random, 3 * 3 * 2 * 4, 0), [3, 3, 2, 4]));
    const optimizer = new FusedOptimizer({ kind: 'sgd', learningRate: 0.5 });
    const convolve = (weights: tf.Tensor4D) => tf.tidy(() => tf.fused.conv2d({ x: input, filter: weights, strides: 1, pad: 'same', activation: 'relu' }).dataSync() as Float32Array);
    // The first update makes a new tensor (the variable still shares the memory of the tensor it
    // was made from); from then on each one is written in place.
    tf.tidy(() => optimizer.applyGradients({ [filter.name]: tf.onesLike(filter) }));
    convolve(filter);
    for (let step = 0; step < 3; step++) {
      const dataId = filter.dataId;
      tf.tidy(() => optimizer.applyGradients({ [filter.name]: tf.onesLike(filter) }));
      expect(filter.dataId).toBe(dataId);
      const copy = tf.tensor4d(filter.dataSync() as Float32Array, [3, 3, 2, 4]);
      expect(maxRelativeError(convolve(filter), convolve(copy)), `step ${step}`).toBe(0);
      copy.dispose();
    }
    tf.dispose([input, filter]);
    optimizer.dispose();
  });

  it('refuses momentum with adam or rmsprop, naming the field, the value and the fix', () => {
    expect(() => createOptimizer('adam', 0.001, { momentum: 0.9 })).toThrow(
      'momentum 0.9 applies to the sgd optimizer only, and the optimizer is adam; leave momentum at 0 with adam and rmsprop, or pass --optimizer sgd',
    );
  });

  it("moves a weight with a tiny gradient as PyTorch's RMSprop does, not tfjs's hundredfold smaller step", async () => {
    // First step from 0 with lr 0.001, g = 1e-6: PyTorch's w - lr·g / (sqrt(0.01·g²) + 1e-8) = -0.00909;
    // tfjs's w - lr·g / sqrt(0.01·g² + 1e-8) would be -0.00001.
    for (const backendName of ['wasm', 'cpu']) {
      for (const kernels of [true, false]) {
        await tf.setBackend(backendName);
        const weight = tf.variable(tf.tensor1d([0, 0, 0, 0, 0]));
        const optimizer = new FusedOptimizer({ kind: 'rmsprop', learningRate: 0.001, kernels });
        optimizer.applyGradients({ [weight.name]: tf.fill([5], 1e-6) });
        for (const value of weight.dataSync()) expect(value, `${backendName}, kernels ${kernels}`).toBeCloseTo(-0.001e-6 / (0.1e-6 + 1e-8), 6);
        optimizer.dispose();
        weight.dispose();
      }
    }
  });

  it('frees its slots on dispose and restores them (and the step count) from getWeights', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const weights = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3])));
    const optimizer = new FusedOptimizer({ kind: 'adam', learningRate: 0.1 });
    const gradient = tf.tensor1d([0.5, 0.5, -1]);
    optimizer.applyGradients({ [weights.name]: gradient });
    optimizer.applyGradients([{ name: weights.name, tensor: gradient }]);
    expect(optimizer.iterations).toBe(2);
    const saved = await optimizer.getWeights();
    expect(saved.map((weight) => weight.name)).toEqual(['iter', `${weights.name}/firstMoment`, `${weights.name}/secondMoment`]);

    // A restored optimizer takes the same third step as the original.
    const copy = tf.tidy(() => tf.variable(weights.clone()));
    const restored = new FusedOptimizer({ kind: 'adam', learningRate: 0.1 });
    await restored.setWeights([saved[0]!, { name: `${copy.name}/firstMoment`, tensor: saved[1]!.tensor }, { name: `${copy.name}/secondMoment`, tensor: saved[2]!.tensor }]);
    expect(restored.iterations).toBe(2);
    optimizer.applyGradients({ [weights.name]: gradient });
    restored.applyGradients({ [copy.name]: gradient });
    expect(Array.from(copy.dataSync())).toEqual(Array.from(weights.dataSync()));

    tf.dispose([saved[0]!.tensor, weights, copy, gradient]);
    optimizer.dispose();
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is what createOptimizer returns where the fused kernels are registered, tfjs’s own adam and sgd elsewhere', async () => {
    await tf.setBackend('wasm');
    // (instanceof cannot tell: tf.Optimizer answers it by duck typing, for every subclass.)
    expect(createOptimizer('adam', 0.001).getClassName()).toBe(FusedOptimizer.className);
    const cpuBackend = tf.findBackend('cpu') as tf.KernelBackend;
    tf.registerBackend('plain-cpu', () => new (cpuBackend.constructor as new () => tf.KernelBackend)());
    await tf.setBackend('plain-cpu');
    expect(createOptimizer('adam', 0.001).getClassName()).toBe('Adam');
    // tf.train.rmsprop adds epsilon inside the square root: PyTorch's update runs as tfjs ops instead.
    expect(createOptimizer('rmsprop', 0.001).getConfig()).toMatchObject({ kind: 'rmsprop', kernels: false });
    tf.removeBackend('plain-cpu');
    await tf.setBackend('cpu');
  });
});
