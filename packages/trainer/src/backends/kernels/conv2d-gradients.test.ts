import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ValidationError } from '@hptune/trial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels, type TrainingBackendName } from './index.js';
import { COLUMN_SCRATCH_BYTES } from './wasm/conv2d-backprop-input.js';
import { setFusedMultiplyAddEnabled, setGeneratedKernelsEnabled } from './wasm/simd/runtime.js';
import {
  maxRelativeError,
  randomInt,
  randomValues,
  type ReferenceConv,
  referenceFilterGradient,
  referenceInputGradient,
  seededRandom,
} from './testing/naive-reference.js';

// tfjs-backend-cpu's own kernels, captured before registerTrainingKernels('cpu') replaces them.
const tfjsCpuFilterGradient = tf.getKernel('Conv2DBackpropFilter', 'cpu')!;
const tfjsCpuInputGradient = tf.getKernel('Conv2DBackpropInput', 'cpu')!;
const tfjsCpuConv2D = tf.getKernel('Conv2D', 'cpu')!;

type Padding = tf.Conv2DBackpropFilterAttrs['pad'];

interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: Padding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A random small convolution covering every padding form, strides 1-3 and odd sizes. */
function randomCase(random: () => number): ConvCase {
  const batch = randomInt(random, 1, 3);
  const inHeight = randomInt(random, 1, 9);
  const inWidth = randomInt(random, 1, 9);
  const strides: [number, number] = [randomInt(random, 1, 3), randomInt(random, 1, 3)];
  const kind = randomInt(random, 0, 3);
  let pad: Padding;
  let room: [number, number];
  let dimRoundingMode: ConvCase['dimRoundingMode'];
  if (kind === 0) {
    pad = 'same';
    room = [inHeight + 4, inWidth + 4];
  } else if (kind === 1) {
    pad = 'valid';
    room = [inHeight, inWidth];
  } else if (kind === 2) {
    const p = randomInt(random, 0, 2);
    pad = p;
    room = [inHeight + 2 * p, inWidth + 2 * p];
    dimRoundingMode = (['floor', 'round', 'ceil'] as const)[randomInt(random, 0, 2)];
  } else {
    const [t, b, l, r] = [0, 0, 0, 0].map(() => randomInt(random, 0, 3)) as [number, number, number, number];
    pad = [
      [0, 0],
      [t, b],
      [l, r],
      [0, 0],
    ];
    room = [inHeight + t + b, inWidth + l + r];
  }
  const filterHeight = randomInt(random, 1, Math.min(4, room[0]));
  const filterWidth = randomInt(random, 1, Math.min(4, room[1]));
  const inChannels = randomInt(random, 1, 4);
  const outChannels = randomInt(random, 1, 5);
  const result: ConvCase = {
    xShape: [batch, inHeight, inWidth, inChannels],
    filterShape: [filterHeight, filterWidth, inChannels, outChannels],
    strides,
    pad,
  };
  if (dimRoundingMode !== undefined) result.dimRoundingMode = dimRoundingMode;
  return result;
}

function referenceGeometry(c: ConvCase): ReferenceConv {
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, c.dimRoundingMode);
  return { ...info, batch: info.batchSize, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

const LENET_LAYERS: ConvCase[] = [
  { xShape: [4, 28, 28, 1], filterShape: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { xShape: [4, 14, 14, 6], filterShape: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
];
// Pin down both wasm Conv2DBackpropInput paths: stride > 1, and stride 1 with a pad wider than the filter.
// Columns of this one exceed COLUMN_SCRATCH_BYTES (200 KiB an image), so wasm takes it in uneven chunks (2 + 2 + 1 images).
const CHUNKED: ConvCase = { xShape: [5, 16, 16, 8], filterShape: [5, 5, 8, 4], strides: [1, 1], pad: 'same' };
const EDGE_CASES: ConvCase[] = [
  { xShape: [2, 7, 8, 3], filterShape: [3, 2, 3, 4], strides: [2, 3], pad: 'same' },
  { xShape: [1, 5, 5, 2], filterShape: [1, 2, 2, 3], strides: [1, 1], pad: [[0, 0], [3, 0], [2, 1], [0, 0]] },
  { xShape: [3, 1, 1, 1], filterShape: [1, 1, 1, 1], strides: [1, 1], pad: 'valid' },
  // Too many patch rows to unroll (1,152 passes): the wasm filter gradient takes the im2col path.
  { xShape: [1, 3, 3, 256], filterShape: [3, 3, 256, 16], strides: [1, 1], pad: 'same' },
  // 21 output channels: the SIMD filter kernel's channel groups (4 vectors + 2, the last one partial).
  { xShape: [2, 6, 6, 3], filterShape: [3, 3, 3, 21], strides: [1, 2], pad: 'same' },
];

function seededCases(seed: number, count: number): ConvCase[] {
  const random = seededRandom(seed);
  return [...EDGE_CASES, ...LENET_LAYERS, ...Array.from({ length: count }, () => randomCase(random))];
}

interface Expectation {
  c: ConvCase;
  dyShape: number[];
  x: Float32Array;
  dy: Float32Array;
  w: Float32Array;
  dW: Float64Array;
  dx: Float64Array;
}

/** The seeded cases with their oracle answers, computed once and shared by every backend. */
const expectations: Expectation[] = (() => {
  const random = seededRandom(11);
  return [CHUNKED, ...seededCases(1, 80)].map((c) => {
    const g = referenceGeometry(c);
    const dyShape = [g.batch, g.outHeight, g.outWidth, g.outChannels];
    const x = randomValues(random, c.xShape.reduce((s, d) => s * d));
    const dy = randomValues(random, dyShape.reduce((s, d) => s * d));
    const w = randomValues(random, c.filterShape.reduce((s, d) => s * d));
    return { c, dyShape, x, dy, w, dW: referenceFilterGradient(x, dy, g), dx: referenceInputGradient(dy, w, g) };
  });
})();

function attrsOf(c: ConvCase): tf.NamedAttrMap {
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad as tf.NamedAttrMap[string], dataFormat: 'NHWC' };
  if (c.dimRoundingMode !== undefined) attrs['dimRoundingMode'] = c.dimRoundingMode;
  return attrs;
}

function runFilterGradient(c: ConvCase, x: Float32Array, dy: Float32Array, dyShape: number[]): Float32Array {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(
      'Conv2DBackpropFilter',
      { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, dyShape) },
      { ...attrsOf(c), filterShape: c.filterShape },
    ) as tf.Tensor;
    expect(out.shape).toEqual(c.filterShape);
    return out.dataSync() as Float32Array;
  });
}

function runInputGradient(c: ConvCase, dy: Float32Array, dyShape: number[], w: Float32Array): Float32Array {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(
      'Conv2DBackpropInput',
      { dy: tf.tensor(dy, dyShape), filter: tf.tensor(w, c.filterShape) },
      { ...attrsOf(c), inputShape: c.xShape },
    ) as tf.Tensor;
    expect(out.shape, JSON.stringify(c)).toEqual(c.xShape);
    return out.dataSync() as Float32Array;
  });
}

const TOLERANCE = 1e-4;

/** Float32 sums drift with their length: allow 1e-4 up to 2,000 terms, proportionally more beyond. */
function filterTolerance(c: ConvCase): number {
  const g = referenceGeometry(c);
  return TOLERANCE * Math.max(1, (g.batch * g.outHeight * g.outWidth) / 2000);
}

const CONFIGURATIONS: { label: string; backendName: TrainingBackendName; simd: boolean; fusedMultiplyAdd?: boolean }[] = [
  { label: 'wasm (generated SIMD kernels)', backendName: 'wasm', simd: true },
  { label: 'wasm (generated SIMD kernels, multiply and add unfused)', backendName: 'wasm', simd: true, fusedMultiplyAdd: false },
  { label: 'wasm (fallback: JS im2col/col2im and XNNPACK GEMM)', backendName: 'wasm', simd: false },
  { label: 'cpu', backendName: 'cpu', simd: false },
];

describe.each(CONFIGURATIONS)('Conv2D gradient kernels on $label', ({ backendName, simd, fusedMultiplyAdd = true }) => {
  beforeAll(async () => {
    await tf.setBackend(backendName);
    registerTrainingKernels(backendName);
    setGeneratedKernelsEnabled(simd);
    setFusedMultiplyAddEnabled(fusedMultiplyAdd);
  });
  afterAll(() => {
    setGeneratedKernelsEnabled(true);
    setFusedMultiplyAddEnabled(true);
  });

  it('covers a case whose columns exceed the wasm scratch limit', () => {
    const g = referenceGeometry(CHUNKED);
    const patch = g.filterHeight * g.filterWidth * g.inChannels;
    expect(g.batch * g.outHeight * g.outWidth * patch * 4).toBeGreaterThan(COLUMN_SCRATCH_BYTES);
  });

  it('Conv2DBackpropFilter equals the naive sum on 80 seeded random convolutions', () => {
    for (const { c, x, dy, dyShape, dW } of expectations) {
      expect(maxRelativeError(runFilterGradient(c, x, dy, dyShape), dW), JSON.stringify(c)).toBeLessThan(
        filterTolerance(c),
      );
    }
  });

  it('Conv2DBackpropInput equals the naive sum on 80 seeded random convolutions', () => {
    for (const { c, dy, dyShape, w, dx } of expectations) {
      expect(maxRelativeError(runInputGradient(c, dy, dyShape, w), dx), JSON.stringify(c)).toBeLessThan(TOLERANCE);
    }
  });

  it('rejects dilations other than 1 and NCHW with the attribute named', () => {
    const x = tf.zeros([1, 4, 4, 1]);
    const dy = tf.zeros([1, 4, 4, 1]);
    const base = { strides: 1, pad: 'same', filterShape: [2, 2, 1, 1] };
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...base, dataFormat: 'NHWC', dilations: 2 }),
    ).toThrow(/Conv2DBackpropFilter\.dilations 2 must be 1/);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...base, dataFormat: 'NCHW' })).toThrow(
      ValidationError,
    );
    expect(() =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy: tf.zeros([1, 3, 3, 1]) },
        { ...base, dataFormat: 'NHWC' },
      ),
    ).toThrow(/Conv2DBackpropFilter\.dy \[1,3,3,1\] does not match/);
    tf.dispose([x, dy]);
  });

  it('gives tf.grad of a conv2d loss (the path layers take) equal to the oracle', () => {
    const random = seededRandom(13);
    const c = LENET_LAYERS[1]!;
    const x = randomValues(random, c.xShape.reduce((s, d) => s * d));
    const w = randomValues(random, c.filterShape.reduce((s, d) => s * d));
    const [dx, dw] = tf.tidy(() => {
      const grads = tf.grads((input: tf.Tensor, filter: tf.Tensor) =>
        tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid').square().sum(),
      )([tf.tensor(x, c.xShape), tf.tensor(w, c.filterShape)]);
      return grads.map((grad) => grad.dataSync() as Float32Array);
    });
    const g = referenceGeometry(c);
    const y = tf.tidy(() => tf.conv2d(tf.tensor4d(x, c.xShape), tf.tensor4d(w, c.filterShape), 1, 'valid').dataSync());
    const dy = Float32Array.from(y, (value) => 2 * value);
    expect(maxRelativeError(dw!, referenceFilterGradient(x, dy, g))).toBeLessThan(TOLERANCE);
    expect(maxRelativeError(dx!, referenceInputGradient(dy, w, g))).toBeLessThan(TOLERANCE);
  });
});

describe("agreement with tfjs-backend-cpu's own Conv2D gradient kernels", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('hands dilated Conv2D back to tfjs (forward only; its gradient has no kernel anywhere)', () => {
    registerTrainingKernels('cpu');
    const x = tf.tensor4d(randomValues(seededRandom(15), 2 * 7 * 7 * 2), [2, 7, 7, 2]);
    const w = tf.tensor4d(randomValues(seededRandom(16), 3 * 3 * 2 * 3), [3, 3, 2, 3]);
    const ours = tf.conv2d(x, w, 1, 'same', 'NHWC', 2);
    const info = tfjsCpuConv2D.kernelFunc({
      inputs: { x, filter: w },
      backend: tf.backend(),
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 2 },
    }) as tf.TensorInfo;
    const tfjs = tf.engine().makeTensorFromTensorInfo(info);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(tfjs.dataSync()));
    tf.dispose([x, w, ours, tfjs]);
  });

  it('matches them (Conv2D too) on 30 seeded random convolutions', () => {
    registerTrainingKernels('cpu');
    const random = seededRandom(14);
    const cpu = tf.backend();
    const runOriginal = (kernel: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => {
      const info = kernel.kernelFunc({ inputs, backend: cpu, attrs }) as tf.TensorInfo;
      const tensor = tf.engine().makeTensorFromTensorInfo(info);
      const values = tensor.dataSync() as Float32Array;
      tensor.dispose();
      return values;
    };
    for (const c of seededCases(3, 30)) {
      const g = referenceGeometry(c);
      const dyShape = [g.batch, g.outHeight, g.outWidth, g.outChannels];
      const x = randomValues(random, c.xShape.reduce((s, d) => s * d));
      const dy = randomValues(random, dyShape.reduce((s, d) => s * d));
      const w = randomValues(random, c.filterShape.reduce((s, d) => s * d));
      const [xT, dyT, wT] = [tf.tensor(x, c.xShape), tf.tensor(dy, dyShape), tf.tensor(w, c.filterShape)];
      const tfjsDw = runOriginal(tfjsCpuFilterGradient, { x: xT, dy: dyT }, { ...attrsOf(c), filterShape: c.filterShape });
      const tfjsDx = runOriginal(tfjsCpuInputGradient, { dy: dyT, filter: wT }, { ...attrsOf(c), inputShape: c.xShape });
      const tfjsY = runOriginal(tfjsCpuConv2D, { x: xT, filter: wT }, { ...attrsOf(c), dilations: 1 });
      const ourY = tf.tidy(() =>
        tf.engine().runKernel('Conv2D', { x: xT, filter: wT }, { ...attrsOf(c), dilations: 1 }) as tf.Tensor,
      );
      expect(ourY.shape).toEqual(dyShape);
      expect(maxRelativeError(ourY.dataSync(), tfjsY), JSON.stringify(c)).toBeLessThan(TOLERANCE);
      tf.dispose([xT, dyT, wT, ourY]);
      expect(maxRelativeError(runFilterGradient(c, x, dy, dyShape), tfjsDw), JSON.stringify(c)).toBeLessThan(TOLERANCE);
      expect(maxRelativeError(runInputGradient(c, dy, dyShape, w), tfjsDx), JSON.stringify(c)).toBeLessThan(TOLERANCE);
    }
  });
});
