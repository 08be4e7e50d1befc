import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';

/** The cache key of {@link buildColumnSumModule} (one module serves every shape). */
export const COLUMN_SUM_KEY = 'columnSum';

/**
 * Generates `columnSum(src, dst, rows, cols, blocks16, blocks4, singles)`: dst[c] = Σ_r src[r, c]
 * for a row-major [rows, cols] float32 matrix, byte addresses into the shared heap. Columns go
 * 16 at a time (four vectors in registers), then 4 at a time, then one by one; the caller passes
 * the three counts (cols = 16·blocks16 + 4·blocks4 + singles). Each column is summed in row
 * order in float32, as tfjs-backend-wasm's own Sum does. `rows` must be at least 1.
 */
export function buildColumnSumModule(): Uint8Array {
  const i32 = ValueType.i32;
  const f = new FunctionWriter([i32, i32, i32, i32, i32, i32, i32]);
  const [src, dst, rows, cols, blocks16, blocks4, singles] = f.params as [Local, Local, Local, Local, Local, Local, Local];
  const rowBytes = f.local(i32);
  const column = f.local(i32);
  const out = f.local(i32);
  const pointer = f.local(i32);
  const vectors = Array.from({ length: 4 }, () => f.local(ValueType.v128));
  const scalar = f.local(ValueType.f32);
  f.get(cols).i32Const(4).i32Mul().set(rowBytes);
  f.get(src).set(column);
  f.get(dst).set(out);

  const sweep = (width: number) => {
    f.get(column).set(pointer);
    if (width === 1) {
      f.f32Const(0).set(scalar);
      f.repeat(rows, () => {
        f.get(scalar).get(pointer).f32Load().f32Add().set(scalar);
        f.get(pointer).get(rowBytes).i32Add().set(pointer);
      });
      f.get(out).get(scalar).f32Store();
    } else {
      const count = width / 4;
      for (let v = 0; v < count; v++) f.v128Zero().set(vectors[v]!);
      f.repeat(rows, () => {
        for (let v = 0; v < count; v++) f.get(vectors[v]!).get(pointer).v128Load(v * 16).f32x4Add().set(vectors[v]!);
        f.get(pointer).get(rowBytes).i32Add().set(pointer);
      });
      for (let v = 0; v < count; v++) f.get(out).get(vectors[v]!).v128Store(v * 16);
    }
    f.addTo(column, width * 4);
    f.addTo(out, width * 4);
  };
  f.repeatUnlessZero(blocks16, () => sweep(16));
  f.repeatUnlessZero(blocks4, () => sweep(4));
  f.repeatUnlessZero(singles, () => sweep(1));
  return encodeModule([{ name: 'columnSum', writer: f }]);
}
