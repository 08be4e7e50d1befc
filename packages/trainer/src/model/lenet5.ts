import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import type { Activation } from '../settings.js';
import { createRandom } from '../random.js';

/**
 * Leaky ReLU's slope for negative inputs: PyTorch's `nn.LeakyReLU` default (Keras and
 * TensorFlow.js default to 0.3; we follow the PyTorch original).
 */
export const LEAKY_RELU_ALPHA = 0.01;

/**
 * Mean and standard deviation of MNIST's training pixels scaled to [0, 1]: the model's first
 * layer standardises its input with them (PyTorch's MNIST examples' `Normalize((0.1307,), (0.3081,))`),
 * inside the saved model, so whoever loads `model.json` feeds plain [0, 1] pixels.
 */
export const MNIST_PIXEL_STATISTICS = { mean: 0.1307, std: 0.3081 } as const;

/** Options of {@link buildLenet5}. */
export interface Lenet5Options {
  /** Activation of the four hidden layers (both convolutions, both hidden dense layers). */
  activation: Activation;
  /** Seed of the initial weights and biases (PyTorch's default initialization, see {@link pytorchDefaultInitializer}). */
  seed: number;
  /** Image height and width in pixels. @default 28 */
  imageSize?: number;
  /** Output classes. @default 10 */
  classes?: number;
}

/**
 * PyTorch's default initialization of a `Conv2d` or `Linear` layer: kernel and bias both uniform in
 * `[-1/√fanIn, 1/√fanIn]`, where `fanIn` is the layer's inputs per output (input channels × kernel
 * height × kernel width for a convolution). PyTorch draws the kernel with
 * `kaiming_uniform_(a=√5)`, whose bound `√(6 / ((1 + a²)·fanIn))` is that same `1/√fanIn`.
 *
 * Not Keras's Glorot-uniform kernels and zero biases (dense 1's kernel would be drawn twice as wide,
 * every bias 0): the seed study's results come from PyTorch's start. `pnpm bench:fidelity`'s lockstep
 * section shows the two frameworks then take the same steps.
 *
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
 */
export function pytorchDefaultInitializer(fanIn: number, seed: number): ReturnType<typeof tf.initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return tfjs.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/**
 * Builds LeNet-5: conv 6@5x5 'same' -> 2x2 max pool -> conv 16@5x5 'valid' -> 2x2 max pool ->
 * dense 120 -> dense 84 -> dense 10 softmax, with `activation` on every hidden layer, after a
 * weightless layer that standardises the pixels ({@link MNIST_PIXEL_STATISTICS}). Weights and
 * biases start as PyTorch's do ({@link pytorchDefaultInitializer}).
 *
 * Pooling is max pooling, as modern LeNet-5s use it: on MNIST it reaches about half a point more
 * test accuracy after one epoch than the 1998 paper's average pooling (measured here: 97.6-97.9%
 * against 96.7-97.0% over two seeds, relu/adam, batch 64). `softmax` as a hidden activation
 * normalises over the channel axis of the convolutions (the last axis in TensorFlow.js's NHWC,
 * `dim=1` in PyTorch's NCHW) and over the features of the dense layers. Input: `[batch, 28, 28, 1]`
 * pixels in [0, 1]; output: class probabilities `[batch, 10]`.
 */
export function buildLenet5(options: Lenet5Options): tf.Sequential {
  const imageSize = options.imageSize ?? 28;
  const random = createRandom(options.seed);
  const initializers = (fanIn: number) => ({
    kernelInitializer: pytorchDefaultInitializer(fanIn, Math.floor(random() * 2 ** 31)),
    biasInitializer: pytorchDefaultInitializer(fanIn, Math.floor(random() * 2 ** 31)),
  });
  // 'same' 5x5 conv keeps the size, pooling halves it, the 'valid' 5x5 conv takes 4 off, pooling halves it.
  const flattened = Math.floor((Math.floor(imageSize / 2) - 4) / 2) ** 2 * 16;
  const model = tfjs.sequential({ name: 'lenet5' });
  const activated = (layer: (activation: 'relu' | 'softmax' | 'linear') => tf.layers.Layer, name: string) => {
    if (options.activation === 'leakyrelu') {
      model.add(layer('linear'));
      model.add(tfjs.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name: `${name}_leakyrelu` }));
    } else {
      model.add(layer(options.activation));
    }
  };
  const { mean, std } = MNIST_PIXEL_STATISTICS;
  model.add(tfjs.layers.rescaling({ name: 'normalize', inputShape: [imageSize, imageSize, 1], scale: 1 / std, offset: -mean / std }));
  activated((activation) => tfjs.layers.conv2d({ name: 'conv1', filters: 6, kernelSize: 5, padding: 'same', activation, ...initializers(1 * 5 * 5) }), 'conv1');
  model.add(tfjs.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
  activated((activation) => tfjs.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 5, padding: 'valid', activation, ...initializers(6 * 5 * 5) }), 'conv2');
  model.add(tfjs.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
  model.add(tfjs.layers.flatten({ name: 'flatten' }));
  activated((activation) => tfjs.layers.dense({ name: 'dense1', units: 120, activation, ...initializers(flattened) }), 'dense1');
  activated((activation) => tfjs.layers.dense({ name: 'dense2', units: 84, activation, ...initializers(120) }), 'dense2');
  model.add(tfjs.layers.dense({ name: 'output', units: options.classes ?? 10, activation: 'softmax', ...initializers(84) }));
  return model;
}

const PROBABILITY_EPSILON = 1e-7;

/**
 * Categorical cross-entropy of predicted probabilities against one-hot labels, averaged (for a
 * training step) or summed (for evaluation over several batches) over the batch. Probabilities
 * are clipped to [1e-7, 1 - 1e-7] as Keras does, so a confident mistake stays finite.
 */
export function crossEntropy(probabilities: tf.Tensor2D, oneHotLabels: tf.Tensor2D, reduction: 'mean' | 'sum' = 'mean'): tf.Scalar {
  return tfjs.tidy(() => {
    const clipped = tfjs.clipByValue(probabilities, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    const perImage = tfjs.neg(tfjs.sum(tfjs.mul(oneHotLabels, tfjs.log(clipped)), -1));
    return reduction === 'mean' ? tfjs.mean<tf.Scalar>(perImage) : tfjs.sum<tf.Scalar>(perImage);
  });
}

/** The number of rows whose most probable class is the labelled one, as an int32 scalar. */
export function countCorrect(probabilities: tf.Tensor2D, oneHotLabels: tf.Tensor2D): tf.Scalar {
  return tfjs.tidy(() => tfjs.sum<tf.Scalar>(tfjs.cast(tfjs.equal(tfjs.argMax(probabilities, -1), tfjs.argMax(oneHotLabels, -1)), 'int32')));
}
