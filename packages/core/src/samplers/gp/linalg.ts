/**
 * Dense linear algebra on row-major `n x n` matrices stored in a `Float64Array`: the Cholesky
 * factorization and what the Gaussian process needs from it. Every inner loop is a dot product
 * over contiguous memory ({@link dot}).
 */

/**
 * `sum_k a[aStart + k] * b[bStart + k]` for `k < length`, with four partial sums: a single running
 * sum makes each multiply-add wait for the previous one (V8 does not reassociate floating point),
 * which made the factorization about three times slower.
 */
export function dot(a: Float64Array, aStart: number, b: Float64Array, bStart: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += (a[aStart + k] as number) * (b[bStart + k] as number);
    s1 += (a[aStart + k + 1] as number) * (b[bStart + k + 1] as number);
    s2 += (a[aStart + k + 2] as number) * (b[bStart + k + 2] as number);
    s3 += (a[aStart + k + 3] as number) * (b[bStart + k + 3] as number);
  }
  for (; k < length; k += 1) s0 += (a[aStart + k] as number) * (b[bStart + k] as number);
  return s0 + s1 + (s2 + s3);
}

/**
 * Factorizes the symmetric positive-definite `matrix` as `L L^T` in place: on return its lower
 * triangle holds `L`, its strict upper triangle zeros. Returns `false` (the matrix half-written)
 * when a pivot is not positive, i.e. the matrix is not numerically positive definite.
 */
export function choleskyInPlace(matrix: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i += 1) {
    const rowI = i * n;
    for (let j = 0; j <= i; j += 1) {
      const rowJ = j * n;
      const sum = (matrix[rowI + j] as number) - dot(matrix, rowI, matrix, rowJ, j);
      if (i === j) {
        if (!(sum > 0)) return false;
        matrix[rowI + i] = Math.sqrt(sum);
      } else {
        matrix[rowI + j] = sum / (matrix[rowJ + j] as number);
      }
    }
    for (let j = i + 1; j < n; j += 1) matrix[rowI + j] = 0;
  }
  return true;
}

/** Solves `L x = b` for lower-triangular `L` (a Cholesky factor); `b` is overwritten with `x`. */
export function solveLowerInPlace(factor: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i += 1) {
    const row = i * n;
    b[i] = ((b[i] as number) - dot(factor, row, b, 0, i)) / (factor[row + i] as number);
  }
}

/** Solves `L^T x = b` for lower-triangular `L`; `b` is overwritten with `x`. */
export function solveUpperTransposedInPlace(factor: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i -= 1) {
    b[i] = (b[i] as number) / (factor[i * n + i] as number);
    const value = b[i] as number;
    // Column i of L^T's row is row i of L: subtract from the entries above, walking L's row i.
    const row = i * n;
    for (let k = 0; k < i; k += 1) b[k] = (b[k] as number) - (factor[row + k] as number) * value;
  }
}

/** `(L L^T)^{-1} b` from the factor `L`; `b` is overwritten. */
export function choleskySolveInPlace(factor: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(factor, n, b);
  solveUpperTransposedInPlace(factor, n, b);
}

/**
 * The inverse `(L L^T)^{-1}` (symmetric, both triangles filled) from the Cholesky factor `L`:
 * first `L^{-1}` (lower triangular), then `L^{-T} L^{-1}`, about `n^3 / 3` multiply-adds each.
 */
export function choleskyInverse(factor: Float64Array, n: number): Float64Array {
  // Row j of `columns` is column j of L^{-1} (non-zero from index j on), by forward substitution of
  // e_j: every inner loop then walks contiguous memory.
  const columns = new Float64Array(n * n);
  for (let j = 0; j < n; j += 1) {
    const column = j * n;
    columns[column + j] = 1 / (factor[j * n + j] as number);
    for (let i = j + 1; i < n; i += 1) {
      const row = i * n;
      columns[column + i] = -dot(factor, row + j, columns, column + j, i - j) / (factor[row + i] as number);
    }
  }
  // (L^{-T} L^{-1})[i][j] = sum over k >= max(i, j) of (L^{-1})[k][i] (L^{-1})[k][j].
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    const rowI = i * n;
    for (let j = 0; j <= i; j += 1) {
      const rowJ = j * n;
      const sum = dot(columns, rowI + i, columns, rowJ + i, n - i);
      inverse[rowI + j] = sum;
      inverse[rowJ + i] = sum;
    }
  }
  return inverse;
}
