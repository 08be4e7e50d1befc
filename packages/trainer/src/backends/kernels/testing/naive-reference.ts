/**
 * Oracles for the kernel tests: each gradient written straight from its definition, one output
 * element at a time, with no shared code with the kernels under test.
 */

/** A small deterministic generator: the same seed gives the same cases on every run. */
export { createRandom as seededRandom } from '../../../random.js';

/** An integer in [low, high], both included. */
export function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** `size` values uniform in [-1, 1), a fraction of them set to exactly 0 as ReLU leaves them. */
export function randomValues(random: () => number, size: number, zeroFraction = 0.2): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random() < zeroFraction ? 0 : random() * 2 - 1;
  return values;
}

/** Geometry as the oracles need it (tfjs's conv info fields of the same names). */
export interface ReferenceConv {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co], out-of-image terms 0. */
export function referenceFilterGradient(x: Float32Array, dy: Float32Array, c: ReferenceConv): Float64Array {
  const dW = new Float64Array(c.filterHeight * c.filterWidth * c.inChannels * c.outChannels);
  for (let kh = 0; kh < c.filterHeight; kh++)
    for (let kw = 0; kw < c.filterWidth; kw++)
      for (let ci = 0; ci < c.inChannels; ci++)
        for (let co = 0; co < c.outChannels; co++) {
          let sum = 0;
          for (let n = 0; n < c.batch; n++)
            for (let oh = 0; oh < c.outHeight; oh++)
              for (let ow = 0; ow < c.outWidth; ow++) {
                const ih = oh * c.strideHeight + kh - c.padTop;
                const iw = ow * c.strideWidth + kw - c.padLeft;
                if (ih < 0 || ih >= c.inHeight || iw < 0 || iw >= c.inWidth) continue;
                const xv = x[((n * c.inHeight + ih) * c.inWidth + iw) * c.inChannels + ci]!;
                const dv = dy[((n * c.outHeight + oh) * c.outWidth + ow) * c.outChannels + co]!;
                sum += xv * dv;
              }
          dW[((kh * c.filterWidth + kw) * c.inChannels + ci) * c.outChannels + co] = sum;
        }
  return dW;
}

/** dx[n,ih,iw,ci] = Σ over (oh,ow,kh,kw) with oh·sh+kh−pt = ih and ow·sw+kw−pl = iw of Σ_co dy·W. */
export function referenceInputGradient(dy: Float32Array, w: Float32Array, c: ReferenceConv): Float64Array {
  const dx = new Float64Array(c.batch * c.inHeight * c.inWidth * c.inChannels);
  for (let n = 0; n < c.batch; n++)
    for (let ih = 0; ih < c.inHeight; ih++)
      for (let iw = 0; iw < c.inWidth; iw++)
        for (let ci = 0; ci < c.inChannels; ci++) {
          let sum = 0;
          for (let kh = 0; kh < c.filterHeight; kh++)
            for (let kw = 0; kw < c.filterWidth; kw++) {
              const ohScaled = ih + c.padTop - kh;
              const owScaled = iw + c.padLeft - kw;
              if (ohScaled % c.strideHeight !== 0 || owScaled % c.strideWidth !== 0) continue;
              const oh = ohScaled / c.strideHeight;
              const ow = owScaled / c.strideWidth;
              if (oh < 0 || oh >= c.outHeight || ow < 0 || ow >= c.outWidth) continue;
              for (let co = 0; co < c.outChannels; co++) {
                sum +=
                  dy[((n * c.outHeight + oh) * c.outWidth + ow) * c.outChannels + co]! *
                  w[((kh * c.filterWidth + kw) * c.inChannels + ci) * c.outChannels + co]!;
              }
            }
          dx[((n * c.inHeight + ih) * c.inWidth + iw) * c.inChannels + ci] = sum;
        }
  return dx;
}

/** C = op(A)·op(B) for row-major matrices, op = transpose when asked. */
export function referenceMatMul(
  a: Float32Array,
  aShape: readonly [number, number],
  b: Float32Array,
  bShape: readonly [number, number],
  transposeA: boolean,
  transposeB: boolean,
): Float64Array {
  const m = transposeA ? aShape[1] : aShape[0];
  const k = transposeA ? aShape[0] : aShape[1];
  const n = transposeB ? bShape[0] : bShape[1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) {
        const av = transposeA ? a[t * aShape[1] + i]! : a[i * aShape[1] + t]!;
        const bv = transposeB ? b[j * bShape[1] + t]! : b[t * bShape[1] + j]!;
        sum += av * bv;
      }
      out[i * n + j] = sum;
    }
  return out;
}

/** Largest |actual − expected| / (1 + |expected|) over all elements; Infinity on a length mismatch. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
  }
  return worst;
}
