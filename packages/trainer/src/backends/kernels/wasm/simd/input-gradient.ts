import type { ConvGeometry } from '../../geometry.js';
import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';
import { convolutionKey, type PaddedInput } from './filter-gradient.js';

const { i32, v128 } = ValueType;

/** Output rows whose dy positions one block handles together (their dx rows never overlap within a filter row). */
const ROWS_PER_BLOCK = 2;

/** Run vectors per pass: with {@link ROWS_PER_BLOCK} rows, 8 accumulators (a register budget, as for the other kernels). */
const VECTORS_PER_PASS = 4;

/** Floats per filter row in {@link inputGradientFilter}'s layout: filterWidth · inChannels rounded up to whole vectors. */
export function inputGradientRun(g: ConvGeometry): number {
  return Math.ceil((g.filterWidth * g.inChannels) / 4) * 4;
}

/** The cache key of {@link buildInputGradientModule}'s code: everything it bakes in (not the batch). */
export function inputGradientKey(g: ConvGeometry, input: PaddedInput): string {
  return convolutionKey('inputGradient', g, input);
}

/**
 * The filter as {@link buildInputGradientModule} reads it: wt[kh, o, r] = filter[kh, kw, c, o] with
 * r = kw · inChannels + c, each row zero-padded to {@link inputGradientRun} floats. `filter` is
 * tfjs's [filterHeight, filterWidth, inChannels, outChannels]; `wt` must hold
 * filterHeight · outChannels · run floats.
 */
export function inputGradientFilter(filter: Float32Array, g: ConvGeometry, wt: Float32Array): void {
  const run = inputGradientRun(g);
  const width = g.filterWidth * g.inChannels;
  wt.fill(0);
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let r = 0; r < width; r++) {
      const from = (kh * width + r) * g.outChannels;
      for (let o = 0; o < g.outChannels; o++) wt[(kh * g.outChannels + o) * run + r] = filter[from + o] as number;
    }
  }
}

/**
 * Generates `inputGradient(dy, wt, dx, images)`: dx[n, h·sh + kh, w·sw + kw, c] += Σ_o dy[n, h, w, o] ·
 * filter[kh, kw, c, o], the input gradient of an NHWC convolution, written onto `dx` (zeroed, of
 * the {@link PaddedInput} extent); `wt` is {@link inputGradientFilter}'s layout. Byte addresses
 * into the heap.
 *
 * Each dy position adds, for every filter row, one contiguous run of filterWidth · inChannels
 * floats to dx: the dy values (one splat per output channel) times the rows of `wt`. Two dy
 * positions one output row apart share each weight load; their runs land on different dx rows,
 * so adding one never reads what the other just stored. This is the GEMM-then-col2im of
 * `conv2d-backprop-input.ts` without the columns in memory. The output channels are a runtime loop,
 * one per iteration: unrolled, TurboFan hoists all their loads and spills the accumulators.
 * Run tails narrower than a vector are added lane by lane, so nothing outside a run is touched.
 */
export function buildInputGradientModule(g: ConvGeometry, input: PaddedInput, code: CodeOptions = PORTABLE_CODE): Uint8Array {
  const f = new FunctionWriter([i32, i32, i32, i32]);
  const [dy, wt, dx, images] = f.params as [Local, Local, Local, Local];
  const c = g.inChannels;
  const co = g.outChannels;
  const width = g.filterWidth * c;
  const run = inputGradientRun(g);
  const runVectors = run / 4;
  const rowBytes = input.width * c * 4;
  const dyRowBytes = g.outWidth * co * 4;
  const acc = Array.from({ length: ROWS_PER_BLOCK * VECTORS_PER_PASS }, () => f.local(v128));
  const splats = Array.from({ length: ROWS_PER_BLOCK }, () => f.local(v128));
  const weight = f.local(v128);
  const dyRow = f.local(i32);
  const dxImage = f.local(i32);
  const dxRow = f.local(i32);
  const position = f.local(i32);
  const dxPosition = f.local(i32);
  const dyTap = f.local(i32);
  const wtTap = f.local(i32);
  const target = f.local(i32);
  const filterRowCounter = f.local(i32);
  const channelCounter = f.local(i32);

  const block = (rows: number) => {
    for (let v0 = 0; v0 < runVectors; v0 += VECTORS_PER_PASS) {
      const vectors = Math.min(VECTORS_PER_PASS, runVectors - v0);
      const a = (p: number, v: number): Local => acc[p * VECTORS_PER_PASS + v]!;
      f.get(wt).set(wtTap);
      f.get(dxPosition).set(target);
      f.repeat(
        g.filterHeight,
        () => {
          for (let i = 0; i < rows * VECTORS_PER_PASS; i++) f.v128Zero().set(acc[i]!);
          f.get(position).set(dyTap);
          f.repeat(
            co,
            () => {
              for (let p = 0; p < rows; p++) f.get(dyTap).v128Load32Splat(p * dyRowBytes).set(splats[p]!);
              for (let v = 0; v < vectors; v++) {
                f.get(wtTap).v128Load((v0 + v) * 16).set(weight);
                for (let p = 0; p < rows; p++) f.multiplyAdd(a(p, v), splats[p]!, weight, code.fusedMultiplyAdd);
              }
              f.addTo(dyTap, 4);
              f.addTo(wtTap, run * 4);
            },
            channelCounter,
          );
          for (let p = 0; p < rows; p++) {
            const rowOffset = p * g.strideHeight * rowBytes;
            for (let v = 0; v < vectors; v++) {
              const first = (v0 + v) * 4;
              const lanes = Math.min(4, width - first);
              const offset = rowOffset + first * 4;
              if (lanes === 4) {
                f.get(target).get(target).v128Load(offset).get(a(p, v)).f32x4Add().v128Store(offset);
              } else {
                for (let lane = 0; lane < lanes; lane++) {
                  f.get(target).get(target).f32Load(offset + lane * 4).get(a(p, v)).f32x4ExtractLane(lane).f32Add().f32Store(offset + lane * 4);
                }
              }
            }
          }
          f.addTo(target, rowBytes);
        },
        filterRowCounter,
      );
    }
  };

  const rowsAcross = (rows: number) => {
    f.get(dyRow).set(position);
    f.get(dxRow).set(dxPosition);
    f.repeat(g.outWidth, () => {
      block(rows);
      f.addTo(position, co * 4);
      f.addTo(dxPosition, g.strideWidth * c * 4);
    });
  };

  const rowBlocks = Math.floor(g.outHeight / ROWS_PER_BLOCK);
  const rest = g.outHeight % ROWS_PER_BLOCK;
  f.get(dy).set(dyRow);
  f.get(dx).set(dxImage);
  f.repeatUnlessZero(images, () => {
    f.get(dxImage).set(dxRow);
    if (rowBlocks > 0) {
      f.repeat(rowBlocks, () => {
        rowsAcross(ROWS_PER_BLOCK);
        f.addTo(dyRow, ROWS_PER_BLOCK * dyRowBytes);
        f.addTo(dxRow, ROWS_PER_BLOCK * g.strideHeight * rowBytes);
      });
    }
    if (rest > 0) {
      rowsAcross(rest);
      f.addTo(dyRow, rest * dyRowBytes);
    }
    f.addTo(dxImage, input.height * rowBytes);
  });
  return encodeModule([{ name: 'inputGradient', writer: f }]);
}
