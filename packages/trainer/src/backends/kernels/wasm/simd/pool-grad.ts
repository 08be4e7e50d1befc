import type { PoolGeometry } from '../../pool-grad.js';
import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';

/**
 * Whether the generated pooling-gradient kernels apply: windows that never overlap (stride at
 * least the window) and lie wholly inside the input (no padding), as in LeNet's 2×2/2 pools.
 * Then every input pixel belongs to at most one window and the kernels only store.
 */
export function poolGradientFits(g: PoolGeometry): boolean {
  return (
    g.strideHeight >= g.filterHeight &&
    g.strideWidth >= g.filterWidth &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    (g.outHeight - 1) * g.strideHeight + g.filterHeight <= g.inHeight &&
    (g.outWidth - 1) * g.strideWidth + g.filterWidth <= g.inWidth &&
    g.channels <= 256
  );
}

/** The cache key of a pooling-gradient module: everything it bakes in (not the batch). */
export function poolGradientKey(kind: 'avg' | 'max', g: PoolGeometry): string {
  return [
    `${kind}PoolGrad`,
    g.inHeight,
    g.inWidth,
    g.channels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
  ].join(':');
}

interface WindowLoop {
  readonly f: FunctionWriter;
  /** Byte address of the current window's dy. */
  readonly pdy: Local;
  /** Byte address of the current window's top-left input pixel. */
  readonly xb: Local;
}

/**
 * Shared loop nest: for every image, window row and window column, calls `body` with pdy and
 * xb pointing at that window's dy and top-left pixel (in dx, or in x for `x` offsets the same).
 */
function forEachWindow(g: PoolGeometry, params: number, body: (loop: WindowLoop) => void): FunctionWriter {
  const f = new FunctionWriter(Array.from({ length: params }, () => ValueType.i32));
  const batch = f.params[params - 1]!;
  const dy = f.params[0]!;
  const dx = f.params[1]!;
  const pdy = f.local(ValueType.i32);
  const image = f.local(ValueType.i32);
  const row = f.local(ValueType.i32);
  const xb = f.local(ValueType.i32);
  const c = g.channels;
  f.get(dy).set(pdy);
  f.get(dx).set(image);
  f.repeat(batch, () => {
    f.get(image).set(row);
    f.repeat(g.outHeight, () => {
      f.get(row).set(xb);
      f.repeat(g.outWidth, () => {
        body({ f, pdy, xb });
        f.addTo(pdy, c * 4);
        f.addTo(xb, g.strideWidth * c * 4);
      });
      f.addTo(row, g.strideHeight * g.inWidth * c * 4);
    });
    f.addTo(image, g.inHeight * g.inWidth * c * 4);
  });
  return f;
}

/**
 * Whether the windows tile the input exactly (stride = window, no rows or columns left over, as
 * LeNet's 2x2 pools on 28x28 and 10x10): then the generated gradients write every pixel of dx and
 * it needs no zeroing first (a full pass over dx per call, 1.6% of a batch-64 epoch's CPU).
 */
export function windowsCoverInput(g: PoolGeometry): boolean {
  return (
    g.strideHeight === g.filterHeight &&
    g.strideWidth === g.filterWidth &&
    g.outHeight * g.strideHeight === g.inHeight &&
    g.outWidth * g.strideWidth === g.inWidth
  );
}

/**
 * Generates `avgPoolGrad(dy, dx, batch)`: every pixel of a window gets dy / window size, in
 * 4-channel vectors. Pixels outside every window are not written: dx must start zeroed unless
 * {@link windowsCoverInput}. Loads of dy may
 * read up to 3 floats past its end.
 */
export function buildAvgPoolGradModule(g: PoolGeometry): Uint8Array {
  const c = g.channels;
  const vectors = Math.ceil(c / 4);
  const scale = 1 / (g.filterHeight * g.filterWidth);
  const writer = forEachWindow(g, 3, ({ f, pdy, xb }) => {
    const values = Array.from({ length: vectors }, () => f.local(ValueType.v128));
    for (let v = 0; v < vectors; v++) {
      f.get(pdy).v128Load(v * 16).f32Const(scale).f32x4Splat().f32x4Mul().set(values[v]!);
    }
    for (let r = 0; r < g.filterHeight; r++) {
      for (let col = 0; col < g.filterWidth; col++) {
        const pixel = (r * g.inWidth + col) * c * 4;
        for (let v = 0; v < vectors; v++) f.storeLanes(xb, values[v]!, Math.min(4, c - v * 4), pixel + v * 16);
      }
    }
  });
  return encodeModule([{ name: 'avgPoolGrad', writer }]);
}

/**
 * Generates `maxPoolGrad(dy, dx, x, batch)`: each window's dy goes to the first pixel (row-major)
 * holding the window's maximum, the others get 0, per channel lane; a NaN never counts as the
 * maximum (the rule of tfjs's cpu MaxPoolGrad). `dx` and `x` share the same layout, so x's
 * address is dx's plus a constant distance passed as `x - dx`. Every pixel of every window is
 * written (0 where not the maximum); dx must start zeroed unless {@link windowsCoverInput}. Loads of dy
 * and x may read up to 3 floats past their ends.
 */
export function buildMaxPoolGradModule(g: PoolGeometry): Uint8Array {
  const c = g.channels;
  const vectors = Math.ceil(c / 4);
  const taps = g.filterHeight * g.filterWidth;
  const writer = forEachWindow(g, 4, ({ f, pdy, xb }) => {
    const distance = f.params[2]!;
    const xAddress = f.local(ValueType.i32);
    const values = Array.from({ length: taps }, () => f.local(ValueType.v128));
    const best = f.local(ValueType.v128);
    const gradient = f.local(ValueType.v128);
    const taken = f.local(ValueType.v128);
    const chosen = f.local(ValueType.v128);
    const out = f.local(ValueType.v128);
    f.get(xb).get(distance).i32Add().set(xAddress);
    const pixel = (t: number): number => (Math.floor(t / g.filterWidth) * g.inWidth + (t % g.filterWidth)) * c * 4;
    for (let v = 0; v < vectors; v++) {
      const lanes = Math.min(4, c - v * 4);
      f.f32Const(Number.NEGATIVE_INFINITY).f32x4Splat().set(best);
      for (let t = 0; t < taps; t++) {
        // best = pmax(best, value) = best < value ? value : best: the running maximum, NaN never taken.
        f.get(best);
        f.get(xAddress).v128Load(pixel(t) + v * 16).tee(values[t]!);
        f.f32x4Pmax().set(best);
      }
      f.get(pdy).v128Load(v * 16).set(gradient);
      f.v128Zero().set(taken);
      for (let t = 0; t < taps; t++) {
        f.get(values[t]!).get(best).f32x4Eq().get(taken).v128Andnot().set(chosen);
        f.get(taken).get(chosen).v128Or().set(taken);
        f.get(gradient).get(chosen).v128And().set(out);
        f.storeLanes(xb, out, lanes, pixel(t) + v * 16);
      }
    }
  });
  return encodeModule([{ name: 'maxPoolGrad', writer }]);
}
