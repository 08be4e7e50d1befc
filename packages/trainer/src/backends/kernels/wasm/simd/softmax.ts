import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';

const { i32, v128 } = ValueType;

/**
 * How the generated softmax kernels hold a row of `channels` floats in vectors: `rows`, one row
 * at a time across channels/4 vectors (channels a multiple of 4: dense layers, 16-channel
 * convolutions); `lanes`, four rows at a time, one row per lane and one vector per channel
 * (small channel counts that are not: LeNet's 6-channel convolution). Undefined: not generated.
 */
export type SoftmaxLayout = 'rows' | 'lanes';

/** The layout {@link buildSoftmaxModule} uses for `channels`, or undefined when it has none. */
export function softmaxLayout(channels: number): SoftmaxLayout | undefined {
  if (channels >= 4 && channels % 4 === 0 && channels <= 1024) return 'rows';
  if (channels >= 1 && channels <= 16) return 'lanes';
  return undefined;
}

/** The cache key of the softmax module for `channels`. */
export const softmaxKey = (channels: number): string => `softmax:${channels}`;

/** Rows one call of the generated kernels handles per unit of its count argument. */
export const rowsPerUnit = (channels: number): number => (softmaxLayout(channels) === 'lanes' ? 4 : 1);

// Cephes' expf: e^x = 2^n · e^r with n = round(x·log2 e), r = x − n·ln 2 (ln 2 split in two for
// precision), e^r by a degree-7 polynomial; about 1 ulp over the float range. n is rounded by
// adding 1.5·2^23, which leaves n in the low bits of the float (cheaper than nearest and a
// saturating conversion, which x86 lacks), and 2^n is built from those bits.
const ROUNDING_MAGIC = 12582912;
const MAGIC_BITS = 0x4b400000;
const LOG2E = 1.4426950408889634;
const LN2_HIGH = 0.693359375;
const LN2_LOW = -2.12194440e-4;
const POLYNOMIAL = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** ln(2^-126): below it e^x is subnormal; inputs are clamped here (softmax's shifted logits are <= 0). */
const LOWEST = -87.33654;

/** The splatted constants of {@link emitExp}, set once at the top of a function. */
interface ExpConstants {
  readonly log2e: Local;
  readonly ln2High: Local;
  readonly ln2Low: Local;
  readonly polynomial: readonly Local[];
  readonly one: Local;
  readonly lowest: Local;
  readonly bias: Local;
  readonly magic: Local;
  readonly t: Local;
  readonly x: Local;
  readonly n: Local;
  readonly r: Local;
}

function expConstants(f: FunctionWriter): ExpConstants {
  const splat = (value: number) => {
    const local = f.local(v128);
    f.f32Const(value).f32x4Splat().set(local);
    return local;
  };
  const bias = f.local(v128);
  f.i32Const(127 - MAGIC_BITS).i32x4Splat().set(bias);
  return {
    log2e: splat(LOG2E),
    ln2High: splat(LN2_HIGH),
    ln2Low: splat(LN2_LOW),
    polynomial: POLYNOMIAL.map(splat),
    one: splat(1),
    lowest: splat(LOWEST),
    bias,
    magic: splat(ROUNDING_MAGIC),
    t: f.local(v128),
    x: f.local(v128),
    n: f.local(v128),
    r: f.local(v128),
  };
}

/** Pops a vector and pushes e^x lane by lane (NaN stays NaN; below ln 2^-126, about 0). */
function emitExp(f: FunctionWriter, k: ExpConstants): void {
  // pmax(x, lowest) = x < lowest ? lowest : x, one instruction (max's NaN rules cost several).
  f.get(k.lowest).f32x4Pmax().set(k.x);
  f.get(k.x).get(k.log2e).f32x4Mul().get(k.magic).f32x4Add().tee(k.t).get(k.magic).f32x4Sub().set(k.n);
  f.get(k.x).get(k.n).get(k.ln2High).f32x4Mul().f32x4Sub().get(k.n).get(k.ln2Low).f32x4Mul().f32x4Sub().set(k.r);
  f.get(k.polynomial[0]!);
  for (const coefficient of k.polynomial.slice(1)) f.get(k.r).f32x4Mul().get(coefficient).f32x4Add();
  f.get(k.r).get(k.r).f32x4Mul().f32x4Mul().get(k.r).f32x4Add().get(k.one).f32x4Add();
  // 2^n built in the exponent bits: (n + 127) << 23, n read from the low bits of t.
  f.get(k.t).get(k.bias).i32x4Add().i32Const(23).i32x4Shl();
  f.f32x4Mul();
}

/** Pushes the four-lane vector (row r of 4, channel c) gathered from the rows at `base`. */
function gather(f: FunctionWriter, base: Local, channels: number, c: number): void {
  f.get(base).f32Load(c * 4).f32x4Splat();
  for (let r = 1; r < 4; r++) f.get(base).f32Load((r * channels + c) * 4).f32x4ReplaceLane(r);
}

/** Stores the lanes of `value` back as (row r, channel c) of the rows at `base`. */
function scatter(f: FunctionWriter, base: Local, value: Local, channels: number, c: number): void {
  for (let r = 0; r < 4; r++) f.get(base).get(value).f32x4ExtractLane(r).f32Store((r * channels + c) * 4);
}

/** Pushes the sum (or max) of a vector's four lanes as a splatted vector. */
function horizontal(f: FunctionWriter, vector: Local, combine: 'add' | 'max'): void {
  const op = () => (combine === 'add' ? f.f32Add() : f.f32Max());
  f.get(vector).f32x4ExtractLane(0).get(vector).f32x4ExtractLane(1);
  op();
  f.get(vector).f32x4ExtractLane(2).get(vector).f32x4ExtractLane(3);
  op();
  op();
  f.f32x4Splat();
}

/**
 * Generates, for rows of `channels` floats (see {@link softmaxLayout}):
 *
 * - `softmax(x, y, count)`: y = e^(x − max) / Σ e^(x − max) along each row, as tfjs computes it;
 * - `softmaxGrad(dy, y, dx, count)`: dx = dy·y − Σ(dy·y)·y along each row (softmax's gradient
 *   from its output, in the order of tfjs's).
 *
 * `count` is rows for the `rows` layout, groups of four rows for `lanes`; the caller handles the
 * rows left over. Byte addresses into the shared heap; float32 throughout.
 */
export function buildSoftmaxModule(channels: number): Uint8Array {
  const layout = softmaxLayout(channels);
  if (layout === undefined) throw new RangeError(`no generated softmax for ${channels} channels`);
  const stride = (layout === 'lanes' ? 4 * channels : channels) * 4;
  const vectors = layout === 'lanes' ? channels : channels / 4;

  const forward = new FunctionWriter([i32, i32, i32]);
  {
    const f = forward;
    const [x, y, count] = f.params as [Local, Local, Local];
    const k = expConstants(f);
    const v = Array.from({ length: layout === 'lanes' ? vectors : 0 }, () => f.local(v128));
    const max = f.local(v128);
    const sum = f.local(v128);
    const t = f.local(v128);
    f.repeatUnlessZero(count, () => {
      if (layout === 'lanes') {
        for (let c = 0; c < channels; c++) {
          gather(f, x, channels, c);
          f.set(v[c]!);
        }
        f.get(v[0]!).set(max);
        // pmax drops a NaN from the max, but the NaN still reaches every output through the sum.
        for (let c = 1; c < channels; c++) f.get(max).get(v[c]!).f32x4Pmax().set(max);
        f.v128Zero().set(sum);
        for (let c = 0; c < channels; c++) {
          f.get(v[c]!).get(max).f32x4Sub();
          emitExp(f, k);
          f.tee(v[c]!).get(sum).f32x4Add().set(sum);
        }
        for (let c = 0; c < channels; c++) {
          f.get(v[c]!).get(sum).f32x4Div().set(t);
          scatter(f, y, t, channels, c);
        }
      } else {
        f.get(x).v128Load().set(max);
        for (let j = 1; j < vectors; j++) f.get(max).get(x).v128Load(j * 16).f32x4Pmax().set(max);
        horizontal(f, max, 'max');
        f.set(max);
        f.v128Zero().set(sum);
        for (let j = 0; j < vectors; j++) {
          f.get(y);
          f.get(x).v128Load(j * 16).get(max).f32x4Sub();
          emitExp(f, k);
          f.tee(t).v128Store(j * 16);
          f.get(sum).get(t).f32x4Add().set(sum);
        }
        horizontal(f, sum, 'add');
        f.set(sum);
        for (let j = 0; j < vectors; j++) f.get(y).get(y).v128Load(j * 16).get(sum).f32x4Div().v128Store(j * 16);
      }
      f.addTo(x, stride);
      f.addTo(y, stride);
    });
  }

  const backward = new FunctionWriter([i32, i32, i32, i32]);
  {
    const f = backward;
    const [dy, y, dx, count] = f.params as [Local, Local, Local, Local];
    const yv = Array.from({ length: layout === 'lanes' ? vectors : 0 }, () => f.local(v128));
    const pv = Array.from({ length: layout === 'lanes' ? vectors : 0 }, () => f.local(v128));
    const sum = f.local(v128);
    const t = f.local(v128);
    f.repeatUnlessZero(count, () => {
      f.v128Zero().set(sum);
      if (layout === 'lanes') {
        for (let c = 0; c < channels; c++) {
          gather(f, y, channels, c);
          f.tee(yv[c]!);
          gather(f, dy, channels, c);
          f.f32x4Mul().tee(pv[c]!).get(sum).f32x4Add().set(sum);
        }
        for (let c = 0; c < channels; c++) {
          f.get(pv[c]!).get(sum).get(yv[c]!).f32x4Mul().f32x4Sub().set(t);
          scatter(f, dx, t, channels, c);
        }
      } else {
        for (let j = 0; j < vectors; j++) {
          f.get(dx).get(dy).v128Load(j * 16).get(y).v128Load(j * 16).f32x4Mul().tee(t).v128Store(j * 16);
          f.get(sum).get(t).f32x4Add().set(sum);
        }
        horizontal(f, sum, 'add');
        f.set(sum);
        for (let j = 0; j < vectors; j++) {
          f.get(dx).get(dx).v128Load(j * 16).get(sum).get(y).v128Load(j * 16).f32x4Mul().f32x4Sub().v128Store(j * 16);
        }
      }
      f.addTo(dy, stride);
      f.addTo(y, stride);
      f.addTo(dx, stride);
    });
  }

  return encodeModule([
    { name: 'softmax', writer: forward },
    { name: 'softmaxGrad', writer: backward },
  ]);
}
