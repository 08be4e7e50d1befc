import type { ConvGeometry } from '../../geometry.js';
import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';
import type { PaddedInput } from './filter-gradient.js';

const { i32, v128 } = ValueType;

/**
 * Whether {@link buildSingleChannelConvModule} handles a convolution: one input channel (a
 * grey-scale image, LeNet's first layer, where XNNPACK's GEMM wastes most of its tile), stride 1,
 * output rows a whole number of 4-pixel vectors, at most 12 output channels (the accumulators
 * must stay in registers).
 */
export function singleChannelConvFits(g: ConvGeometry): boolean {
  return g.inChannels === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.outWidth % 4 === 0 && g.outWidth > 0 && g.outChannels >= 1 && g.outChannels <= 12;
}

/** The cache key of the module for a geometry (everything it bakes in; not the batch). */
export function singleChannelConvKey(g: ConvGeometry, input: PaddedInput, relu: boolean): string {
  return ['conv1ch', g.outHeight, g.outWidth, g.outChannels, g.filterHeight, g.filterWidth, input.height, input.width, relu ? 'relu' : 'linear'].join(':');
}

/**
 * Generates `conv(padded, filter, bias, out, images)`: y[n, h, w, c] = bias[c] +
 * Σ_{kh, kw} padded[n, h + kh, w + kw] · filter[kh, kw, 0, c], then max(y, 0) when `relu`, for a
 * zero-padded single-channel input of extent `input` (stride 1). Four output pixels of a row
 * share a vector: each filter tap loads them in one go and multiplies them by the tap's weight for
 * every channel. The channel vectors are then written out pixel by pixel in NHWC. Byte addresses
 * into the heap.
 *
 * One tap per iteration of a runtime loop: with a filter row unrolled in the body, TurboFan loads
 * every tap's values first and spills accumulators (LeNet's first layer took 0.73-0.74 ms per batch
 * of 64 that way, with two pixel vectors per block, against 0.48 ms as written here, by
 * `scripts/bench-convolutions.mjs` in a checkout of each).
 */
export function buildSingleChannelConvModule(g: ConvGeometry, input: PaddedInput, relu: boolean, code: CodeOptions = PORTABLE_CODE): Uint8Array {
  const f = new FunctionWriter([i32, i32, i32, i32, i32]);
  const [padded, filter, bias, out, images] = f.params as [Local, Local, Local, Local, Local];
  const channels = g.outChannels;
  const acc = Array.from({ length: channels }, () => f.local(v128));
  const pixels = f.local(v128);
  const weight = f.local(v128);
  const zero = f.local(v128);
  const row = f.local(i32);
  const outRow = f.local(i32);
  const image = f.local(i32);
  const tapRow = f.local(i32);
  const tapFilter = f.local(i32);
  const rowCounter = f.local(i32);
  const columnCounter = f.local(i32);
  const rowBytes = input.width * 4;
  f.v128Zero().set(zero);
  f.get(padded).set(image);
  f.get(out).set(outRow);

  const block = (firstPixel: number) => {
    for (let c = 0; c < channels; c++) f.get(bias).v128Load32Splat(c * 4).set(acc[c]!);
    f.get(row).set(tapRow);
    f.get(filter).set(tapFilter);
    f.repeat(
      g.filterHeight,
      () => {
        f.repeat(
          g.filterWidth,
          () => {
            f.get(tapRow).v128Load(firstPixel * 4).set(pixels);
            for (let c = 0; c < channels; c++) {
              f.get(tapFilter).v128Load32Splat(c * 4).set(weight);
              f.multiplyAdd(acc[c]!, pixels, weight, code.fusedMultiplyAdd);
            }
            f.addTo(tapRow, 4);
            f.addTo(tapFilter, channels * 4);
          },
          columnCounter,
        );
        f.addTo(tapRow, rowBytes - g.filterWidth * 4);
      },
      rowCounter,
    );
    for (let c = 0; c < channels; c++) {
      const a = acc[c]!;
      if (relu) f.get(a).get(zero).f32x4Pmax().set(a); // a < 0 ? 0 : a, as tfjs's relu
      for (let lane = 0; lane < 4; lane++) {
        f.get(outRow).get(a).f32x4ExtractLane(lane).f32Store(((firstPixel + lane) * channels + c) * 4);
      }
    }
  };

  f.repeatUnlessZero(images, () => {
    f.get(image).set(row);
    f.repeat(g.outHeight, () => {
      for (let pixel = 0; pixel < g.outWidth; pixel += 4) block(pixel);
      f.addTo(row, rowBytes);
      f.addTo(outRow, g.outWidth * channels * 4);
    });
    f.addTo(image, input.height * rowBytes);
  });
  return encodeModule([{ name: 'conv', writer: f }]);
}

