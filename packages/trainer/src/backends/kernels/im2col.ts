import { type ConvGeometry, outputPositions, patchSize, validOutputRange } from './geometry.js';

/**
 * Writes the transposed im2col matrix of an NHWC input: `out[k * P + p]` is the input value that
 * filter tap `k = (row, column, inChannel)` sees at output position `p = (n, outRow, outColumn)`,
 * zero where the tap falls on padding. Shape [patchSize, P], row-major, P = N·outHeight·outWidth.
 *
 * The filter gradient is then one matrix product: dW[k, o] = Σ_p out[k, p] · dy[p, o].
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const positions = outputPositions(g);
  if (out.length < patchSize(g) * positions) {
    throw new RangeError(`im2col buffer holds ${out.length} values, needs ${patchSize(g) * positions}`);
  }
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  const columnStep = strideWidth * inChannels;
  let row = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    const [ohFirst, ohEnd] = validOutputRange(kh, strideHeight, padTop, inHeight, outHeight);
    for (let kw = 0; kw < filterWidth; kw++) {
      const [owFirst, owEnd] = validOutputRange(kw, strideWidth, padLeft, inWidth, outWidth);
      const firstColumnOffset = (owFirst * strideWidth + kw - padLeft) * inChannels;
      for (let ci = 0; ci < inChannels; ci++, row++) {
        let o = row * positions;
        for (let n = 0; n < batch; n++) {
          const imageBase = n * imageStride + firstColumnOffset + ci;
          for (let oh = 0; oh < outHeight; oh++) {
            if (oh < ohFirst || oh >= ohEnd) {
              out.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            let xi = imageBase + (oh * strideHeight + kh - padTop) * rowStride;
            let ow = 0;
            for (; ow < owFirst; ow++) out[o++] = 0;
            for (; ow < owEnd; ow++) {
              out[o++] = x[xi] as number;
              xi += columnStep;
            }
            for (; ow < outWidth; ow++) out[o++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Adds an im2col-shaped matrix back onto an NHWC image (the adjoint of im2col):
 * `dx[n, r, c, ci] += col[p, k]` for every output position `p` and filter tap `k` that reads
 * input pixel (r, c). `col` is [P, patchSize] row-major; `dx` must start zeroed.
 *
 * The input gradient is dy · Wᵀ (a matrix product) followed by this scatter.
 */
export function col2imAdd(col: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  const patch = patchSize(g);
  const tapRow = filterWidth * inChannels;
  const rowStride = inWidth * inChannels;
  let p = 0;
  for (let n = 0; n < batch; n++) {
    const imageBase = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      const khFirst = Math.max(0, -top);
      const khEnd = Math.min(filterHeight, inHeight - top);
      for (let ow = 0; ow < outWidth; ow++, p++) {
        const left = ow * strideWidth - padLeft;
        const kwFirst = Math.max(0, -left);
        const kwEnd = Math.min(filterWidth, inWidth - left);
        if (kwEnd <= kwFirst) continue;
        // Valid taps of one filter row are contiguous in both col and dx (NHWC), so each
        // filter row is one straight run of (kwEnd - kwFirst) · inChannels additions.
        const runLength = (kwEnd - kwFirst) * inChannels;
        const colBase = p * patch + kwFirst * inChannels;
        for (let kh = khFirst; kh < khEnd; kh++) {
          let ci = colBase + kh * tapRow;
          let di = imageBase + (top + kh) * rowStride + (left + kwFirst) * inChannels;
          const runEnd = di + runLength;
          while (di < runEnd) {
            dx[di] = (dx[di] as number) + (col[ci] as number);
            di++;
            ci++;
          }
        }
      }
    }
  }
}
