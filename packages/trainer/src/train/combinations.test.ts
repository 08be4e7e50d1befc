import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select.js';
import { loadMnist, type MnistData } from '../data/mnist.js';
import { buildLenet5 } from '../model/lenet5.js';
import { createOptimizer } from '../model/optimizers.js';
import { ACTIVATIONS, DEFAULT_LEARNING_RATES, OPTIMIZERS } from '../settings.js';
import { runTrainingLoop } from './loop.js';

// The seed study's search space: every activation x optimizer x batch size trains one short epoch.
const combinations = ACTIVATIONS.flatMap((activation) =>
  OPTIMIZERS.flatMap((optimizer) => [32, 64, 128].map((batchSize) => ({ activation, optimizer, batchSize }))),
);

describe('every combination of the search space', () => {
  let data: MnistData;
  beforeAll(async () => {
    await selectBackend({ choice: 'wasm' });
    data = loadMnist({ trainSize: 256, testSize: 128, seed: 3 });
  });

  it('covers 27 combinations', () => {
    expect(combinations).toHaveLength(27);
  });

  it.each(combinations)('$activation / $optimizer / batch $batchSize trains an epoch', async ({ activation, optimizer, batchSize }) => {
    const before = tf.memory().numTensors;
    const model = buildLenet5({ activation, seed: 1 });
    const optimizerInstance = createOptimizer(optimizer, DEFAULT_LEARNING_RATES[optimizer]);
    const initial = model.getWeights().map((weight) => weight.dataSync().slice());
    const [epoch] = await runTrainingLoop({ model, optimizer: optimizerInstance, learningRate: DEFAULT_LEARNING_RATES[optimizer], data, batchSize, numEpochs: 1, seed: 1 });
    expect(Number.isFinite(epoch?.trainLoss)).toBe(true);
    expect(Number.isFinite(epoch?.testLoss)).toBe(true);
    expect(epoch?.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(epoch?.testAccuracy).toBeLessThanOrEqual(1);
    const changed = model.getWeights().some((weight, index) => weight.dataSync().some((value, at) => value !== initial[index]?.[at]));
    expect(changed).toBe(true);
    model.dispose();
    optimizerInstance.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
