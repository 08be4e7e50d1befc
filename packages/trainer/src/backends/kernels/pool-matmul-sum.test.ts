import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels, type TrainingBackendName } from './index.js';
import { setFusedMultiplyAddEnabled, setGeneratedKernelsEnabled } from './wasm/simd/runtime.js';
import { maxRelativeError, randomInt, randomValues, referenceMatMul, seededRandom } from './testing/naive-reference.js';

// tfjs-backend-cpu's own pooling gradients, captured before registration: the oracle for pooling.
const tfjsCpuAvgPoolGrad = tf.getKernel('AvgPoolGrad', 'cpu')!;
const tfjsCpuMaxPoolGrad = tf.getKernel('MaxPoolGrad', 'cpu')!;

type PoolPad = tf.MaxPoolGradAttrs['pad'];

interface PoolCase {
  xShape: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: PoolPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function randomPoolCase(random: () => number): PoolCase {
  const xShape: PoolCase['xShape'] = [
    randomInt(random, 1, 3),
    randomInt(random, 1, 9),
    randomInt(random, 1, 9),
    randomInt(random, 1, 5),
  ];
  const kind = randomInt(random, 0, 2);
  const pad: PoolPad = kind === 0 ? 'same' : kind === 1 ? 'valid' : randomInt(random, 0, 1);
  const room = kind === 1 ? Math.min(xShape[1], xShape[2]) : kind === 2 ? Math.min(xShape[1], xShape[2]) + 2 * (pad as number) : 4;
  const filter = randomInt(random, 1, Math.min(3, room));
  const result: PoolCase = {
    xShape,
    filterSize: [filter, randomInt(random, 1, Math.min(3, room))],
    strides: [randomInt(random, 1, 3), randomInt(random, 1, 3)],
    pad,
  };
  if (kind === 2) result.dimRoundingMode = 'floor';
  return result;
}

const POOL_CASES: PoolCase[] = [
  { xShape: [4, 28, 28, 6], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { xShape: [4, 10, 10, 16], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { xShape: [2, 7, 5, 3], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
  // Disjoint windows with a 1-channel tail and uncovered edge rows/columns (the SIMD kernels' case).
  { xShape: [3, 7, 9, 5], filterSize: [3, 2], strides: [3, 2], pad: 'valid' },
  { xShape: [2, 6, 6, 1], filterSize: [2, 2], strides: [3, 3], pad: 'valid' },
];

interface PoolExpectation {
  c: PoolCase;
  attrs: tf.NamedAttrMap;
  outShape: number[];
  x: Float32Array;
  dy: Float32Array;
  expected: Record<'AvgPoolGrad' | 'MaxPoolGrad', Float32Array>;
}

/** Seeded pooling cases with tfjs-backend-cpu's own answers, computed on the cpu backend first. */
async function poolExpectations(): Promise<PoolExpectation[]> {
  await tf.setBackend('cpu');
  const random = seededRandom(21);
  const cases = [...POOL_CASES, ...Array.from({ length: 60 }, () => randomPoolCase(random))];
  return cases.map((c) => {
    const info = tf.backend_util.computePool2DInfo(c.xShape, c.filterSize, c.strides, 1, c.pad, c.dimRoundingMode);
    const x = randomValues(random, c.xShape.reduce((s, d) => s * d), 0.3);
    const dy = randomValues(random, info.outShape.reduce((s, d) => s * d));
    const attrs: tf.NamedAttrMap = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    if (c.dimRoundingMode !== undefined) attrs['dimRoundingMode'] = c.dimRoundingMode;
    const run = (kernel: tf.KernelConfig): Float32Array => {
      const inputs = { dy: tf.tensor(dy, info.outShape), input: tf.tensor(x, c.xShape), output: tf.zeros(info.outShape) };
      const out = kernel.kernelFunc({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo;
      const tensor = tf.engine().makeTensorFromTensorInfo(out);
      const values = tensor.dataSync() as Float32Array;
      tf.dispose([tensor, ...Object.values(inputs)]);
      return values;
    };
    return {
      c,
      attrs,
      outShape: info.outShape,
      x,
      dy,
      expected: { AvgPoolGrad: run(tfjsCpuAvgPoolGrad), MaxPoolGrad: run(tfjsCpuMaxPoolGrad) },
    };
  });
}

const CONFIGURATIONS: { label: string; backendName: TrainingBackendName; simd: boolean; fusedMultiplyAdd?: boolean }[] = [
  { label: 'wasm (generated SIMD kernels)', backendName: 'wasm', simd: true },
  { label: 'wasm (generated SIMD kernels, multiply and add unfused)', backendName: 'wasm', simd: true, fusedMultiplyAdd: false },
  { label: 'wasm (JS loops)', backendName: 'wasm', simd: false },
  { label: 'cpu', backendName: 'cpu', simd: false },
];

interface SumCase {
  shape: number[];
  axis: number[];
  keepDims: boolean;
  x: Float32Array;
  expected: Float32Array;
  expectedShape: number[];
}

/** Seeded Sum cases (leading-axis reductions and others) with the cpu backend's answers. */
async function sumExpectations(): Promise<SumCase[]> {
  await tf.setBackend('cpu');
  const random = seededRandom(23);
  const fixed = [
    { shape: [64, 28, 28, 6], axis: [0, 1, 2], keepDims: false },
    { shape: [8, 10, 10, 16], axis: [0, 1, 2], keepDims: true },
    { shape: [5, 37], axis: [0], keepDims: false },
  ];
  const drawn = Array.from({ length: 30 }, () => {
    const rank = randomInt(random, 1, 4);
    const shape = Array.from({ length: rank }, () => randomInt(random, 1, 9));
    const axis = shape.map((_, i) => i).filter(() => random() < 0.5);
    return { shape, axis: axis.length === 0 ? [0] : axis, keepDims: random() < 0.5 };
  });
  return [...fixed, ...drawn].map(({ shape, axis, keepDims }) => {
    const x = randomValues(random, shape.reduce((s, d) => s * d, 1));
    const reference = tf.tidy(() => tf.sum(tf.tensor(x, shape), axis, keepDims));
    const expected = reference.dataSync() as Float32Array;
    const expectedShape = reference.shape;
    reference.dispose();
    return { shape, axis, keepDims, x, expected, expectedShape };
  });
}

describe.each(CONFIGURATIONS)('pooling gradients, BatchMatMul and Sum on $label', ({ backendName, simd, fusedMultiplyAdd = true }) => {
  let expectations: PoolExpectation[] = [];
  let sums: SumCase[] = [];
  beforeAll(async () => {
    sums = await sumExpectations();
    expectations = await poolExpectations();
    await tf.setBackend(backendName);
    registerTrainingKernels(backendName);
    setGeneratedKernelsEnabled(simd);
    setFusedMultiplyAddEnabled(fusedMultiplyAdd);
  });
  afterAll(() => {
    setGeneratedKernelsEnabled(true);
    setFusedMultiplyAddEnabled(true);
  });

  it("AvgPoolGrad and MaxPoolGrad equal tfjs-backend-cpu's own on 60 seeded random poolings", () => {
    expect(expectations.length).toBe(65);
    for (const { c, attrs, outShape, x, dy, expected } of expectations) {
      for (const name of ['AvgPoolGrad', 'MaxPoolGrad'] as const) {
        const ours = tf.tidy(() => {
          const inputs = { dy: tf.tensor(dy, outShape), input: tf.tensor(x, c.xShape), output: tf.zeros(outShape) };
          return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
        });
        expect(ours.shape).toEqual(c.xShape);
        const values = ours.dataSync() as Float32Array;
        ours.dispose();
        expect(maxRelativeError(values, expected[name]), `${name} ${JSON.stringify(c)}`).toBeLessThan(1e-5);
      }
    }
  });

  it('BatchMatMul equals the naive product for every transpose combination', () => {
    const random = seededRandom(22);
    for (let trial = 0; trial < 24; trial++) {
      const [m, k, n] = [randomInt(random, 1, 70), randomInt(random, 1, 70), randomInt(random, 1, 70)];
      const transposeA = trial % 2 === 1;
      const transposeB = trial % 4 >= 2;
      const rank3 = trial % 8 >= 4;
      const aShape: [number, number] = transposeA ? [k, m] : [m, k];
      const bShape: [number, number] = transposeB ? [n, k] : [k, n];
      const a = randomValues(random, m * k);
      const b = randomValues(random, k * n);
      const product = tf.tidy(() => {
        const at = tf.tensor(a, rank3 ? [1, ...aShape] : aShape);
        const bt = tf.tensor(b, rank3 ? [1, ...bShape] : bShape);
        return tf.matMul(at, bt, transposeA, transposeB);
      });
      expect(product.shape).toEqual(rank3 ? [1, m, n] : [m, n]);
      const error = maxRelativeError(product.dataSync(), referenceMatMul(a, aShape, b, bShape, transposeA, transposeB));
      product.dispose();
      expect(error, JSON.stringify({ m, k, n, transposeA, transposeB })).toBeLessThan(1e-4);
    }
  });

  it('Sum equals the cpu backend on 33 seeded reductions (leading axes or not, keepDims or not)', () => {
    expect(sums.length).toBe(33);
    for (const { shape, axis, keepDims, x, expected, expectedShape } of sums) {
      const result = tf.tidy(() => tf.sum(tf.tensor(x, shape), axis, keepDims));
      expect(result.shape).toEqual(expectedShape);
      const rows = axis.reduce((size, a) => size * shape[a]!, 1);
      expect(maxRelativeError(result.dataSync(), expected), JSON.stringify({ shape, axis, keepDims })).toBeLessThan(
        1e-5 * Math.max(1, rows / 100),
      );
      result.dispose();
    }
    const integers = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const total = tf.sum(integers, 0);
    expect(total.dtype).toBe('int32');
    expect(Array.from(total.dataSync())).toEqual([4, 6]);
    tf.dispose([integers, total]);
  });

  it('BatchMatMul still multiplies batches of matrices (handed to tfjs unchanged)', () => {
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = tf.tensor3d([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const product = tf.matMul(a, b, true, false);
    expect(Array.from(product.dataSync())).toEqual([1, 3, 2, 4, 10, 14, 12, 16]);
    tf.dispose([a, b, product]);
  });
});
