import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLenet5, countCorrect, crossEntropy, LEAKY_RELU_ALPHA } from './lenet5.js';
import { createOptimizer } from './optimizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => weight.dataSync() as Float32Array);
}

describe('buildLenet5', () => {
  it('has LeNet-5\'s layers, shapes and 61,706 parameters', () => {
    const model = buildLenet5({ activation: 'relu', seed: 1 });
    const shapes = Object.fromEntries(model.layers.map((layer) => [layer.name, layer.outputShape]));
    expect(shapes).toEqual({
      normalize: [null, 28, 28, 1],
      conv1: [null, 28, 28, 6],
      pool1: [null, 14, 14, 6],
      conv2: [null, 10, 10, 16],
      pool2: [null, 5, 5, 16],
      flatten: [null, 400],
      dense1: [null, 120],
      dense2: [null, 84],
      output: [null, 10],
    });
    expect(model.countParams()).toBe(156 + 2416 + 48120 + 10164 + 850);
    expect(model.getLayer('pool1').getClassName()).toBe('MaxPooling2D');
    model.dispose();
  });

  it('standardises [0, 1] pixels with MNIST\'s mean and standard deviation inside the model', () => {
    const model = buildLenet5({ activation: 'relu', seed: 1 });
    const normalize = model.getLayer('normalize');
    const values = tf.tidy(() => (normalize.apply(tf.tensor4d([0, 0.1307, 1, 0.4388], [1, 2, 2, 1])) as tf.Tensor).dataSync());
    expect(Array.from(values).map((value) => Number(value.toFixed(4)))).toEqual([-0.4242, 0, 2.8215, 1]);
    model.dispose();
  });

  it('outputs class probabilities', () => {
    const model = buildLenet5({ activation: 'relu', seed: 1 });
    const output = tf.tidy(() => model.predict(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5)) as tf.Tensor);
    expect(output.shape).toEqual([3, 10]);
    const sums = tf.tidy(() => tf.sum(output, -1).arraySync() as number[]);
    for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
    output.dispose();
    model.dispose();
  });

  it('draws the same initial weights from the same seed, different ones from another', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => buildLenet5({ activation: 'relu', seed }));
    const [wa, wb, wc] = [a, b, c].map((model) => weightsOf(model as tf.LayersModel));
    expect(wa).toEqual(wb);
    expect(wa?.[0]).not.toEqual(wc?.[0]);
    [a, b, c].forEach((model) => model?.dispose());
  });

  it("starts each layer's weights and biases as PyTorch does: uniform within 1/sqrt(fan-in)", () => {
    const model = buildLenet5({ activation: 'relu', seed: 7 });
    const fanIns: Record<string, number> = { conv1: 25, conv2: 150, dense1: 400, dense2: 120, output: 84 };
    for (const [layer, fanIn] of Object.entries(fanIns)) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const weight of model.getLayer(layer).getWeights()) {
        const values = Array.from(weight.dataSync());
        const largest = Math.max(...values.map(Math.abs));
        // Every value within the bound, and spread over it (a uniform sample's largest |value| is near the bound).
        expect(largest, `${layer} ${weight.shape.join('x')}`).toBeLessThanOrEqual(bound);
        expect(largest, `${layer} ${weight.shape.join('x')}`).toBeGreaterThan(bound * (weight.size > 10 ? 0.7 : 0.2));
      }
    }
    model.dispose();
  });

  it('applies softmax over the channel axis of the convolutions', () => {
    const model = buildLenet5({ activation: 'softmax', seed: 3 });
    const conv1 = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv1').output as tf.SymbolicTensor });
    const channelSums = tf.tidy(() => tf.sum(conv1.predict(tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9)) as tf.Tensor, -1).dataSync());
    expect(channelSums.length).toBe(2 * 28 * 28);
    for (const sum of channelSums) expect(sum).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('uses leaky ReLU with PyTorch\'s alpha 0.01 after each hidden layer', () => {
    const model = buildLenet5({ activation: 'leakyrelu', seed: 3 });
    const leaky = model.layers.filter((layer) => layer.getClassName() === 'LeakyReLU');
    expect(leaky.map((layer) => layer.name)).toEqual(['conv1_leakyrelu', 'conv2_leakyrelu', 'dense1_leakyrelu', 'dense2_leakyrelu']);
    expect(leaky.every((layer) => layer.getConfig().alpha === LEAKY_RELU_ALPHA)).toBe(true);
    expect(LEAKY_RELU_ALPHA).toBe(0.01);
    const slope = tf.tidy(() => (leaky[0]?.apply(tf.tensor1d([-2, 3])) as tf.Tensor).arraySync());
    expect(slope).toEqual([expect.closeTo(-0.02, 7), 3]);
    model.dispose();
  });
});

describe('crossEntropy and countCorrect', () => {
  it('computes the mean or summed cross-entropy, finite for a confident mistake', () => {
    const values = tf.tidy(() => {
      const probabilities = tf.tensor2d([[0.5, 0.5], [0, 1]]);
      const labels = tf.tensor2d([[1, 0], [1, 0]]);
      return [crossEntropy(probabilities, labels).dataSync()[0], crossEntropy(probabilities, labels, 'sum').dataSync()[0], countCorrect(probabilities, labels).dataSync()[0]];
    });
    const mistake = -Math.log(1e-7);
    expect(values[0]).toBeCloseTo((Math.LN2 + mistake) / 2, 4);
    expect(values[1]).toBeCloseTo(Math.LN2 + mistake, 4);
    expect(values[2]).toBe(1);
  });
});

describe('createOptimizer', () => {
  it.each([
    ['sgd', 'SGD', { learningRate: 0.05 }],
    ['adam', 'Adam', { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }],
    ['rmsprop', 'HptuneFusedOptimizer', { learningRate: 0.05, decay: 0.99, epsilon: 1e-8 }],
  ] as const)('creates %s with the learning rate and PyTorch\'s other defaults', (name, className, config) => {
    const optimizer = createOptimizer(name, 0.05);
    expect(optimizer.getClassName()).toBe(className);
    expect(optimizer.getConfig()).toMatchObject(config);
    optimizer.dispose();
  });
});
