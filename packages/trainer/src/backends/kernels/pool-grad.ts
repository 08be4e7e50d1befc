import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../tfjs.js';
import type { ArrayKernel } from './array-kernel.js';
import type { KernelPadding } from './geometry.js';

/** The shape arithmetic of one NHWC 2-D pooling window sweep. Counts in elements. */
export interface PoolGeometry {
  /** Images in the batch. */
  readonly batch: number;
  /** Input rows. */
  readonly inHeight: number;
  /** Input columns. */
  readonly inWidth: number;
  /** Channels (unchanged by pooling). */
  readonly channels: number;
  /** Output rows. */
  readonly outHeight: number;
  /** Output columns. */
  readonly outWidth: number;
  /** Window rows. */
  readonly filterHeight: number;
  /** Window columns. */
  readonly filterWidth: number;
  /** Step between output rows, in input rows. */
  readonly strideHeight: number;
  /** Step between output columns, in input columns. */
  readonly strideWidth: number;
  /** Padding rows above the input. */
  readonly padTop: number;
  /** Padding columns left of the input. */
  readonly padLeft: number;
}

/** What {@link poolGeometry} needs: the attributes AvgPoolGrad and MaxPoolGrad receive. */
export interface PoolGeometryInput {
  /** Shape of the pooled input, NHWC. */
  readonly inputShape: readonly number[];
  /** Window size, one number or [rows, columns]. */
  readonly filterSize: number | readonly [number, number];
  /** Strides, one number or [rows, columns]. */
  readonly strides: number | readonly [number, number];
  /** Padding: 'same', 'valid', a number, or explicit NHWC pairs. */
  readonly pad: KernelPadding;
  /** How fractional output sizes round when `pad` is a number. */
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil' | undefined;
}

/** Resolves a pooling's geometry with tfjs's own rules (so output sizes match the forward op). */
export function poolGeometry(input: PoolGeometryInput): PoolGeometry {
  const info = tfjs.backend_util.computePool2DInfo(
    input.inputShape as [number, number, number, number],
    input.filterSize as number | [number, number],
    input.strides as number | [number, number],
    1,
    input.pad,
    input.dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * dx of average pooling: every input pixel inside a window receives dy / (filterHeight·filterWidth),
 * summed over the windows that cover it. The divisor is the full window even where a window
 * overlaps padding, as in tfjs's own AvgPoolGrad on cpu and wasm. Overwrites all of `dx`.
 */
export function avgPoolGrad(dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  dx.fill(0);
  const { batch, inHeight, inWidth, channels, outHeight, outWidth } = g;
  const scale = 1 / (g.filterHeight * g.filterWidth);
  const rowStride = inWidth * channels;
  // Disjoint windows (stride ≥ window, LeNet's 2×2/2) write each pixel at most once: plain stores.
  const disjoint = g.strideHeight >= g.filterHeight && g.strideWidth >= g.filterWidth;
  let d = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * g.strideHeight - g.padTop;
      const rFirst = Math.max(0, top);
      const rEnd = Math.min(inHeight, top + g.filterHeight);
      for (let ow = 0; ow < outWidth; ow++, d += channels) {
        const left = ow * g.strideWidth - g.padLeft;
        const cFirst = Math.max(0, left);
        const cEnd = Math.min(inWidth, left + g.filterWidth);
        const runLength = (cEnd - cFirst) * channels;
        for (let r = rFirst; r < rEnd; r++) {
          const xBase = imageBase + r * rowStride + cFirst * channels;
          if (disjoint) {
            for (let i = 0, c = 0; i < runLength; i++, c = c + 1 === channels ? 0 : c + 1) {
              dx[xBase + i] = (dy[d + c] as number) * scale;
            }
          } else {
            for (let i = 0, c = 0; i < runLength; i++, c = c + 1 === channels ? 0 : c + 1) {
              dx[xBase + i] = (dx[xBase + i] as number) + (dy[d + c] as number) * scale;
            }
          }
        }
      }
    }
  }
}

/**
 * dx of max pooling: each window's dy goes to the input pixel that held the window's maximum
 * (the first one in row-major window order on ties, padding never), summed over windows.
 * Same selection rule as tfjs's cpu MaxPoolGrad. Overwrites all of `dx`.
 */
export function maxPoolGrad(dy: Float32Array, x: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  dx.fill(0);
  const { batch, inHeight, inWidth, channels, outHeight, outWidth } = g;
  const rowStride = inWidth * channels;
  let d = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * g.strideHeight - g.padTop;
      const rFirst = Math.max(0, top);
      const rEnd = Math.min(inHeight, top + g.filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * g.strideWidth - g.padLeft;
        const cFirst = Math.max(0, left);
        const cEnd = Math.min(inWidth, left + g.filterWidth);
        const windowBase = imageBase + cFirst * channels;
        for (let c = 0; c < channels; c++, d++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let r = rFirst; r < rEnd; r++) {
            let xi = windowBase + r * rowStride + c;
            for (let col = cFirst; col < cEnd; col++, xi += channels) {
              const value = x[xi] as number;
              if (value > best) {
                best = value;
                bestIndex = xi;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] = (dx[bestIndex] as number) + (dy[d] as number);
        }
      }
    }
  }
}

/** The pooling geometry of an AvgPoolGrad/MaxPoolGrad call, from its input and attributes. */
export function poolGeometryFromAttrs(input: tf.TensorInfo, attrs: tf.NamedAttrMap): PoolGeometry {
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  return poolGeometry({
    inputShape: input.shape,
    filterSize: a.filterSize,
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
  });
}

/** AvgPoolGrad (inputs dy, input) as a typed-array kernel; see {@link avgPoolGrad}. */
export const avgPoolGradKernel: ArrayKernel = {
  kernelName: 'AvgPoolGrad',
  inputNames: ['dy', 'input'],
  plan([, input], attrs) {
    const g = poolGeometryFromAttrs(input!, attrs);
    return { outputShape: [...input!.shape], run: ([dy], dx) => avgPoolGrad(dy!, g, dx) };
  },
};

/** MaxPoolGrad (inputs dy, input, output) as a typed-array kernel; see {@link maxPoolGrad}. */
export const maxPoolGradKernel: ArrayKernel = {
  kernelName: 'MaxPoolGrad',
  inputNames: ['dy', 'input'],
  plan([, input], attrs) {
    const g = poolGeometryFromAttrs(input!, attrs);
    return { outputShape: [...input!.shape], run: ([dy, x], dx) => maxPoolGrad(dy!, x!, g, dx) };
  },
};
