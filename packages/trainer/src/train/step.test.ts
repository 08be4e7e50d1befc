import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../backends/kernels/index.js';
import { maxRelativeError, seededRandom } from '../backends/kernels/testing/naive-reference.js';
import type { Batch } from '../data/batches.js';
import { buildLenet5 } from '../model/lenet5.js';
import { createOptimizer } from '../model/optimizers.js';
import { DEFAULT_LEARNING_RATES, type Activation, type OptimizerName } from '../settings.js';
import { createTrainStep, evaluate, type GradientPath } from './step.js';

const BATCH = 16;

function batches(count: number): Batch[] {
  const random = seededRandom(61);
  return Array.from({ length: count }, () => {
    const images = new Float32Array(BATCH * 28 * 28).map(() => (random() < 0.7 ? 0 : random()));
    const oneHotLabels = new Float32Array(BATCH * 10);
    for (let row = 0; row < BATCH; row++) oneHotLabels[row * 10 + Math.floor(random() * 10)] = 1;
    return { size: BATCH, images, pixelScale: 1, oneHotLabels };
  });
}

/** Losses of `steps` training steps and the weights after them. */
async function train(backendName: string, gradients: GradientPath, fused: boolean, activation: Activation, optimizerName: OptimizerName): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend(backendName);
  registerTrainingKernels(backendName as 'wasm' | 'cpu');
  const model = buildLenet5({ activation, seed: 7 });
  const optimizer = createOptimizer(optimizerName, DEFAULT_LEARNING_RATES[optimizerName], { fused });
  const step = createTrainStep(model, optimizer, { gradients });
  const losses: number[] = [];
  // The same two batches three times over: the loss must fall.
  const data = batches(2);
  for (let i = 0; i < 6; i++) losses.push((await step(data[i % 2]!)).loss);
  const weights = model.getWeights().map((weight) => weight.dataSync() as Float32Array);
  model.dispose();
  optimizer.dispose();
  return { losses, weights };
}

describe('createTrainStep', () => {
  it.each([
    ['relu', 'adam'],
    ['leakyrelu', 'rmsprop'],
    ['softmax', 'sgd'],
  ] as const)('trains %s/%s on wasm (explicit backward pass, fused optimizer) as tfjs does on cpu (tape, its optimizer)', async (activation, optimizerName) => {
    const reference = await train('cpu', 'tape', false, activation, optimizerName);
    const ours = await train('wasm', 'auto', true, activation, optimizerName);
    expect(maxRelativeError(ours.losses, reference.losses)).toBeLessThan(1e-4);
    expect(reference.losses[4]!).toBeLessThan(reference.losses[0]!);
    ours.weights.forEach((weights, i) => expect(maxRelativeError(weights, reference.weights[i]!), `weights ${i}`).toBeLessThan(1e-4));
  });

  it.each(['auto', 'tape'] as const)('takes the model input as the batch pixels times its pixelScale (%s gradients)', async (gradients) => {
    await tf.setBackend('wasm');
    registerTrainingKernels('wasm');
    const [unit] = batches(1) as [Batch];
    const bytes: Batch = { ...unit, images: unit.images.map((value) => value * 255), pixelScale: 1 / 255 };
    const firstLoss = async (batch: Batch) => {
      const model = buildLenet5({ activation: 'relu', seed: 7 });
      const optimizer = createOptimizer('adam', DEFAULT_LEARNING_RATES.adam, { fused: true });
      const { loss } = await createTrainStep(model, optimizer, { gradients })(batch);
      model.dispose();
      optimizer.dispose();
      return loss;
    };
    const reference = await firstLoss(unit);
    expect(Math.abs((await firstLoss(bytes)) - reference) / reference).toBeLessThan(1e-5);
    // The factor is used, not assumed: the same bytes read as [0, 1] values give another loss.
    expect(Math.abs((await firstLoss({ ...bytes, pixelScale: 1 }) - reference) / reference)).toBeGreaterThan(1e-3);
  });
});

describe('evaluate', () => {
  it('scores the bytes of an image set as the model scores them scaled to [0, 1]', async () => {
    await tf.setBackend('wasm');
    registerTrainingKernels('wasm');
    const random = seededRandom(5);
    const count = 12;
    const set = {
      count,
      rows: 28,
      columns: 28,
      images: new Uint8Array(count * 28 * 28).map(() => (random() < 0.7 ? 0 : Math.floor(random() * 256))),
      labels: new Uint8Array(count).map(() => Math.floor(random() * 10)),
    };
    const model = buildLenet5({ activation: 'relu', seed: 7 });
    const { loss, correct } = await evaluate(model, set, 5);
    const [expectedLoss, expectedCorrect] = tf.tidy(() => {
      const probabilities = model.apply(tf.tensor4d(Float32Array.from(set.images, (value) => value / 255), [count, 28, 28, 1])) as tf.Tensor2D;
      const picked = probabilities.mul(tf.oneHot(tf.tensor1d(set.labels, 'int32'), 10)).sum(1);
      return [picked.maximum(1e-7).log().neg().mean().dataSync()[0]!, probabilities.argMax(1).equal(tf.tensor1d(set.labels, 'int32')).sum().dataSync()[0]!];
    });
    expect(loss).toBeCloseTo(expectedLoss, 4);
    expect(correct).toBe(expectedCorrect);
    model.dispose();
  });
});
