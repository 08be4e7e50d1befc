import type * as tf from '@tensorflow/tfjs';
import type { ArrayKernel } from '../array-kernel.js';
import { checkOutputShape, type ConvGeometry, convGeometry } from '../geometry.js';

/**
 * dW[kh, kw, ci, co] = Σ over output positions of x[pixel under tap] · dy[position, co], in one
 * sweep over the output positions. For one position and one filter row, the taps read one
 * contiguous run of x (NHWC) and write one contiguous block of dW, whatever the stride.
 * Zeros in x (MNIST background, ReLU outputs) are skipped. Overwrites all of `dW`.
 */
export function conv2DFilterGradient(x: Float32Array, dy: Float32Array, g: ConvGeometry, dW: Float32Array): void {
  dW.fill(0);
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const filterRow = filterWidth * inChannels * outChannels;
  let dyBase = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      const khFirst = Math.max(0, -top);
      const khEnd = Math.min(filterHeight, inHeight - top);
      for (let ow = 0; ow < outWidth; ow++, dyBase += outChannels) {
        const left = ow * strideWidth - padLeft;
        const kwFirst = Math.max(0, -left);
        const kwEnd = Math.min(filterWidth, inWidth - left);
        if (kwEnd <= kwFirst) continue;
        const run = (kwEnd - kwFirst) * inChannels;
        for (let kh = khFirst; kh < khEnd; kh++) {
          const xBase = imageBase + (top + kh) * rowStride + (left + kwFirst) * inChannels;
          let w = kh * filterRow + kwFirst * inChannels * outChannels;
          for (let t = 0; t < run; t++, w += outChannels) {
            const value = x[xBase + t] as number;
            if (value === 0) continue;
            for (let co = 0; co < outChannels; co++) {
              dW[w + co] = (dW[w + co] as number) + value * (dy[dyBase + co] as number);
            }
          }
        }
      }
    }
  }
}

/**
 * dx[pixel, ci] = Σ over the output positions and taps that read the pixel of
 * Σ_co dy[position, co] · W[kh, kw, ci, co]: a dot product over the contiguous output channels
 * of dy and of one filter row, added into one contiguous run of dx. Overwrites all of `dx`.
 */
export function conv2DInputGradient(dy: Float32Array, w: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  dx.fill(0);
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const filterRow = filterWidth * inChannels * outChannels;
  let dyBase = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      const khFirst = Math.max(0, -top);
      const khEnd = Math.min(filterHeight, inHeight - top);
      for (let ow = 0; ow < outWidth; ow++, dyBase += outChannels) {
        const left = ow * strideWidth - padLeft;
        const kwFirst = Math.max(0, -left);
        const kwEnd = Math.min(filterWidth, inWidth - left);
        if (kwEnd <= kwFirst) continue;
        const run = (kwEnd - kwFirst) * inChannels;
        for (let kh = khFirst; kh < khEnd; kh++) {
          const xBase = imageBase + (top + kh) * rowStride + (left + kwFirst) * inChannels;
          let wi = kh * filterRow + kwFirst * inChannels * outChannels;
          for (let t = 0; t < run; t++, wi += outChannels) {
            let sum = 0;
            for (let co = 0; co < outChannels; co++) sum += (dy[dyBase + co] as number) * (w[wi + co] as number);
            dx[xBase + t] = (dx[xBase + t] as number) + sum;
          }
        }
      }
    }
  }
}

/** Conv2DBackpropFilter (inputs x, dy) over plain arrays; see {@link conv2DFilterGradient}. */
export const conv2DBackpropFilterKernel: ArrayKernel = {
  kernelName: 'Conv2DBackpropFilter',
  inputNames: ['x', 'dy'],
  plan([x, dy], attrs) {
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
    const g = convGeometry({
      kernelName: 'Conv2DBackpropFilter',
      inputShape: x!.shape,
      filterShape: a.filterShape,
      strides: a.strides,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
      dataFormat: a.dataFormat,
      dilations: a.dilations,
    });
    checkOutputShape(g, dy!.shape, 'Conv2DBackpropFilter');
    return {
      outputShape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels],
      run: ([xValues, dyValues], dW) => conv2DFilterGradient(xValues!, dyValues!, g, dW),
    };
  },
};

/** Conv2DBackpropInput (inputs dy, filter) over plain arrays; see {@link conv2DInputGradient}. */
export const conv2DBackpropInputKernel: ArrayKernel = {
  kernelName: 'Conv2DBackpropInput',
  inputNames: ['dy', 'filter'],
  plan([dy, filter], attrs) {
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
    const g = convGeometry({
      kernelName: 'Conv2DBackpropInput',
      inputShape: a.inputShape,
      filterShape: filter!.shape,
      strides: a.strides,
      pad: a.pad,
      dimRoundingMode: a.dimRoundingMode,
      dataFormat: a.dataFormat,
      dilations: a.dilations,
    });
    checkOutputShape(g, dy!.shape, 'Conv2DBackpropInput');
    return {
      outputShape: [g.batch, g.inHeight, g.inWidth, g.inChannels],
      run: ([dyValues, filterValues], dx) => conv2DInputGradient(dyValues!, filterValues!, g, dx),
    };
  },
};

/**
 * y[position, co] = Σ over the taps inside the image of x[pixel under tap] · W[tap, co]: the
 * forward convolution in the same sweep as {@link conv2DFilterGradient} (contiguous x runs per
 * filter row, zeros in x skipped). Overwrites all of `y`.
 */
export function conv2DForward(x: Float32Array, w: Float32Array, g: ConvGeometry, y: Float32Array): void {
  y.fill(0);
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const filterRow = filterWidth * inChannels * outChannels;
  let yBase = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      const khFirst = Math.max(0, -top);
      const khEnd = Math.min(filterHeight, inHeight - top);
      for (let ow = 0; ow < outWidth; ow++, yBase += outChannels) {
        const left = ow * strideWidth - padLeft;
        const kwFirst = Math.max(0, -left);
        const kwEnd = Math.min(filterWidth, inWidth - left);
        if (kwEnd <= kwFirst) continue;
        const run = (kwEnd - kwFirst) * inChannels;
        for (let kh = khFirst; kh < khEnd; kh++) {
          const xBase = imageBase + (top + kh) * rowStride + (left + kwFirst) * inChannels;
          let wi = kh * filterRow + kwFirst * inChannels * outChannels;
          for (let t = 0; t < run; t++, wi += outChannels) {
            const value = x[xBase + t] as number;
            if (value === 0) continue;
            for (let co = 0; co < outChannels; co++) {
              y[yBase + co] = (y[yBase + co] as number) + value * (w[wi + co] as number);
            }
          }
        }
      }
    }
  }
}
