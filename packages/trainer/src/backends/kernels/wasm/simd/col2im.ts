import type { ConvGeometry } from '../../geometry.js';
import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';
import type { PaddedInput } from './filter-gradient.js';

/** The cache key of {@link buildCol2imModule}'s code: everything it bakes in (not the batch). */
export function col2imKey(g: ConvGeometry, input: PaddedInput): string {
  return [
    'col2im',
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    input.height,
    input.width,
  ].join(':');
}

/**
 * Generates `col2im(col, dx, batch)`: adds each row of the im2col-shaped gradient col[P, patch]
 * onto the (padded) input gradient dx, the adjoint of im2col, with byte addresses into the shared
 * heap. For one output position each filter row is one contiguous run of filterWidth·inChannels
 * floats in both col and dx: whole 4-lane vectors, then single floats for the tail (a vector
 * past the run would add a neighbour's values). `dx` has the {@link PaddedInput} extent and
 * must start zeroed.
 */
export function buildCol2imModule(g: ConvGeometry, input: PaddedInput): Uint8Array {
  const c = g.inChannels;
  const run = g.filterWidth * c;
  const patch = g.filterHeight * run;
  const f = new FunctionWriter([ValueType.i32, ValueType.i32, ValueType.i32]);
  const [col, dx, batch] = f.params as [Local, Local, Local];
  const pcol = f.local(ValueType.i32);
  const xImage = f.local(ValueType.i32);
  const xRow = f.local(ValueType.i32);
  const xb = f.local(ValueType.i32);
  f.get(col).set(pcol);
  f.get(dx).set(xImage);
  f.repeat(batch, () => {
    f.get(xImage).set(xRow);
    f.repeat(g.outHeight, () => {
      f.get(xRow).set(xb);
      f.repeat(g.outWidth, () => {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const source = kh * run * 4;
          const target = kh * input.width * c * 4;
          let i = 0;
          for (; i + 4 <= run; i += 4) {
            f.get(xb).get(xb).v128Load(target + i * 4).get(pcol).v128Load(source + i * 4).f32x4Add().v128Store(target + i * 4);
          }
          for (; i < run; i++) {
            f.get(xb).get(xb).f32Load(target + i * 4).get(pcol).f32Load(source + i * 4).f32Add().f32Store(target + i * 4);
          }
        }
        f.addTo(pcol, patch * 4);
        f.addTo(xb, g.strideWidth * c * 4);
      });
      f.addTo(xRow, g.strideHeight * input.width * c * 4);
    });
    f.addTo(xImage, input.height * input.width * c * 4);
  });
  return encodeModule([{ name: 'col2im', writer: f }]);
}
