import type { ConvGeometry } from '../../geometry.js';
import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';

/** Where the filter-gradient kernel reads x: the input itself, or a zero-padded copy of it. */
export interface PaddedInput {
  /** Rows of the (possibly padded) input the kernel walks. */
  readonly height: number;
  /** Columns of the (possibly padded) input the kernel walks. */
  readonly width: number;
  /** Whether x must first be copied into a zero-padded buffer (pads, or windows past the edge). */
  readonly copy: boolean;
}

/**
 * The input extent every filter tap of every output position reads, padding included, so the
 * generated loops need no bounds checks: padTop + inHeight rows at least, and as many as the
 * last output row's window reaches.
 */
export function paddedInput(g: ConvGeometry): PaddedInput {
  const height = Math.max(g.padTop + g.inHeight, (g.outHeight - 1) * g.strideHeight + g.filterHeight);
  const width = Math.max(g.padLeft + g.inWidth, (g.outWidth - 1) * g.strideWidth + g.filterWidth);
  const copy = g.padTop > 0 || g.padLeft > 0 || height > g.inHeight || width > g.inWidth;
  return { height, width, copy };
}

/** Output channels rounded up to whole 4-lane vectors: the row stride of the kernel's output. */
export function paddedOutChannels(g: ConvGeometry): number {
  return Math.ceil(g.outChannels / 4) * 4;
}

/**
 * Accumulator vectors the generated inner loop keeps live (patch rows × channel vectors): a
 * register budget. 8 measured fastest for LeNet's layers (x86-64 has 16 vector registers; the
 * dy vectors and a splat need some too).
 */
export const DEFAULT_ACCUMULATORS = 8;

/**
 * Passes over the output positions the generated kernel makes (one per block of patch rows and
 * channel vectors); each is unrolled code, so this bounds the module's size (about 400 bytes each).
 */
export function filterGradientPasses(g: ConvGeometry, accumulators = DEFAULT_ACCUMULATORS): number {
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const vectorCount = Math.ceil(g.outChannels / 4);
  let passes = 0;
  for (let v0 = 0; v0 < vectorCount; v0 += 4) {
    const vectors = Math.min(4, vectorCount - v0);
    passes += Math.ceil(patch / Math.max(1, Math.floor(accumulators / vectors)));
  }
  return passes;
}

/** Most passes {@link buildFilterGradientModule} unrolls; larger filters take the im2col path. */
export const MAX_GENERATED_PASSES = 1024;

/**
 * The geometry a convolution-gradient module bakes in, as a cache key prefixed with `name`: the
 * channels, output and filter extents, strides and the (padded) input extent; not the batch.
 */
export function convolutionKey(name: string, g: ConvGeometry, input: PaddedInput): string {
  return [
    name,
    g.inChannels,
    g.outChannels,
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

/** The cache key of {@link buildFilterGradientModule}'s code: everything it bakes in (not the batch). */
export function filterGradientKey(g: ConvGeometry, input: PaddedInput, accumulators = DEFAULT_ACCUMULATORS): string {
  return `${convolutionKey('filterGradient', g, input)}:${accumulators}`;
}

/**
 * Generates `filterGradient(x, dy, out, batch)` for one geometry: out[k, co] += Σ_p x[p, k] · dy[p, co],
 * with k = (kh, kw, ci) and p = (n, oh, ow), all addresses in bytes into the shared heap.
 * `x` is the (padded) input of {@link paddedInput}; `dy` is [P, outChannels]; `out` is
 * [patch, {@link paddedOutChannels}] and must start zeroed.
 *
 * The output channels are split into 4-lane vectors and the patch rows into blocks, so each
 * pass over an image's output positions keeps a block of rows × vectors in registers: per
 * position it loads the dy vectors once and one x value per row (the im2col matrix is never
 * written; tap offsets are constants in the code). The passes run image by image, each adding
 * its block onto `out`, so an image's x and dy stay in the L1 cache for all its passes (the same
 * additions in the same order as passes over the whole batch, which streamed the batch from L2
 * or memory once per pass; conv 2 dW at batch 128: 1.36-1.38 against 1.26-1.27 ms by
 * `scripts/bench-convolutions.mjs --batch 128`). Loads of dy may run up to 3 floats past a position's
 * channels (into the next position, or past the end of dy): those lanes only feed output columns
 * beyond outChannels, which callers drop, but the memory must exist.
 */
export function buildFilterGradientModule(
  g: ConvGeometry,
  input: PaddedInput,
  accumulators = DEFAULT_ACCUMULATORS,
  code: CodeOptions = PORTABLE_CODE,
): Uint8Array {
  const { inChannels: c, outChannels: co, filterHeight: kh, filterWidth: kw } = g;
  const patch = kh * kw * c;
  const vectorCount = Math.ceil(co / 4);
  const outStride = vectorCount * 4;
  const tapOffset = (k: number): number => {
    const ci = k % c;
    const column = Math.floor(k / c) % kw;
    const row = Math.floor(k / (c * kw));
    return ((row * input.width + column) * c + ci) * 4;
  };

  const f = new FunctionWriter([ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32]);
  const [x, dy, out, batch] = f.params as [Local, Local, Local, Local];
  const dyImage = f.local(ValueType.i32);
  const pdy = f.local(ValueType.i32);
  const xImage = f.local(ValueType.i32);
  const xRow = f.local(ValueType.i32);
  const xb = f.local(ValueType.i32);
  const counters = [f.local(ValueType.i32), f.local(ValueType.i32)] as const;
  const splat = f.local(ValueType.v128);
  const dyVectors = Array.from({ length: 4 }, () => f.local(ValueType.v128));
  const accumulatorPool = Array.from({ length: Math.max(accumulators, 4) }, () => f.local(ValueType.v128));

  f.get(dy).set(dyImage);
  f.get(x).set(xImage);
  f.repeatUnlessZero(batch, () => {
    for (let v0 = 0; v0 < vectorCount; v0 += 4) {
      const vectors = Math.min(4, vectorCount - v0);
      const rowsPerPass = Math.max(1, Math.floor(accumulators / vectors));
      const passes = Math.ceil(patch / rowsPerPass);
      for (let pass = 0; pass < passes; pass++) {
        // Rows spread evenly over the passes, so no pass runs nearly empty.
        const k0 = Math.floor((pass * patch) / passes);
        const k1 = Math.floor(((pass + 1) * patch) / passes);
        const rows = k1 - k0;
        const acc = (r: number, v: number): Local => accumulatorPool[r * vectors + v]!;
        const outOffset = (r: number, v: number): number => ((k0 + r) * outStride + (v0 + v) * 4) * 4;
        for (let r = 0; r < rows; r++) {
          for (let v = 0; v < vectors; v++) f.get(out).v128Load(outOffset(r, v)).set(acc(r, v));
        }
        f.get(dyImage).set(pdy);
        f.get(xImage).set(xRow);
        f.repeat(
          g.outHeight,
          () => {
            f.get(xRow).set(xb);
            f.repeat(
              g.outWidth,
              () => {
                for (let v = 0; v < vectors; v++) f.get(pdy).v128Load((v0 + v) * 16).set(dyVectors[v]!);
                for (let r = 0; r < rows; r++) {
                  f.get(xb).v128Load32Splat(tapOffset(k0 + r)).set(splat);
                  for (let v = 0; v < vectors; v++) {
                    f.multiplyAdd(acc(r, v), splat, dyVectors[v]!, code.fusedMultiplyAdd);
                  }
                }
                f.addTo(pdy, co * 4);
                f.addTo(xb, g.strideWidth * c * 4);
              },
              counters[1],
            );
            f.addTo(xRow, g.strideHeight * input.width * c * 4);
          },
          counters[0],
        );
        for (let r = 0; r < rows; r++) {
          for (let v = 0; v < vectors; v++) f.get(out).get(acc(r, v)).v128Store(outOffset(r, v));
        }
      }
    }
    f.addTo(dyImage, g.outHeight * g.outWidth * co * 4);
    f.addTo(xImage, input.height * input.width * c * 4);
  });
  return encodeModule([{ name: 'filterGradient', writer: f }]);
}
