import { choleskyInPlace, choleskyInverse, choleskySolveInPlace, solveLowerInPlace, solveUpperTransposedInPlace } from './linalg.js';

/**
 * Points on the unit cube, row-major (`count x dimensions`). A categorical coordinate holds the
 * choice's index: the kernel only asks whether two indices differ (a Hamming term), so the
 * choices stay unordered.
 */
export interface GpInputs {
  readonly points: Float64Array;
  readonly count: number;
  readonly dimensions: number;
  /** Per coordinate: whether it is categorical. */
  readonly categorical: readonly boolean[];
}

/**
 * The kernel's hyperparameters, as logarithms (the space they are fitted in):
 * `[log lambda_1, ..., log lambda_d, log kernelScale, log noiseVariance]`, where `lambda_j` is the
 * inverse squared length scale of coordinate `j`.
 */
export type LogHyperparameters = Float64Array;

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/** Matérn-5/2 as a function of the squared scaled distance `r2`: `(1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)`. */
export function matern52(r2: number): number {
  const r = Math.sqrt(r2);
  return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

/** d matern52 / d r2 = -5/6 (1 + sqrt5 r) exp(-sqrt5 r): finite at r = 0, so no special case. */
export function matern52DerivativeR2(r2: number): number {
  const r = Math.sqrt(r2);
  return (-5 / 6) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** One coordinate's contribution to the squared distance, before scaling: `(a - b)^2`, or `[a != b]` for a categorical one. */
function coordinateDistance(a: number, b: number, categorical: boolean): number {
  if (categorical) return a === b ? 0 : 1;
  const difference = a - b;
  return difference * difference;
}

/** The pairwise per-coordinate distances of the inputs, `pairs x dimensions` over pairs `i > j`, computed once per fit. */
export function pairwiseDistances(inputs: GpInputs): Float64Array {
  const { points, count, dimensions, categorical } = inputs;
  const distances = new Float64Array(((count * (count - 1)) / 2) * dimensions);
  let offset = 0;
  for (let i = 1; i < count; i += 1) {
    for (let j = 0; j < i; j += 1) {
      for (let d = 0; d < dimensions; d += 1) {
        distances[offset + d] = coordinateDistance(points[i * dimensions + d] as number, points[j * dimensions + d] as number, categorical[d] as boolean);
      }
      offset += dimensions;
    }
  }
  return distances;
}

/** The log marginal likelihood of standardized `values`, and its gradient with respect to the log hyperparameters. */
export interface MarginalLikelihood {
  readonly value: number;
  readonly gradient: Float64Array;
}

/**
 * The log marginal likelihood `log p(y | X, theta)` of a zero-mean GP with kernel
 * `k(x, x') = s * matern52(sum_j lambda_j dist_j(x, x')) + noise [x == x']`, and its analytic
 * gradient `1/2 tr((alpha alpha^T - K^{-1}) dK/dtheta_j)`. `undefined` when `K` is not numerically
 * positive definite. `distances` from {@link pairwiseDistances}.
 */
export function logMarginalLikelihood(inputs: GpInputs, distances: Float64Array, values: Float64Array, theta: LogHyperparameters): MarginalLikelihood | undefined {
  const { count: n, dimensions } = inputs;
  const lambdas = new Float64Array(dimensions);
  for (let d = 0; d < dimensions; d += 1) lambdas[d] = Math.exp(theta[d] as number);
  const scale = Math.exp(theta[dimensions] as number);
  const noise = Math.exp(theta[dimensions + 1] as number);
  const pairs = (n * (n - 1)) / 2;
  const kernelValues = new Float64Array(pairs);
  const kernelSlopes = new Float64Array(pairs);
  const matrix = new Float64Array(n * n);
  let pair = 0;
  for (let i = 1; i < n; i += 1) {
    for (let j = 0; j < i; j += 1) {
      let r2 = 0;
      const offset = pair * dimensions;
      for (let d = 0; d < dimensions; d += 1) r2 += (lambdas[d] as number) * (distances[offset + d] as number);
      const r = Math.sqrt(r2);
      const decay = Math.exp(-SQRT5 * r);
      const value = (1 + SQRT5 * r + (5 / 3) * r2) * decay;
      kernelValues[pair] = value;
      kernelSlopes[pair] = (-5 / 6) * (1 + SQRT5 * r) * decay;
      matrix[i * n + j] = scale * value;
      matrix[j * n + i] = scale * value;
      pair += 1;
    }
  }
  for (let i = 0; i < n; i += 1) matrix[i * n + i] = scale + noise;
  if (!choleskyInPlace(matrix, n)) return undefined;
  const alpha = Float64Array.from(values);
  choleskySolveInPlace(matrix, n, alpha);
  let value = -0.5 * n * LOG_2PI;
  for (let i = 0; i < n; i += 1) value -= 0.5 * (values[i] as number) * (alpha[i] as number) + Math.log(matrix[i * n + i] as number);

  // W = alpha alpha^T - K^{-1}; dlogL/dtheta = 1/2 sum_ab W_ab dK_ab/dtheta, off-diagonal pairs twice.
  const inverse = choleskyInverse(matrix, n);
  const gradient = new Float64Array(dimensions + 2);
  let diagonal = 0;
  for (let i = 0; i < n; i += 1) diagonal += (alpha[i] as number) * (alpha[i] as number) - (inverse[i * n + i] as number);
  let scaleGradient = 0.5 * scale * diagonal;
  pair = 0;
  for (let i = 1; i < n; i += 1) {
    const alphaI = alpha[i] as number;
    for (let j = 0; j < i; j += 1) {
      const weight = alphaI * (alpha[j] as number) - (inverse[i * n + j] as number);
      scaleGradient += weight * scale * (kernelValues[pair] as number);
      const slope = weight * scale * (kernelSlopes[pair] as number);
      const offset = pair * dimensions;
      for (let d = 0; d < dimensions; d += 1) gradient[d] = (gradient[d] as number) + slope * (distances[offset + d] as number);
      pair += 1;
    }
  }
  for (let d = 0; d < dimensions; d += 1) gradient[d] = (gradient[d] as number) * (lambdas[d] as number);
  gradient[dimensions] = scaleGradient;
  gradient[dimensions + 1] = 0.5 * noise * diagonal;
  return { value, gradient };
}

/** The posterior at one point: mean and variance of the latent function, with their gradients when asked. */
export interface Prediction {
  mean: number;
  variance: number;
  readonly meanGradient: Float64Array;
  readonly varianceGradient: Float64Array;
}

/** A GP conditioned on its data: predicts the latent function anywhere on the cube. */
export interface GpPosterior {
  readonly dimensions: number;
  /** Writes the prediction at `x` into `out`; gradients (over the non-categorical coordinates) only when `withGradient`. */
  predict(x: Float64Array, out: Prediction, withGradient: boolean): void;
  /** The posterior mean at `x` alone: `n` kernel values, without the triangular solve the variance needs. */
  mean(x: Float64Array): number;
}

/** A prediction to reuse across calls, for `dimensions` coordinates. */
export function emptyPrediction(dimensions: number): Prediction {
  return { mean: 0, variance: 0, meanGradient: new Float64Array(dimensions), varianceGradient: new Float64Array(dimensions) };
}

/** Smallest variance a prediction reports, so that log EI stays finite at observed points. */
const MIN_VARIANCE = 1e-12;

/**
 * The posterior of the GP with hyperparameters `theta` given `values` at `inputs`; `undefined`
 * when the kernel matrix is not positive definite.
 */
export function gpPosterior(inputs: GpInputs, values: Float64Array, theta: LogHyperparameters): GpPosterior | undefined {
  const { points, count: n, dimensions, categorical } = inputs;
  const lambdas = new Float64Array(dimensions);
  for (let d = 0; d < dimensions; d += 1) lambdas[d] = Math.exp(theta[d] as number);
  const scale = Math.exp(theta[dimensions] as number);
  const noise = Math.exp(theta[dimensions + 1] as number);
  const factor = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < i; j += 1) {
      let r2 = 0;
      for (let d = 0; d < dimensions; d += 1) r2 += (lambdas[d] as number) * coordinateDistance(points[i * dimensions + d] as number, points[j * dimensions + d] as number, categorical[d] as boolean);
      factor[i * n + j] = scale * matern52(r2);
      factor[j * n + i] = factor[i * n + j] as number;
    }
    factor[i * n + i] = scale + noise;
  }
  if (!choleskyInPlace(factor, n)) return undefined;
  const alpha = Float64Array.from(values);
  choleskySolveInPlace(factor, n, alpha);
  const slopes = new Float64Array(n);
  const solved = new Float64Array(n);
  return {
    dimensions,
    mean(x) {
      let mean = 0;
      for (let i = 0; i < n; i += 1) {
        let r2 = 0;
        const row = i * dimensions;
        for (let d = 0; d < dimensions; d += 1) r2 += (lambdas[d] as number) * coordinateDistance(x[d] as number, points[row + d] as number, categorical[d] as boolean);
        mean += scale * matern52(r2) * (alpha[i] as number);
      }
      return mean;
    },
    predict(x, out, withGradient) {
      let mean = 0;
      for (let i = 0; i < n; i += 1) {
        let r2 = 0;
        const row = i * dimensions;
        for (let d = 0; d < dimensions; d += 1) r2 += (lambdas[d] as number) * coordinateDistance(x[d] as number, points[row + d] as number, categorical[d] as boolean);
        const r = Math.sqrt(r2);
        const decay = scale * Math.exp(-SQRT5 * r);
        const value = (1 + SQRT5 * r + (5 / 3) * r2) * decay;
        solved[i] = value;
        slopes[i] = (-5 / 6) * (1 + SQRT5 * r) * decay;
        mean += value * (alpha[i] as number);
      }
      solveLowerInPlace(factor, n, solved);
      let explained = 0;
      for (let i = 0; i < n; i += 1) explained += (solved[i] as number) * (solved[i] as number);
      out.mean = mean;
      out.variance = Math.max(MIN_VARIANCE, scale - explained);
      if (!withGradient) return;
      // dk_i/dx_d = slope_i * 2 lambda_d (x_d - p_id); dvar/dx = -2 (dk/dx)^T K^{-1} k.
      solveUpperTransposedInPlace(factor, n, solved);
      out.meanGradient.fill(0);
      out.varianceGradient.fill(0);
      for (let i = 0; i < n; i += 1) {
        const meanWeight = (slopes[i] as number) * (alpha[i] as number);
        const varianceWeight = -2 * (slopes[i] as number) * (solved[i] as number);
        const row = i * dimensions;
        for (let d = 0; d < dimensions; d += 1) {
          if (categorical[d]) continue;
          const derivative = 2 * (lambdas[d] as number) * ((x[d] as number) - (points[row + d] as number));
          out.meanGradient[d] = (out.meanGradient[d] as number) + meanWeight * derivative;
          out.varianceGradient[d] = (out.varianceGradient[d] as number) + varianceWeight * derivative;
        }
      }
      if (out.variance === MIN_VARIANCE) out.varianceGradient.fill(0);
    },
  };
}
