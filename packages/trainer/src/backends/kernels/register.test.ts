import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerTrainingKernels, trainingKernelNames } from './register.js';
import { maxRelativeError, randomValues, seededRandom } from './testing/naive-reference.js';

function convLossGradients(x: Float32Array, w: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const grads = tf.grads((input: tf.Tensor, filter: tf.Tensor) =>
      tf.relu(tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same')).mean(),
    )([tf.tensor4d(x, [2, 12, 12, 1]), tf.tensor4d(w, [5, 5, 1, 3])]);
    return grads.map((grad) => grad.dataSync() as Float32Array);
  });
}

describe('registerTrainingKernels', () => {
  const random = seededRandom(31);
  const x = randomValues(random, 2 * 12 * 12);
  const w = randomValues(random, 5 * 5 * 3);

  it('fills the gap tfjs leaves on wasm, even when called before the backend starts', async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerTrainingKernels('wasm');
    await tf.setBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (const name of trainingKernelNames('wasm')) expect(tf.getKernel(name, 'wasm')).toBeDefined();

    const onWasm = convLossGradients(x, w);
    await tf.setBackend('cpu');
    const onCpu = convLossGradients(x, w);
    expect(maxRelativeError(onWasm[0]!, onCpu[0]!)).toBeLessThan(1e-5);
    expect(maxRelativeError(onWasm[1]!, onCpu[1]!)).toBeLessThan(1e-5);
  });

  it('is idempotent: a second call changes nothing and delegation still works', async () => {
    await tf.setBackend('wasm');
    const before = trainingKernelNames('wasm').map((name) => tf.getKernel(name, 'wasm')!.kernelFunc);
    registerTrainingKernels('wasm');
    registerTrainingKernels('wasm');
    const after = trainingKernelNames('wasm').map((name) => tf.getKernel(name, 'wasm')!.kernelFunc);
    expect(after).toEqual(before);
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 1, 0, 1], [2, 2]), true, true),
    );
    expect(Array.from(product.dataSync())).toEqual([4, 3, 6, 4]);
    product.dispose();
  });

  it('lets a small LeNet-5 learn a fixed batch on wasm with Adam', async () => {
    await tf.setBackend('wasm');
    tf.util.assert(tf.getBackend() === 'wasm', () => 'wasm backend expected');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const images = tf.tensor4d(randomValues(seededRandom(32), 8 * 28 * 28, 0.5), [8, 28, 28, 1]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat();
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    let heapTensorsAfterFirstStep = 0;
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor),
        true,
      )!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      // Scratch tensors on the wasm heap must all be freed: the count stays flat once Adam's
      // moment variables exist (after the first step).
      if (step === 0) heapTensorsAfterFirstStep = tf.backend().numDataIds();
    }
    expect(tf.backend().numDataIds()).toBe(heapTensorsAfterFirstStep);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    tf.dispose([images, labels]);
    model.dispose();
    optimizer.dispose();
  });
});
