import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../backends/kernels/index.js';
import { maxRelativeError, seededRandom } from '../backends/kernels/testing/naive-reference.js';
import type { Batch } from '../data/batches.js';
import { buildLenet5 } from '../model/lenet5.js';
import { createOptimizer } from '../model/optimizers.js';
import { DEFAULT_LEARNING_RATES, type Activation, type OptimizerName } from '../settings.js';
import { createTrainStep, type GradientPath } from './step.js';

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
});
