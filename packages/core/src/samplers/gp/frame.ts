/**
 * The frame the GP models a space of doubles in: the cube's own coordinates, or the principal
 * axes of the best trials. Matérn's ARD length scales are one per axis of the frame, so in the
 * cube's coordinates a valley that runs diagonally (a coupled metric: Trid, the rotated
 * ellipsoid) needs short length scales along every coordinate; in the axes the best trials spread
 * along, it gets a long one along the valley and short ones across it. {@link chooseFrame} fits
 * the GP in both and keeps the cube's coordinates unless the data clearly favour the axes.
 */
import { fitHyperparameters } from './fit.js';
import type { GpInputs, LogHyperparameters } from './kernel.js';

/**
 * How much higher the log posterior of the GP fitted in the principal axes of the best trials must
 * be than in the cube's own coordinates for the sampler to model in those axes: `log 20`, "strong"
 * evidence on Kass and Raftery's scale (a Bayes factor above 20). A margin, because the axes are
 * read off the same trials the fit explains: on separable metrics (qing-5d, alpine-6d with noise)
 * the rotated fit came out ahead by 0 to 2 about as often as behind, on coupled ones (trid-6d,
 * rotated-quartic-5d, rotated-ellipsoid-10d) by a median of 3 to 11.
 */
export const FRAME_EVIDENCE = Math.log(20);

/**
 * An orthonormal basis of the cube's coordinates, `d x d` row-major, one axis per column: row `a`,
 * column `i` is coordinate `a` of axis `i`.
 */
export type Axes = Float64Array;

/** The cube's own coordinates as {@link Axes}. */
export function identityAxes(dimensions: number): Axes {
  const axes = new Float64Array(dimensions * dimensions);
  for (let d = 0; d < dimensions; d += 1) axes[d * dimensions + d] = 1;
  return axes;
}

/** Cyclic Jacobi sweeps at most; a symmetric matrix of the sizes a study has converges in well under 20. */
const JACOBI_SWEEPS = 50;

/**
 * The eigenvalues and eigenvectors of the symmetric `n x n` (row-major) `matrix` by cyclic Jacobi
 * rotations: `vectors` holds one unit eigenvector per column, in the order of `values`. Our own
 * code: a few lines, exact to rounding for the small matrices here, deterministic.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const vectors = identityAxes(n);
  for (let sweep = 0; sweep < JACOBI_SWEEPS; sweep += 1) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let p = 0; p < n; p += 1) {
      diagonal += (a[p * n + p] as number) ** 2;
      for (let q = p + 1; q < n; q += 1) offDiagonal += (a[p * n + q] as number) ** 2;
    }
    if (offDiagonal <= 1e-30 * diagonal || offDiagonal === 0) break;
    for (let p = 0; p < n; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        // The rotation in the (p, q) plane that zeroes a[p][q] (the smaller of the two angles).
        const theta = ((a[q * n + q] as number) - (a[p * n + p] as number)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotateColumns(a, n, p, q, c, s);
        for (let k = 0; k < n; k += 1) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        rotateColumns(vectors, n, p, q, c, s);
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i += 1) values[i] = a[i * n + i] as number;
  return { values, vectors };
}

function rotateColumns(matrix: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k += 1) {
    const kp = matrix[k * n + p] as number;
    const kq = matrix[k * n + q] as number;
    matrix[k * n + p] = c * kp - s * kq;
    matrix[k * n + q] = s * kp + c * kq;
  }
}

/**
 * The principal axes of the best trials: the eigenvectors of the weighted covariance of the best
 * `max(d + 1, ceil(n / 4))` of the `n` points by `values` (lower is better; ties to the earlier),
 * weighted as CMA-ES weights its selected points (`log(k + 1/2) - log(rank)`, normalized). `d + 1`
 * points at least, so that the covariance can have `d` non-zero axes; a quarter of the trials, so
 * that it follows where the good trials lie as they gather.
 */
export function principalAxes(points: readonly Float64Array[], values: readonly number[], dimensions: number): Axes {
  const order = points.map((_, index) => index).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  const selected = Math.min(points.length, Math.max(dimensions + 1, Math.ceil(points.length / 4)));
  const raw = Array.from({ length: selected }, (_, rank) => Math.log(selected + 0.5) - Math.log(rank + 1));
  const total = raw.reduce((sum, weight) => sum + weight, 0);
  const weights = raw.map((weight) => weight / total);
  const mean = new Float64Array(dimensions);
  for (let rank = 0; rank < selected; rank += 1) {
    const point = points[order[rank] as number] as Float64Array;
    for (let a = 0; a < dimensions; a += 1) mean[a] = (mean[a] as number) + (weights[rank] as number) * (point[a] as number);
  }
  const covariance = new Float64Array(dimensions * dimensions);
  for (let rank = 0; rank < selected; rank += 1) {
    const point = points[order[rank] as number] as Float64Array;
    for (let a = 0; a < dimensions; a += 1) {
      const deviation = (weights[rank] as number) * ((point[a] as number) - (mean[a] as number));
      for (let b = 0; b < dimensions; b += 1) covariance[a * dimensions + b] = (covariance[a * dimensions + b] as number) + deviation * ((point[b] as number) - (mean[b] as number));
    }
  }
  return symmetricEigen(covariance, dimensions).vectors;
}

/** `x` in the frame of `axes`: `z = A^T (x - 1/2) + 1/2` (a rotation about the cube's centre, so distances are kept). */
export function toFrame(axes: Axes, x: Float64Array): Float64Array {
  const dimensions = x.length;
  const z = new Float64Array(dimensions);
  for (let i = 0; i < dimensions; i += 1) {
    let value = 0;
    for (let a = 0; a < dimensions; a += 1) value += (axes[a * dimensions + i] as number) * ((x[a] as number) - 0.5);
    z[i] = value + 0.5;
  }
  return z;
}

/** A gradient over the frame's coordinates as one over the cube's: `A g` (written into `out`). */
export function gradientFromFrame(axes: Axes, gradient: Float64Array, out: Float64Array): void {
  const dimensions = gradient.length;
  for (let a = 0; a < dimensions; a += 1) {
    let value = 0;
    for (let i = 0; i < dimensions; i += 1) value += (axes[a * dimensions + i] as number) * (gradient[i] as number);
    out[a] = value;
  }
}

/** The frame {@link chooseFrame} picked, with the hyperparameters fitted in it. */
export interface ChosenFrame {
  readonly axes: Axes;
  readonly theta: LogHyperparameters;
  /** Whether `axes` are the best trials' principal axes (else the cube's own coordinates). */
  readonly rotated: boolean;
}

/**
 * The frame a space of doubles is modelled in, with its hyperparameters: the cube's own
 * coordinates, or the principal axes of the best trials ({@link principalAxes} of `rankedPoints`
 * by `rankedValues`, lower is better) when the GP fitted to `fittedValues` at `fittedPoints` in
 * those axes has a log posterior (likelihood times prior) higher by more than
 * {@link FRAME_EVIDENCE}. Both frames have the same hyperparameters, so the comparison is like for
 * like. A metric whose good region is a diagonal valley (coupled parameters) is explained better in
 * the valley's axes; a separable one, or one whose best trials show no direction, in the cube's.
 */
export function chooseFrame(fittedPoints: readonly Float64Array[], fittedValues: Float64Array, rankedPoints: readonly Float64Array[], rankedValues: readonly number[]): ChosenFrame {
  const dimensions = (fittedPoints[0] as Float64Array).length;
  const identity = identityAxes(dimensions);
  const own = fitHyperparameters(inputsOf(fittedPoints), fittedValues);
  if (dimensions < 2) return { axes: identity, theta: own.theta, rotated: false };
  const axes = principalAxes(rankedPoints, rankedValues, dimensions);
  const rotated = fitHyperparameters(inputsOf(fittedPoints.map((point) => toFrame(axes, point))), fittedValues);
  return rotated.logPosterior > own.logPosterior + FRAME_EVIDENCE ? { axes, theta: rotated.theta, rotated: true } : { axes: identity, theta: own.theta, rotated: false };
}

function inputsOf(points: readonly Float64Array[]): GpInputs {
  const dimensions = (points[0] as Float64Array).length;
  const flat = new Float64Array(points.length * dimensions);
  points.forEach((point, index) => flat.set(point, index * dimensions));
  return { points: flat, count: points.length, dimensions, categorical: new Array<boolean>(dimensions).fill(false) };
}
