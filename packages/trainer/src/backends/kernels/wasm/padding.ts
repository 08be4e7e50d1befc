import type { ConvGeometry } from '../geometry.js';
import type { PaddedInput } from './simd/filter-gradient.js';

/** Copies the image part of the padded buffer back out: the inverse of the `pad` kernel (`simd/pad.ts`). */
export function cropFromPadded(padded: Float32Array, g: ConvGeometry, input: PaddedInput, x: Float32Array): void {
  const rowLength = g.inWidth * g.inChannels;
  const paddedRow = input.width * g.inChannels;
  for (let n = 0; n < g.batch; n++) {
    for (let r = 0; r < g.inHeight; r++) {
      const from = (n * input.height + r + g.padTop) * paddedRow + g.padLeft * g.inChannels;
      x.set(padded.subarray(from, from + rowLength), (n * g.inHeight + r) * rowLength);
    }
  }
}
