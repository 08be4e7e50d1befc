import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_GRAD_KERNEL, type OutputActivation } from './activation-grad.js';
import { registerTrainingKernels, type TrainingBackendName } from './index.js';
import { OPTIMIZER_UPDATE_KERNELS } from './optimizer-update.js';
import { SOFTMAX_CROSS_ENTROPY_KERNEL } from './softmax-cross-entropy.js';
import { maxRelativeError, randomInt, randomValues, referenceMatMul, seededRandom } from './testing/naive-reference.js';
import { setFusedMultiplyAddEnabled, setGeneratedKernelsEnabled } from './wasm/simd/runtime.js';

// The oracles: tfjs's own ops on the cpu backend, captured before hptune's kernels are registered.
const tfjsCpuFusedConv2D = tf.getKernel('FusedConv2D', 'cpu')!;

const size = (shape: readonly number[]) => shape.reduce((s, d) => s * d, 1);

interface ActivationCase {
  shape: number[];
  activation: OutputActivation;
  x: Float32Array;
  y: Float32Array;
  dy: Float32Array;
  expected: Float32Array;
}

/** dx for y = f(x) through tfjs's own gradient of relu, leakyRelu(0.01) or softmax. */
/** Softmax shapes: LeNet's (6 and 16 channels, 120 and 84 features), both generated layouts with rows left over, none. */
const SOFTMAX_SHAPES = [[64, 28, 28, 6], [5, 10, 10, 16], [64, 120], [7, 84], [3, 5, 7], [9, 1], [2, 3, 20], [3, 17], [1, 4]];

function activationCases(random: () => number): ActivationCase[] {
  const drawn = Array.from({ length: 21 }, () => Array.from({ length: randomInt(random, 1, 4) }, () => randomInt(random, 1, 9)));
  const activations: OutputActivation[] = ['relu', 'leakyrelu', 'softmax'];
  const cases = [
    ...[[64, 28, 28, 6], [7, 10, 10, 16], [5, 3], [3, 7]].flatMap((shape) => activations.slice(0, 2).map((activation) => ({ shape, activation }))),
    ...SOFTMAX_SHAPES.map((shape) => ({ shape, activation: 'softmax' as const })),
    ...drawn.map((shape, i) => ({ shape, activation: activations[i % 3]! })),
  ];
  return cases.map(({ shape, activation }) => {
    const x = randomValues(random, size(shape));
    const dy = randomValues(random, size(shape), 0);
    const apply = (input: tf.Tensor) => (activation === 'relu' ? tf.relu(input) : activation === 'leakyrelu' ? tf.leakyRelu(input, 0.01) : tf.softmax(input));
    return tf.tidy(() => {
      const input = tf.tensor(x, shape);
      const y = apply(input).dataSync() as Float32Array;
      const expected = tf.grad(apply)(input, tf.tensor(dy, shape)).dataSync() as Float32Array;
      return { shape, activation, x, y, dy, expected };
    });
  });
}

interface SoftmaxCase {
  shape: number[];
  x: Float32Array;
  expected: Float32Array;
}

/** tfjs-backend-cpu's softmax over the last axis, on logits of LeNet's scale and larger. */
function softmaxCases(random: () => number): SoftmaxCase[] {
  return SOFTMAX_SHAPES.map((shape, i) => {
    const x = randomValues(random, size(shape), 0.1).map((v) => v * (i % 2 === 0 ? 4 : 60));
    return { shape, x, expected: tf.tidy(() => tf.softmax(tf.tensor(x, shape)).dataSync() as Float32Array) };
  });
}

interface ConvCase {
  xShape: number[];
  filterShape: number[];
  attrs: tf.NamedAttrMap;
  x: Float32Array;
  filter: Float32Array;
  bias: Float32Array | undefined;
  expected: Float32Array;
}

/** Convolutions (single- and multi-channel ones the generated kernels take, and others they hand back) with tfjs-backend-cpu's answers. */
function convCases(random: () => number): ConvCase[] {
  const fixed = [
    { xShape: [64, 28, 28, 1], filterShape: [5, 5, 1, 6], pad: 'same', activation: 'relu', bias: true },
    { xShape: [3, 9, 12, 1], filterShape: [3, 5, 1, 12], pad: 'valid', activation: 'linear', bias: false },
    { xShape: [2, 7, 7, 1], filterShape: [3, 3, 1, 13], pad: 'same', activation: 'relu', bias: true },
    { xShape: [2, 10, 10, 2], filterShape: [3, 3, 2, 4], pad: 'same', activation: 'relu', bias: true },
    { xShape: [2, 6, 6, 1], filterShape: [3, 3, 1, 3], pad: 'same', activation: 'leakyrelu', bias: true },
    // Multi-channel, unpadded, whole channel vectors: the generated channel convolution.
    { xShape: [64, 14, 14, 6], filterShape: [5, 5, 6, 16], pad: 'valid', activation: 'relu', bias: true },
    { xShape: [3, 9, 12, 3], filterShape: [3, 4, 3, 12], pad: 'valid', activation: 'linear', bias: false },
    { xShape: [2, 11, 9, 5], filterShape: [2, 3, 5, 20], pad: 'valid', activation: 'relu', bias: true, strides: [2, 3] },
    { xShape: [1, 5, 5, 2], filterShape: [5, 5, 2, 4], pad: 'valid', activation: 'relu', bias: true },
    // Multi-channel ones it hands back: padded, or a channel count not in whole vectors.
    { xShape: [2, 7, 7, 3], filterShape: [3, 3, 3, 8], pad: 'same', activation: 'relu', bias: true },
    { xShape: [2, 7, 7, 3], filterShape: [3, 3, 3, 6], pad: 'valid', activation: 'relu', bias: true },
  ];
  const drawn = Array.from({ length: 16 }, (_, i) => {
    const size = randomInt(random, 1, 13);
    const kernel = randomInt(random, 1, 5);
    return {
      xShape: [randomInt(random, 1, 3), randomInt(random, kernel, 14), size + kernel, 1],
      filterShape: [kernel, kernel, 1, randomInt(random, 1, 12)],
      pad: i % 2 === 0 ? 'same' : 'valid',
      activation: i % 3 === 0 ? 'linear' : 'relu',
      bias: i % 4 !== 1,
    };
  });
  return [...fixed, ...drawn].map(({ xShape, filterShape, pad, activation, bias, strides = [1, 1] }: { xShape: number[]; filterShape: number[]; pad: string; activation: string; bias: boolean; strides?: number[] }) => {
    const attrs: tf.NamedAttrMap = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation, leakyreluAlpha: 0.01 };
    const x = randomValues(random, size(xShape));
    const filter = randomValues(random, size(filterShape));
    const biasValues = bias ? randomValues(random, filterShape[3]!) : undefined;
    const inputs: tf.NamedTensorMap = { x: tf.tensor(x, xShape), filter: tf.tensor(filter, filterShape) };
    if (biasValues) inputs['bias'] = tf.tensor1d(biasValues);
    const out = tf.engine().makeTensorFromTensorInfo(tfjsCpuFusedConv2D.kernelFunc({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo);
    const expected = out.dataSync() as Float32Array;
    tf.dispose([out, ...Object.values(inputs)]);
    return { xShape, filterShape, attrs, x, filter, bias: biasValues, expected };
  });
}

interface DenseForwardCase {
  m: number;
  t: number;
  n: number;
  activation: 'linear' | 'relu';
  bias: boolean;
  values: { a: Float32Array; b: Float32Array; bias: Float32Array };
  expected: Float32Array;
}

/** Dense layers' forward products (LeNet's, tails of rows and columns, with and without bias) on tfjs-backend-cpu. */
function denseForwardCases(random: () => number): DenseForwardCase[] {
  const shapes = [[64, 400, 120], [64, 120, 84], [64, 84, 10], [32, 400, 120], [1000, 84, 10], [7, 33, 13], [3, 50, 6], [5, 17, 45]];
  return shapes.map(([m, t, n], i) => {
    const values = { a: randomValues(random, m! * t!), b: randomValues(random, t! * n!), bias: randomValues(random, n!) };
    const activation = i % 3 === 2 ? 'linear' : 'relu';
    const bias = i % 4 !== 3;
    const expected = tf.tidy(
      () => tf.fused.matMul({ a: tf.tensor2d(values.a, [m!, t!]), b: tf.tensor2d(values.b, [t!, n!]), bias: bias ? tf.tensor1d(values.bias) : undefined, activation }).dataSync() as Float32Array,
    );
    return { m: m!, t: t!, n: n!, activation, bias, values, expected };
  });
}

interface LossCase {
  logits: Float32Array;
  labels: Float32Array;
  rows: number;
  classes: number;
  loss: number;
  correct: number;
  gradient: Float32Array;
}

/** The trainer's softmax output, clipped cross-entropy and accuracy, differentiated by tfjs. */
function lossCases(random: () => number): LossCase[] {
  return Array.from({ length: 12 }, (_, i) => {
    const rows = randomInt(random, 1, 70);
    const classes = randomInt(random, 2, 12);
    // Some cases with huge logits, so probabilities hit the clip bounds.
    const scale = i % 3 === 0 ? 40 : 3;
    const logits = randomValues(random, rows * classes, 0.1).map((v) => v * scale);
    const labels = new Float32Array(rows * classes);
    for (let row = 0; row < rows; row++) labels[row * classes + randomInt(random, 0, classes - 1)] = 1;
    return tf.tidy(() => {
      const z = tf.tensor2d(logits, [rows, classes]);
      const y = tf.tensor2d(labels, [rows, classes]);
      const lossOf = (input: tf.Tensor) => {
        const clipped = tf.clipByValue(tf.softmax(input), 1e-7, 1 - 1e-7);
        return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(clipped)), -1)));
      };
      const probabilities = tf.softmax(z);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, -1), tf.argMax(y, -1)), 'int32')).dataSync()[0]!;
      return { logits, labels, rows, classes, loss: lossOf(z).dataSync()[0]!, correct, gradient: tf.grad(lossOf)(z).dataSync() as Float32Array };
    });
  });
}

let oracleCases:
  | Promise<{ activations: ActivationCase[]; losses: LossCase[]; softmaxes: SoftmaxCase[]; convolutions: ConvCase[]; denseForwards: DenseForwardCase[] }>
  | undefined;

/** The seeded cases with the cpu backend's answers, computed once for every configuration. */
function oracles() {
  oracleCases ??= (async () => {
    await tf.setBackend('cpu');
    const random = seededRandom(41);
    return { activations: activationCases(random), losses: lossCases(random), softmaxes: softmaxCases(random), convolutions: convCases(random), denseForwards: denseForwardCases(random) };
  })();
  return oracleCases;
}

const CONFIGURATIONS: { label: string; backendName: TrainingBackendName; simd: boolean; fusedMultiplyAdd?: boolean }[] = [
  { label: 'wasm (generated SIMD kernels)', backendName: 'wasm', simd: true },
  { label: 'wasm (generated SIMD kernels, multiply and add unfused)', backendName: 'wasm', simd: true, fusedMultiplyAdd: false },
  { label: 'wasm (JS loops)', backendName: 'wasm', simd: false },
  { label: 'cpu', backendName: 'cpu', simd: false },
];

describe.each(CONFIGURATIONS)('training-step kernels on $label', ({ backendName, simd, fusedMultiplyAdd = true }) => {
  let activations: ActivationCase[] = [];
  let losses: LossCase[] = [];
  let softmaxes: SoftmaxCase[] = [];
  let convolutions: ConvCase[] = [];
  let denseForwards: DenseForwardCase[] = [];
  beforeAll(async () => {
    ({ activations, losses, softmaxes, convolutions, denseForwards } = await oracles());
    await tf.setBackend(backendName);
    registerTrainingKernels(backendName);
    setGeneratedKernelsEnabled(simd);
    setFusedMultiplyAddEnabled(fusedMultiplyAdd);
  });
  afterAll(() => {
    setGeneratedKernelsEnabled(true);
    setFusedMultiplyAddEnabled(true);
  });

  it("Softmax over the last axis equals tfjs-backend-cpu's (LeNet's shapes, rows left over, large logits)", () => {
    for (const { shape, x, expected } of softmaxes) {
      const y = tf.tidy(() => tf.softmax(tf.tensor(x, shape)));
      expect(maxRelativeError(y.dataSync(), expected), `[${shape.join(',')}]`).toBeLessThan(1e-6);
      y.dispose();
    }
  });

  it("FusedConv2D equals tfjs-backend-cpu's on 27 seeded convolutions (single- and multi-channel ones, and others)", () => {
    expect(convolutions.length).toBe(27);
    for (const { xShape, filterShape, attrs, x, filter, bias, expected } of convolutions) {
      const y = tf.tidy(() => {
        const inputs: tf.NamedTensorMap = { x: tf.tensor(x, xShape), filter: tf.tensor(filter, filterShape) };
        if (bias) inputs['bias'] = tf.tensor1d(bias);
        return tf.engine().runKernel('FusedConv2D', inputs, attrs) as tf.Tensor;
      });
      expect(maxRelativeError(y.dataSync(), expected), JSON.stringify({ xShape, filterShape, attrs })).toBeLessThan(1e-5);
      y.dispose();
    }
  });

  it("the dense layers' gradient products (xᵀ·dz, dz·Wᵀ) equal the naive product, tails of rows and columns included", () => {
    const random = seededRandom(45);
    const shapes = [
      [400, 120, 64],
      [120, 84, 64],
      [84, 10, 64],
      [64, 400, 120],
      [64, 120, 84],
      [64, 84, 10],
      [37, 13, 29],
      [9, 21, 36],
      ...Array.from({ length: 12 }, () => [randomInt(random, 1, 70), randomInt(random, 1, 70), randomInt(random, 1, 90)]),
    ];
    for (const [m, n, k] of shapes) {
      for (const [transposeA, transposeB] of [
        [true, false],
        [false, true],
      ] as const) {
        const aShape: [number, number] = transposeA ? [k!, m!] : [m!, k!];
        const bShape: [number, number] = transposeB ? [n!, k!] : [k!, n!];
        const a = randomValues(random, m! * k!);
        const b = randomValues(random, k! * n!);
        const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, aShape), tf.tensor2d(b, bShape), transposeA, transposeB));
        expect(product.shape).toEqual([m, n]);
        const error = maxRelativeError(product.dataSync(), referenceMatMul(a, aShape, b, bShape, transposeA, transposeB));
        expect(error, JSON.stringify({ m, n, k, transposeA, transposeB })).toBeLessThan(1e-4);
        product.dispose();
      }
    }
  });

  it("_FusedMatMul (a dense layer's forward pass: bias, linear or relu) equals tfjs-backend-cpu's", () => {
    for (const { m, t, n, values, expected, activation, bias } of denseForwards) {
      const y = tf.tidy(() =>
        tf.fused.matMul({ a: tf.tensor2d(values.a, [m, t]), b: tf.tensor2d(values.b, [t, n]), bias: bias ? tf.tensor1d(values.bias) : undefined, activation }),
      );
      expect(y.shape).toEqual([m, n]);
      expect(maxRelativeError(y.dataSync(), expected), JSON.stringify({ m, t, n, activation, bias })).toBeLessThan(1e-5);
      y.dispose();
    }
  });

  it("LeakyRelu equals tfjs-backend-cpu's (alpha 0.01)", () => {
    const leaky = activations.filter((c) => c.activation === 'leakyrelu');
    expect(leaky.length).toBeGreaterThan(5);
    for (const { shape, x, y } of leaky) {
      const ours = tf.tidy(() => tf.leakyRelu(tf.tensor(x, shape), 0.01));
      expect(maxRelativeError(ours.dataSync(), y), `[${shape.join(',')}]`).toBeLessThan(1e-6);
      ours.dispose();
    }
  });

  it(`${ACTIVATION_GRAD_KERNEL} equals tfjs's relu, leaky relu and softmax gradients on 38 seeded shapes`, () => {
    expect(activations.length).toBe(38);
    for (const { shape, activation, y, dy, expected } of activations) {
      const dx = tf.tidy(() => tf.engine().runKernel(ACTIVATION_GRAD_KERNEL, { dy: tf.tensor(dy, shape), y: tf.tensor(y, shape) }, { activation, alpha: 0.01 }) as tf.Tensor);
      expect(dx.shape).toEqual(shape);
      expect(maxRelativeError(dx.dataSync(), expected), `${activation} [${shape.join(',')}]`).toBeLessThan(1e-6);
      dx.dispose();
    }
  });

  it(`${SOFTMAX_CROSS_ENTROPY_KERNEL} gives tfjs's loss, correct count and logits gradient, clipping included`, () => {
    for (const { logits, labels, rows, classes, loss, correct, gradient } of losses) {
      const [metrics, dz] = tf.tidy(() => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits: tf.tensor2d(logits, [rows, classes]), labels: tf.tensor2d(labels, [rows, classes]) }, {}) as tf.Tensor[]);
      const [ourLoss, ourCorrect] = metrics!.dataSync();
      expect(ourLoss).toBeCloseTo(loss, 5);
      expect(ourCorrect).toBe(correct);
      expect(maxRelativeError(dz!.dataSync(), gradient), `[${rows}, ${classes}]`).toBeLessThan(1e-6);
      tf.dispose([metrics!, dz!]);
    }
  });

  it('the fused optimizer updates equal tfjs’s adam and sgd and PyTorch’s rmsprop over five steps (odd lengths included)', async () => {
    const random = seededRandom(43);
    for (const kind of ['adam', 'rmsprop', 'sgd'] as const) {
      for (const shape of [[5, 5, 1, 6], [400, 120], [7], [3, 3]]) {
        const start = randomValues(random, size(shape), 0);
        const gradients = Array.from({ length: 5 }, () => randomValues(random, size(shape), 0.1));
        const reference = kind === 'rmsprop' ? pytorchRmspropSteps(start, gradients) : await withBackend('cpu', () => stockSteps(kind, start, shape, gradients));
        const ours = fusedSteps(kind, start, shape, gradients);
        expect(maxRelativeError(ours, reference), `${kind} [${shape.join(',')}]`).toBeLessThan(2e-6);
      }
    }
  });
});

describe('FusedConv2D on cpu', () => {
  it("equals tfjs-backend-cpu's own (bias, linear/relu/leaky relu, same/valid, strides)", async () => {
    await tf.setBackend('cpu');
    registerTrainingKernels('cpu');
    const random = seededRandom(44);
    for (let trial = 0; trial < 12; trial++) {
      const xShape = [randomInt(random, 1, 3), randomInt(random, 5, 12), randomInt(random, 5, 12), randomInt(random, 1, 4)];
      const filterShape = [randomInt(random, 1, 5), randomInt(random, 1, 5), xShape[3]!, randomInt(random, 1, 6)];
      const attrs = {
        strides: [randomInt(random, 1, 2), randomInt(random, 1, 2)],
        pad: trial % 2 === 0 ? 'same' : 'valid',
        dataFormat: 'NHWC',
        dilations: [1, 1],
        activation: (['linear', 'relu', 'leakyrelu'] as const)[trial % 3]!,
        leakyreluAlpha: 0.01,
      };
      const inputs = { x: tf.tensor(randomValues(random, size(xShape)), xShape), filter: tf.tensor(randomValues(random, size(filterShape)), filterShape), bias: tf.tensor1d(randomValues(random, filterShape[3]!)) };
      const ours = tf.engine().runKernel('FusedConv2D', inputs, attrs) as tf.Tensor;
      const theirs = tf.engine().makeTensorFromTensorInfo(tfjsCpuFusedConv2D.kernelFunc({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo);
      expect(ours.shape).toEqual(theirs.shape);
      expect(maxRelativeError(ours.dataSync(), theirs.dataSync()), JSON.stringify({ xShape, filterShape, attrs })).toBeLessThan(1e-5);
      tf.dispose([ours, theirs, ...Object.values(inputs)]);
    }
  });
});

async function withBackend<T>(backendName: string, body: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(backendName);
  try {
    return body();
  } finally {
    await tf.setBackend(previous);
  }
}

function stockOptimizer(kind: 'adam' | 'sgd'): tf.Optimizer {
  if (kind === 'adam') return tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  return tf.train.sgd(0.01);
}

/**
 * The weights after PyTorch's RMSprop (lr 0.01, alpha 0.99, eps 1e-8, as `torch.optim.RMSprop`
 * documents it: eps added after the square root) applied `gradients` one after the other.
 */
function pytorchRmspropSteps(start: Float32Array, gradients: Float32Array[]): Float32Array {
  const weights = Float64Array.from(start);
  const meanSquare = new Float64Array(start.length);
  for (const gradient of gradients) {
    for (let i = 0; i < weights.length; i++) {
      const g = gradient[i]!;
      meanSquare[i] = 0.99 * meanSquare[i]! + 0.01 * g * g;
      weights[i] = weights[i]! - (0.01 * g) / (Math.sqrt(meanSquare[i]!) + 1e-8);
    }
  }
  return Float32Array.from(weights);
}

/** The weights after tfjs's own optimizer applied `gradients` one after the other. */
function stockSteps(kind: 'adam' | 'sgd', start: Float32Array, shape: number[], gradients: Float32Array[]): Float32Array {
  const variable = tf.variable(tf.tensor(start, shape));
  const optimizer = stockOptimizer(kind);
  for (const gradient of gradients) tf.tidy(() => optimizer.applyGradients({ [variable.name]: tf.tensor(gradient, shape) }));
  const values = variable.dataSync() as Float32Array;
  optimizer.dispose();
  variable.dispose();
  return values;
}

/** The same through the fused kernels, with the update rule's slots carried from step to step. */
function fusedSteps(kind: 'adam' | 'rmsprop' | 'sgd', start: Float32Array, shape: number[], gradients: Float32Array[]): Float32Array {
  let weights = tf.tensor(start, shape);
  let slots = Array.from({ length: kind === 'adam' ? 2 : kind === 'rmsprop' ? 1 : 0 }, () => tf.zeros(shape));
  gradients.forEach((gradient, i) => {
    const step = i + 1;
    const attrs =
      kind === 'adam'
        ? { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, firstCorrection: 1 - 0.9 ** step, secondCorrection: 1 - 0.999 ** step }
        : kind === 'rmsprop'
          ? { learningRate: 0.01, decay: 0.99, epsilon: 1e-8 }
          : { learningRate: 0.01 };
    const names = kind === 'adam' ? ['firstMoment', 'secondMoment'] : kind === 'rmsprop' ? ['meanSquare'] : [];
    const inputs: tf.NamedTensorMap = { variable: weights, gradient: tf.tensor(gradient, shape) };
    names.forEach((name, s) => (inputs[name] = slots[s]!));
    const [next, ...nextSlots] = tf.engine().runKernel(OPTIMIZER_UPDATE_KERNELS[kind], inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    tf.dispose([weights, inputs['gradient']!, ...slots]);
    weights = next!;
    slots = nextSlots;
  });
  const values = weights.dataSync() as Float32Array;
  tf.dispose([weights, ...slots]);
  return values;
}
