import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { batchesOf, type Batch } from '../data/batches.js';
import type { ImageSet } from '../data/mnist.js';
import { countCorrect, crossEntropy } from '../model/lenet5.js';
import { planSequentialTraining } from './backprop/plan.js';
import { backpropAvailable, forwardBackward } from './backprop/run.js';

/** What one training step or one evaluation returns. */
export interface StepResult {
  /** Mean cross-entropy over the images. */
  readonly loss: number;
  /** Images classified right. */
  readonly correct: number;
}

/** One full training step on a batch: forward, backward, optimizer update. */
export type TrainStep = (batch: Batch) => Promise<StepResult>;

/** How a train step computes gradients. */
export type GradientPath = 'auto' | 'tape';

/** Options of {@link createTrainStep}. */
export interface TrainStepOptions {
  /**
   * `auto`: the explicit backward pass (`backprop/`) where the backend has its kernels and the
   * model is a plain sequential classifier, else tfjs's gradient tape; `tape`: always the tape
   * (the reference the explicit pass is checked against). @default 'auto'
   */
  gradients?: GradientPath;
}

/**
 * Creates the training step of `model` under `optimizer`. Each call makes the batch's tensors,
 * updates the weights, reads back the loss and the correct count, and disposes everything it
 * made: the number of live tensors is the same after each call (the optimizer's slots, made on
 * the first call, aside).
 *
 * On wasm and cpu the gradients come from an explicit backward pass over the model's layers (a
 * few dozen kernels, no gradient tape); tfjs-node and tfjs-node-gpu, and models with layers that
 * pass does not know, train through `optimizer.minimize` as before.
 */
export function createTrainStep(model: tf.LayersModel, optimizer: tf.Optimizer, options: TrainStepOptions = {}): TrainStep {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const [, height, width, channels] = inputShape(model);
  const classes = outputClasses(model);
  const outcome = options.gradients === 'tape' || !backpropAvailable() ? undefined : planSequentialTraining(model);
  if (outcome?.supported) {
    const plan = outcome.plan;
    return async (batch) => {
      const { metrics, gradients } = tfjs.tidy(() => {
        const pixels = tfjs.tensor4d(batch.images, [batch.size, height, width, channels]);
        const labels = tfjs.tensor2d(batch.oneHotLabels, [batch.size, classes]);
        const result = forwardBackward(plan, pixels, labels, batch.pixelScale);
        return { metrics: result.metrics, gradients: result.gradients.map(({ tensor }) => tensor) };
      });
      try {
        // The update runs once the pass's intermediates are gone, so that no reshaped view shares
        // a variable's memory and the fused optimizer can write the new weights in place.
        try {
          optimizer.applyGradients(gradients.map((tensor, i) => ({ name: (plan.variables[i] as tf.Variable).name, tensor })));
        } finally {
          tfjs.dispose(gradients);
        }
        const [loss, correct] = await metrics.data();
        return { loss: loss as number, correct: correct as number };
      } finally {
        metrics.dispose();
      }
    };
  }
  return async (batch) => {
    const { images, labels } = tfjs.tidy(() => batchTensors(batch, [height, width, channels], classes));
    let correct: tf.Scalar | undefined;
    let loss: tf.Scalar | null = null;
    try {
      loss = optimizer.minimize(
        () => {
          const probabilities = model.apply(images, { training: true }) as tf.Tensor2D;
          correct = tfjs.keep(countCorrect(probabilities, labels));
          return crossEntropy(probabilities, labels);
        },
        true,
        variables,
      );
      const [lossValue, correctValue] = await Promise.all([(loss as tf.Scalar).data(), (correct as tf.Scalar).data()]);
      return { loss: lossValue[0] as number, correct: correctValue[0] as number };
    } finally {
      tfjs.dispose([images, labels, ...(loss ? [loss] : []), ...(correct ? [correct] : [])]);
    }
  };
}

/**
 * Evaluates `model` on a whole image set, `batchSize` images at a time.
 *
 * @returns the mean cross-entropy and the images classified right.
 */
export async function evaluate(model: tf.LayersModel, set: ImageSet, batchSize = 1000): Promise<StepResult> {
  const [, height, width, channels] = inputShape(model);
  const classes = outputClasses(model);
  let lossSum = 0;
  let correct = 0;
  for (const batch of batchesOf(set, { batchSize, classes, reuseArrays: true })) {
    const [batchLoss, batchCorrect] = tfjs.tidy(() => {
      const { images, labels } = batchTensors(batch, [height, width, channels], classes);
      const probabilities = model.apply(images, { training: false }) as tf.Tensor2D;
      return [crossEntropy(probabilities, labels, 'sum'), countCorrect(probabilities, labels)];
    });
    try {
      const [lossValue, correctValue] = await Promise.all([batchLoss.data(), batchCorrect.data()]);
      lossSum += lossValue[0] as number;
      correct += correctValue[0] as number;
    } finally {
      tfjs.dispose([batchLoss, batchCorrect]);
    }
  }
  return { loss: lossSum / set.count, correct };
}

/**
 * The model's input and label tensors of `batch`: its pixels times its `pixelScale` (one kernel,
 * skipped when the scale is 1) and its one-hot labels. Inside a `tidy`, the unscaled pixels are
 * released with it.
 */
function batchTensors(batch: Batch, [height, width, channels]: readonly [number, number, number], classes: number): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  const pixels = tfjs.tensor4d(batch.images, [batch.size, height, width, channels]);
  const images = batch.pixelScale === 1 ? pixels : tfjs.mul<tf.Tensor4D>(pixels, tfjs.scalar(batch.pixelScale));
  return { images, labels: tfjs.tensor2d(batch.oneHotLabels, [batch.size, classes]) };
}

function inputShape(model: tf.LayersModel): [number, number, number, number] {
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length !== 4) throw new Error(`expected a model with one image input [batch, height, width, channels], got ${JSON.stringify(shape)}`);
  return shape.map((size) => size ?? -1) as [number, number, number, number];
}

function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (typeof classes !== 'number') throw new Error(`expected a model with one output [batch, classes], got ${JSON.stringify(shape)}`);
  return classes;
}
