import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';

const { i32, v128 } = ValueType;

/**
 * One single-matrix product C[M×N] a generated kernel computes, as the dense layers need them:
 * `nn`, C = A·B (+ bias, then relu if asked) with A [M×T] and B [T×N] (the forward pass);
 * `tn`, C = Aᵀ·B with A stored [T×M] (the weight gradient xᵀ·dz); `nt`, C = A·Bᵀ with A [M×T]
 * and B [N×T] (the input gradient dz·Wᵀ). Row-major float32 throughout.
 */
export interface GemmSpec {
  readonly kind: 'nn' | 'tn' | 'nt';
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The summed dimension. */
  readonly t: number;
  /** `nn` only: add a bias vector [N] (the kernel's fourth argument). @default false */
  readonly bias?: boolean;
  /** `nn` only: max(C, 0) last. @default false */
  readonly relu?: boolean;
}

/** Whether a generated kernel takes `spec` (sizes that keep the unrolled code small; `nt` needs T a multiple of 4). */
export function gemmFits(spec: GemmSpec): boolean {
  const { m, n, t } = spec;
  if (m < 1 || n < 1 || t < 1 || m * n * t < 4096) return false;
  return spec.kind === 'nt' ? t % 4 === 0 && t <= 4096 && n <= 4096 : n <= 1024;
}

/** Floats an `nn` or `tn` kernel may read past the end of B (its last row's partial vector), and of the bias. */
export const gemmOverRead = (spec: GemmSpec): number => (spec.kind !== 'nt' && spec.n % 4 !== 0 ? 4 - (spec.n % 4) : 0);

/** The cache key of {@link buildGemmModule}'s code for `spec`. */
export const gemmKey = (spec: GemmSpec): string => `gemm:${spec.kind}:${spec.m}:${spec.n}:${spec.t}:${spec.bias ? 'bias' : ''}:${spec.relu ? 'relu' : ''}`;

/**
 * Generates `gemm(a, b, c, bias)` for `spec` (byte addresses into the shared heap; `bias` only
 * read by an `nn` kernel with a bias).
 *
 * `nn` and `tn`: blocks of 4 rows × 8 columns of C in 8 accumulators (starting from the bias);
 * each step t loads B's row t (two vectors) and splats A's four values for those rows (adjacent
 * in memory for `tn`, a row apart for `nn`), so nothing is transposed or repacked first.
 * Columns left over go 4 then 1-3 at a time (the partial vector reads up to 3 floats past a row
 * of B and of the bias: see {@link gemmOverRead}).
 *
 * `nt`: blocks of 2 rows × 4 columns of C, each a dot product of a row of A with a row of B, four
 * floats at a time in 8 accumulators, summed across lanes at the end.
 */
export function buildGemmModule(spec: GemmSpec, code: CodeOptions = PORTABLE_CODE): Uint8Array {
  return encodeModule([{ name: 'gemm', writer: spec.kind === 'nt' ? transposedB(spec, code) : outerProducts(spec, code) }]);
}

function outerProducts({ kind, m, n, t, bias, relu }: GemmSpec, code: CodeOptions): FunctionWriter {
  const f = new FunctionWriter([i32, i32, i32, i32]);
  const [a, b, c, biasAddress] = f.params as [Local, Local, Local, Local];
  // A(i, t): rows a row of T apart for nn, adjacent for tn (A stored [T×M]); steps likewise.
  const rowStride = kind === 'nn' ? t * 4 : 4;
  const stepStride = kind === 'nn' ? 4 : m * 4;
  const acc = Array.from({ length: 8 }, () => f.local(v128));
  const bv = [f.local(v128), f.local(v128)];
  const splat = f.local(v128);
  const pa = f.local(i32);
  const pb = f.local(i32);
  const rowA = f.local(i32);
  const rowC = f.local(i32);
  const step = f.local(i32);

  /** One block: `rows` rows from rowA/rowC, `lanes` columns (1-8) from column j. */
  const block = (rows: number, j: number, lanes: number) => {
    const vectors = Math.ceil(lanes / 4);
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < vectors; v++) {
        if (bias) f.get(biasAddress).v128Load((j + v * 4) * 4).set(acc[r * vectors + v]!);
        else f.v128Zero().set(acc[r * vectors + v]!);
      }
    }
    f.get(rowA).set(pa);
    f.get(b).i32Const(j * 4).i32Add().set(pb);
    f.repeat(
      t,
      () => {
        for (let v = 0; v < vectors; v++) f.get(pb).v128Load(v * 16).set(bv[v]!);
        for (let r = 0; r < rows; r++) {
          f.get(pa).v128Load32Splat(r * rowStride).set(splat);
          for (let v = 0; v < vectors; v++) {
            const x = acc[r * vectors + v]!;
            f.multiplyAdd(x, splat, bv[v]!, code.fusedMultiplyAdd);
          }
        }
        f.addTo(pa, stepStride);
        f.addTo(pb, n * 4);
      },
      step,
    );
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < vectors; v++) {
        const width = Math.min(4, lanes - v * 4);
        const x = acc[r * vectors + v]!;
        if (relu) f.get(x).v128Zero().f32x4Pmax().set(x); // x < 0 ? 0 : x, as tfjs's relu
        f.storeLanes(rowC, x, width, (r * n + j + v * 4) * 4);
      }
    }
  };

  const rowOfBlocks = (rows: number) => {
    let j = 0;
    for (; j + 8 <= n; j += 8) block(rows, j, 8);
    if (j + 4 <= n) {
      block(rows, j, 4);
      j += 4;
    }
    if (j < n) block(rows, j, n - j);
  };

  f.get(a).set(rowA);
  f.get(c).set(rowC);
  const fullBlocks = Math.floor(m / 4);
  if (fullBlocks > 0) {
    f.repeat(fullBlocks, () => {
      rowOfBlocks(4);
      f.addTo(rowA, 4 * rowStride);
      f.addTo(rowC, 4 * n * 4);
    });
  }
  if (m % 4 > 0) rowOfBlocks(m % 4);
  return f;
}

function transposedB({ m, n, t }: GemmSpec, code: CodeOptions): FunctionWriter {
  const f = new FunctionWriter([i32, i32, i32, i32]);
  const [a, b, c] = f.params as [Local, Local, Local];
  const acc = Array.from({ length: 8 }, () => f.local(v128));
  const av = [f.local(v128), f.local(v128)];
  const bvec = f.local(v128);
  const pa = f.local(i32);
  const pb = f.local(i32);
  const rowA = f.local(i32);
  const rowC = f.local(i32);
  const colB = f.local(i32);
  const step = f.local(i32);
  const rowBytes = t * 4;

  /** C[rows × cols] at rowC, column colB's index, as dot products over T. */
  const block = (rows: number, cols: number) => {
    for (let i = 0; i < rows * cols; i++) f.v128Zero().set(acc[i]!);
    f.get(rowA).set(pa);
    f.get(colB).set(pb);
    f.repeat(
      t / 4,
      () => {
        for (let r = 0; r < rows; r++) f.get(pa).v128Load(r * rowBytes).set(av[r]!);
        for (let col = 0; col < cols; col++) {
          f.get(pb).v128Load(col * rowBytes).set(bvec);
          for (let r = 0; r < rows; r++) {
            const x = acc[r * cols + col]!;
            f.multiplyAdd(x, av[r]!, bvec, code.fusedMultiplyAdd);
          }
        }
        f.addTo(pa, 16);
        f.addTo(pb, 16);
      },
      step,
    );
    for (let r = 0; r < rows; r++) {
      for (let col = 0; col < cols; col++) {
        const x = acc[r * cols + col]!;
        f.get(rowC);
        f.get(x).f32x4ExtractLane(0).get(x).f32x4ExtractLane(1).f32Add();
        f.get(x).f32x4ExtractLane(2).get(x).f32x4ExtractLane(3).f32Add();
        f.f32Add().f32Store((r * n + col) * 4);
      }
    }
  };

  const rowOfBlocks = (rows: number) => {
    f.get(b).set(colB);
    const save = f.local(i32);
    f.get(rowC).set(save);
    const fullColumns = Math.floor(n / 4);
    if (fullColumns > 0) {
      f.repeat(fullColumns, () => {
        block(rows, 4);
        f.addTo(colB, 4 * rowBytes);
        f.addTo(rowC, 16);
      });
    }
    if (n % 4 > 0) block(rows, n % 4);
    f.get(save).set(rowC);
  };

  f.get(a).set(rowA);
  f.get(c).set(rowC);
  const fullBlocks = Math.floor(m / 2);
  if (fullBlocks > 0) {
    f.repeat(fullBlocks, () => {
      rowOfBlocks(2);
      f.addTo(rowA, 2 * rowBytes);
      f.addTo(rowC, 2 * n * 4);
    });
  }
  if (m % 2 > 0) rowOfBlocks(1);
  return f;
}
