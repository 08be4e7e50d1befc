import type { ConvGeometry } from '../../geometry.js';
import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';

const { i32, v128 } = ValueType;

/**
 * Output positions one block of the generated convolution computes at once, each with every
 * channel vector of its pass in registers. 2 positions × 4 vectors (8 accumulators) measured
 * fastest for LeNet's second layer, as for the filter gradient: 3 positions (12 accumulators)
 * leave too few of x86-64's 16 vector registers for the splats and the weight.
 */
export const CHANNEL_CONV_POSITIONS = 2;

/** Channel vectors per pass (the filter's 4-lane groups of output channels): a register budget. */
const VECTORS_PER_PASS = 4;

/**
 * Whether {@link buildChannelConvModule} handles a convolution: several input channels, output
 * channels a whole number of 4-lane vectors (their weights are then whole vectors of the filter
 * as tfjs lays it out), and no padding to copy (the input is read where it lies). LeNet's second
 * layer (6 channels in, 16 out, 'valid') is one; single-channel inputs have their own kernel.
 */
export function channelConvFits(g: ConvGeometry): boolean {
  const unpadded =
    g.padTop === 0 &&
    g.padLeft === 0 &&
    (g.outHeight - 1) * g.strideHeight + g.filterHeight <= g.inHeight &&
    (g.outWidth - 1) * g.strideWidth + g.filterWidth <= g.inWidth;
  return g.inChannels > 1 && g.outChannels > 0 && g.outChannels % 4 === 0 && g.outHeight > 0 && g.outWidth > 0 && unpadded;
}

/** The cache key of {@link buildChannelConvModule}'s code: everything it bakes in (not the batch). */
export function channelConvKey(g: ConvGeometry, relu: boolean): string {
  return [
    'channelConv',
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    relu ? 'relu' : 'linear',
  ].join(':');
}

/**
 * Generates `conv(x, filter, bias, out, images)`: y[n, h, w, o] = bias[o] + Σ_{kh, kw, c}
 * x[n, h·sh + kh, w·sw + kw, c] · filter[kh, kw, c, o], then max(y, 0) when `relu`, for NHWC
 * `x` read in place (see {@link channelConvFits}); byte addresses into the heap.
 *
 * Direct convolution with the output channels in the vector lanes: a block holds
 * {@link CHANNEL_CONV_POSITIONS} neighbouring output positions × up to 4 channel vectors in
 * registers; per filter tap it splats one input value per position and loads each channel vector
 * of the tap's weights once (contiguous in tfjs's filter layout), so no im2col matrix is written.
 * Filter rows run as a loop (TurboFan allocates registers better for that body than for every tap
 * unrolled); the taps of a row are unrolled with constant offsets.
 */
export function buildChannelConvModule(g: ConvGeometry, relu: boolean, code: CodeOptions = PORTABLE_CODE): Uint8Array {
  const f = new FunctionWriter([i32, i32, i32, i32, i32]);
  const [x, filter, bias, out, images] = f.params as [Local, Local, Local, Local, Local];
  const c = g.inChannels;
  const channelVectors = g.outChannels / 4;
  const acc = Array.from({ length: CHANNEL_CONV_POSITIONS * VECTORS_PER_PASS }, () => f.local(v128));
  const splats = Array.from({ length: CHANNEL_CONV_POSITIONS }, () => f.local(v128));
  const weight = f.local(v128);
  const zero = f.local(v128);
  const image = f.local(i32);
  const row = f.local(i32);
  const outRow = f.local(i32);
  const position = f.local(i32);
  const outPosition = f.local(i32);
  const tapRow = f.local(i32);
  const tapFilter = f.local(i32);
  const filterRowCounter = f.local(i32);
  const tapCounter = f.local(i32);
  const rowBytes = g.inWidth * c * 4;
  f.v128Zero().set(zero);
  f.get(x).set(image);
  f.get(out).set(outRow);

  const block = (positions: number) => {
    for (let v0 = 0; v0 < channelVectors; v0 += VECTORS_PER_PASS) {
      const vectors = Math.min(VECTORS_PER_PASS, channelVectors - v0);
      const a = (p: number, v: number): Local => acc[p * VECTORS_PER_PASS + v]!;
      for (let v = 0; v < vectors; v++) {
        f.get(bias).v128Load((v0 + v) * 16).set(a(0, v));
        for (let p = 1; p < positions; p++) f.get(a(0, v)).set(a(p, v));
      }
      f.get(position).set(tapRow);
      f.get(filter).set(tapFilter);
      // One tap per iteration of a runtime loop: the taps of a filter row are contiguous in x
      // (kw, then c) and in the filter. Unrolled, TurboFan hoists every tap's loads to the top
      // of the body and spills the accumulators (about 2x slower, seen in its code).
      f.repeat(
        g.filterHeight,
        () => {
          f.repeat(
            g.filterWidth * c,
            () => {
              for (let p = 0; p < positions; p++) f.get(tapRow).v128Load32Splat(p * g.strideWidth * c * 4).set(splats[p]!);
              for (let v = 0; v < vectors; v++) {
                f.get(tapFilter).v128Load((v0 + v) * 16).set(weight);
                for (let p = 0; p < positions; p++) f.multiplyAdd(a(p, v), splats[p]!, weight, code.fusedMultiplyAdd);
              }
              f.addTo(tapRow, 4);
              f.addTo(tapFilter, g.outChannels * 4);
            },
            tapCounter,
          );
          f.addTo(tapRow, rowBytes - g.filterWidth * c * 4);
        },
        filterRowCounter,
      );
      for (let p = 0; p < positions; p++) {
        for (let v = 0; v < vectors; v++) {
          if (relu) f.get(a(p, v)).get(zero).f32x4Pmax().set(a(p, v)); // a < 0 ? 0 : a, as tfjs's relu
          f.get(outPosition).get(a(p, v)).v128Store((p * g.outChannels + (v0 + v) * 4) * 4);
        }
      }
    }
  };

  const fullBlocks = Math.floor(g.outWidth / CHANNEL_CONV_POSITIONS);
  const rest = g.outWidth % CHANNEL_CONV_POSITIONS;
  f.repeatUnlessZero(images, () => {
    f.get(image).set(row);
    f.repeat(g.outHeight, () => {
      f.get(row).set(position);
      f.get(outRow).set(outPosition);
      const step = () => {
        f.addTo(position, CHANNEL_CONV_POSITIONS * g.strideWidth * c * 4);
        f.addTo(outPosition, CHANNEL_CONV_POSITIONS * g.outChannels * 4);
      };
      if (fullBlocks > 0) {
        f.repeat(fullBlocks, () => {
          block(CHANNEL_CONV_POSITIONS);
          step();
        });
      }
      if (rest > 0) block(rest);
      f.addTo(row, g.strideHeight * rowBytes);
      f.addTo(outRow, g.outWidth * g.outChannels * 4);
    });
    f.addTo(image, g.inHeight * rowBytes);
  });
  return encodeModule([{ name: 'conv', writer: f }]);
}
