import type { ConvGeometry } from '../../geometry.js';
import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';
import type { PaddedInput } from './filter-gradient.js';

const { i32 } = ValueType;

/** The cache key of {@link buildPadModule}'s code: everything it bakes in (not the batch). */
export function padKey(g: ConvGeometry, input: PaddedInput): string {
  return ['pad', g.inHeight, g.inWidth, g.inChannels, g.padTop, g.padLeft, input.height, input.width].join(':');
}

/**
 * Generates `pad(x, padded, images)`: copies each NHWC image row of `x` into the zeroed buffer
 * `padded` of extent `input`, `padTop` rows down and `padLeft` columns in (vectors of four floats,
 * then single floats), so a generated convolution can read every tap without bounds checks. Byte
 * addresses into the heap. The buffer's padding must be zero before the call; the copy writes
 * only the image part.
 */
export function buildPadModule(g: ConvGeometry, input: PaddedInput): Uint8Array {
  const f = new FunctionWriter([i32, i32, i32]);
  const [x, padded, images] = f.params as [Local, Local, Local];
  const source = f.local(i32);
  const target = f.local(i32);
  const image = f.local(i32);
  const c = g.inChannels;
  const rowFloats = g.inWidth * c;
  f.get(x).set(source);
  f.get(padded).i32Const((g.padTop * input.width + g.padLeft) * c * 4).i32Add().set(image);
  f.repeatUnlessZero(images, () => {
    f.get(image).set(target);
    f.repeat(g.inHeight, () => {
      let i = 0;
      for (; i + 4 <= rowFloats; i += 4) f.get(target).get(source).v128Load(i * 4).v128Store(i * 4);
      for (; i < rowFloats; i++) f.get(target).get(source).f32Load(i * 4).f32Store(i * 4);
      f.addTo(source, rowFloats * 4);
      f.addTo(target, input.width * c * 4);
    });
    f.addTo(image, input.height * input.width * c * 4);
  });
  return encodeModule([{ name: 'pad', writer: f }]);
}
