import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../../backends/kernels/index.js';
import { maxRelativeError, seededRandom } from '../../backends/kernels/testing/naive-reference.js';
import { buildLenet5, crossEntropy, countCorrect } from '../../model/lenet5.js';
import type { Activation } from '../../settings.js';
import { planSequentialTraining, type TrainingPlan } from './plan.js';
import { backpropAvailable, forwardBackward } from './run.js';

const BATCH = 6;

function batch(seed: number): { images: Float32Array; labels: Float32Array } {
  const random = seededRandom(seed);
  const images = new Float32Array(BATCH * 28 * 28).map(() => (random() < 0.6 ? 0 : random()));
  const labels = new Float32Array(BATCH * 10);
  for (let row = 0; row < BATCH; row++) labels[row * 10 + Math.floor(random() * 10)] = 1;
  return { images, labels };
}

interface Pass {
  loss: number;
  correct: number;
  gradients: Float32Array[];
}

/** The reference: tfjs's gradient tape through the Keras model and the trainer's loss. */
function tapePass(model: tf.LayersModel, data: ReturnType<typeof batch>): Pass {
  return tf.tidy(() => {
    const images = tf.tensor4d(data.images, [BATCH, 28, 28, 1]);
    const labels = tf.tensor2d(data.labels, [BATCH, 10]);
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    let correct = 0;
    const { value, grads } = tf.variableGrads(() => {
      const probabilities = model.apply(images, { training: true }) as tf.Tensor2D;
      correct = countCorrect(probabilities, labels).dataSync()[0]!;
      return crossEntropy(probabilities, labels);
    }, variables);
    return { loss: value.dataSync()[0]!, correct, gradients: variables.map((variable) => grads[variable.name]!.dataSync() as Float32Array) };
  });
}

function explicitPass(plan: TrainingPlan, data: ReturnType<typeof batch>, inputScale = 1): Pass {
  return tf.tidy(() => {
    const images = data.images.map((value) => value / inputScale);
    const result = forwardBackward(plan, tf.tensor4d(images, [BATCH, 28, 28, 1]), tf.tensor2d(data.labels, [BATCH, 10]), inputScale);
    const [loss, correct] = result.metrics.dataSync();
    return { loss: loss!, correct: correct!, gradients: result.gradients.map((gradient) => gradient.tensor.dataSync() as Float32Array) };
  });
}

describe('forwardBackward', () => {
  beforeAll(async () => {
    registerTrainingKernels('wasm');
    registerTrainingKernels('cpu');
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const activation of ['relu', 'leakyrelu', 'softmax'] as Activation[]) {
      it(`gives the tape's loss, count and gradients on ${backend}, ${activation}`, async () => {
        await tf.setBackend(backend);
        expect(backpropAvailable()).toBe(true);
        const model = buildLenet5({ activation, seed: 5 });
        const outcome = planSequentialTraining(model);
        if (!outcome.supported) throw new Error(outcome.reason);
        const data = batch(9);
        const tape = tapePass(model, data);
        const explicit = explicitPass(outcome.plan, data);
        expect(explicit.loss).toBeCloseTo(tape.loss, 5);
        expect(explicit.correct).toBe(tape.correct);
        explicit.gradients.forEach((gradient, i) => {
          const scale = Math.max(...tape.gradients[i]!.map(Math.abs), 1e-30);
          const scaled = (values: Float32Array) => values.map((value) => value / scale);
          expect(maxRelativeError(scaled(gradient), scaled(tape.gradients[i]!)), `gradient ${i}`).toBeLessThan(1e-4);
        });
        model.dispose();
      });
    }
  }

  it('scales the input by inputScale, in a first rescaling stage or before a first convolution', async () => {
    await tf.setBackend('wasm');
    const data = batch(13);
    for (const model of [buildLenet5({ activation: 'relu', seed: 5 }), withoutRescaling()]) {
      const outcome = planSequentialTraining(model);
      if (!outcome.supported) throw new Error(outcome.reason);
      const reference = explicitPass(outcome.plan, data);
      // Raw bytes 0-255 with the 1/255 factor give the pass of the [0, 1] pixels.
      const fromBytes = explicitPass(outcome.plan, data, 1 / 255);
      expect(fromBytes.loss).toBeCloseTo(reference.loss, 5);
      fromBytes.gradients.forEach((gradient, i) => {
        const scale = Math.max(...reference.gradients[i]!.map(Math.abs), 1e-30);
        expect(maxRelativeError(gradient.map((value) => value / scale), reference.gradients[i]!.map((value) => value / scale)), `gradient ${i}`).toBeLessThan(1e-4);
      });
      // Left unscaled, the bytes give another pass: the factor is applied, not ignored.
      expect(Math.abs(explicitPass(outcome.plan, { ...data, images: data.images.map((value) => value * 255) }).loss - reference.loss)).toBeGreaterThan(1e-3);
      model.dispose();
    }
  });
});

/** A small classifier that starts with a convolution, no rescaling. */
function withoutRescaling(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 5, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
}
