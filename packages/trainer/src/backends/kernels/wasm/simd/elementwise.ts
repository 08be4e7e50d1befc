import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';

/** The cache key of {@link buildElementwiseModule} (one module serves every shape). */
export const ELEMENTWISE_KEY = 'elementwise';

const { i32, f32, v128 } = ValueType;

/**
 * A function over `pointers` float32 arrays of the same length, four floats at a time: the last
 * i32 parameter is the number of vectors (length / 4, rounded down; the caller does the rest),
 * followed by `scalars` f32 parameters. `body(address, scalar)` emits one vector's work, where
 * `address(p)` pushes the current byte address in array p and `scalar(k)` the k-th f32 splatted.
 */
function vectorLoop(pointers: number, scalars: number, body: (f: FunctionWriter, address: (p: number) => void, scalar: (k: number) => Local) => void): FunctionWriter {
  const f = new FunctionWriter([...Array.from({ length: pointers + 1 }, () => i32), ...Array.from({ length: scalars }, () => f32)]);
  const bases = f.params.slice(0, pointers);
  const vectors = f.params[pointers]!;
  const splats = f.params.slice(pointers + 1).map((param) => {
    const splat = f.local(v128);
    f.get(param).f32x4Splat().set(splat);
    return splat;
  });
  const offset = f.local(i32);
  f.i32Const(0).set(offset);
  f.repeatUnlessZero(vectors, () => {
    body(
      f,
      (p) => f.get(bases[p]!).get(offset).i32Add(),
      (k) => splats[k]!,
    );
    f.addTo(offset, 16);
  });
  return f;
}

/**
 * Generates the element-wise kernels of a training step, each over whole vectors of four floats:
 *
 * - `reluGrad(dy, y, dx, vectors)`: dx = dy where y > 0, else 0.
 * - `leakyReluGrad(dy, y, dx, vectors, alpha)`: dx = dy where y > 0, else alpha·dy.
 * - `leakyRelu(x, y, vectors, alpha)`: y = x where x > 0, else alpha·x.
 * - `adamUpdate(w, g, m, v, wOut, mOut, vOut, vectors, β1, 1−β1, β2, 1−β2, c1, c2, ε, −lr)`:
 *   m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g·g, w' = (m'/c1) / (√(v'/c2) + ε)·(−lr) + w,
 *   in tfjs's order of operations.
 * - `rmspropUpdate(w, g, s, wOut, sOut, vectors, ρ, 1−ρ, ε, lr)`:
 *   s' = ρ·s + (1−ρ)·g·g, w' = w − g·lr / (√s' + ε) (PyTorch's order: ε after the root).
 * - `sgdUpdate(w, g, wOut, vectors, −lr)`: w' = (−lr)·g + w.
 *
 * Addresses are byte addresses into the shared heap; float32 arithmetic throughout.
 */
export function buildElementwiseModule(): Uint8Array {
  const reluGrad = vectorLoop(3, 0, (f, address) => {
    address(2);
    address(0);
    f.v128Load();
    address(1);
    f.v128Load().v128Zero().f32x4Gt().v128And().v128Store();
  });

  const leakyReluGrad = vectorLoop(3, 1, (f, address, scalar) => {
    const dy = f.local(v128);
    address(0);
    f.v128Load().set(dy);
    address(2);
    f.get(dy).get(dy).get(scalar(0)).f32x4Mul();
    address(1);
    f.v128Load().v128Zero().f32x4Gt().v128Bitselect().v128Store();
  });

  const leakyRelu = vectorLoop(2, 1, (f, address, scalar) => {
    const x = f.local(v128);
    address(0);
    f.v128Load().set(x);
    address(1);
    f.get(x).get(x).get(scalar(0)).f32x4Mul().get(x).v128Zero().f32x4Gt().v128Bitselect().v128Store();
  });

  const adamUpdate = vectorLoop(7, 8, (f, address, scalar) => {
    const [beta1, keep1, beta2, keep2, c1, c2, epsilon, negativeRate] = [0, 1, 2, 3, 4, 5, 6, 7].map(scalar) as Local[];
    const g = f.local(v128);
    const m = f.local(v128);
    const v = f.local(v128);
    address(1);
    f.v128Load().set(g);
    address(2);
    f.v128Load().get(beta1!).f32x4Mul().get(g).get(keep1!).f32x4Mul().f32x4Add().set(m);
    address(3);
    f.v128Load().get(beta2!).f32x4Mul().get(g).get(g).f32x4Mul().get(keep2!).f32x4Mul().f32x4Add().set(v);
    address(5);
    f.get(m).v128Store();
    address(6);
    f.get(v).v128Store();
    address(4);
    f.get(m).get(c1!).f32x4Div();
    f.get(v).get(c2!).f32x4Div().f32x4Sqrt().get(epsilon!).f32x4Add().f32x4Div();
    f.get(negativeRate!).f32x4Mul();
    address(0);
    f.v128Load().f32x4Add().v128Store();
  });

  const rmspropUpdate = vectorLoop(5, 4, (f, address, scalar) => {
    const [decay, keep, epsilon, rate] = [0, 1, 2, 3].map(scalar) as Local[];
    const g = f.local(v128);
    const s = f.local(v128);
    address(1);
    f.v128Load().set(g);
    address(2);
    f.v128Load().get(decay!).f32x4Mul().get(g).get(g).f32x4Mul().get(keep!).f32x4Mul().f32x4Add().set(s);
    address(4);
    f.get(s).v128Store();
    address(3);
    address(0);
    f.v128Load().get(g).get(rate!).f32x4Mul().get(s).f32x4Sqrt().get(epsilon!).f32x4Add().f32x4Div().f32x4Sub().v128Store();
  });

  const sgdUpdate = vectorLoop(3, 1, (f, address, scalar) => {
    address(2);
    f.get(scalar(0));
    address(1);
    f.v128Load().f32x4Mul();
    address(0);
    f.v128Load().f32x4Add().v128Store();
  });

  return encodeModule([
    { name: 'reluGrad', writer: reluGrad },
    { name: 'leakyReluGrad', writer: leakyReluGrad },
    { name: 'leakyRelu', writer: leakyRelu },
    { name: 'adamUpdate', writer: adamUpdate },
    { name: 'rmspropUpdate', writer: rmspropUpdate },
    { name: 'sgdUpdate', writer: sgdUpdate },
  ]);
}
