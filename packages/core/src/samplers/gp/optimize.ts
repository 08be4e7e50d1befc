/** A function to minimize: returns its value at `x` and writes its gradient into `gradient`. */
export type ValueAndGradient = (x: Float64Array, gradient: Float64Array) => number;

/** Options of {@link minimizeInBox}. */
export interface MinimizeOptions {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Quasi-Newton steps at most. */
  readonly maxIterations: number;
  /** Stop when no free coordinate's gradient exceeds this in absolute value. */
  readonly gradientTolerance: number;
}

/** Where {@link minimizeInBox} stopped. */
export interface MinimizeResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly evaluations: number;
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 30;

/**
 * Minimizes `f` over the box `[lower, upper]` by a projected BFGS method: the inverse-Hessian
 * approximation gives a direction over the free coordinates (those not held at a bound by a
 * gradient pointing out of the box), the step is projected back into the box, and a backtracking
 * line search enforces Armijo's sufficient decrease along the projected path. A non-finite value
 * counts as no decrease, so `f` may return `Infinity` where it is undefined (a kernel matrix that
 * is not positive definite). Deterministic: no randomness anywhere.
 */
export function minimizeInBox(f: ValueAndGradient, start: Float64Array, options: MinimizeOptions): MinimizeResult {
  const { lower, upper, maxIterations, gradientTolerance } = options;
  const size = start.length;
  const clip = (value: number, index: number): number => Math.min(upper[index] as number, Math.max(lower[index] as number, value));
  let x = start.map(clip);
  let gradient = new Float64Array(size);
  let value = f(x, gradient);
  let evaluations = 1;
  if (!Number.isFinite(value)) return { x, value, iterations: 0, evaluations };
  const inverseHessian = new Float64Array(size * size);
  const resetHessian = (diagonal: number): void => {
    inverseHessian.fill(0);
    for (let i = 0; i < size; i += 1) inverseHessian[i * size + i] = diagonal;
  };
  resetHessian(1);
  let fresh = true;
  const free = new Uint8Array(size);
  const direction = new Float64Array(size);
  const candidate = new Float64Array(size);
  let candidateGradient = new Float64Array(size);
  let iterations = 0;
  for (; iterations < maxIterations; iterations += 1) {
    let largest = 0;
    for (let i = 0; i < size; i += 1) {
      const g = gradient[i] as number;
      const held = ((x[i] as number) <= (lower[i] as number) && g > 0) || ((x[i] as number) >= (upper[i] as number) && g < 0);
      free[i] = held ? 0 : 1;
      if (!held) largest = Math.max(largest, Math.abs(g));
    }
    if (largest <= gradientTolerance) break;
    let slope = 0;
    for (let i = 0; i < size; i += 1) {
      let sum = 0;
      if (free[i]) for (let j = 0; j < size; j += 1) if (free[j]) sum -= (inverseHessian[i * size + j] as number) * (gradient[j] as number);
      direction[i] = sum;
      slope += sum * (gradient[i] as number);
    }
    if (!(slope < 0)) {
      // The approximation lost positive definiteness on the free coordinates: steepest descent.
      resetHessian(1);
      fresh = true;
      for (let i = 0; i < size; i += 1) direction[i] = free[i] ? -(gradient[i] as number) : 0;
    }
    // A first step of steepest descent is scaled so that no coordinate moves more than one unit.
    let step = fresh ? Math.min(1, 1 / largest) : 1;
    let accepted = false;
    let candidateValue = value;
    for (let halving = 0; halving < MAX_HALVINGS; halving += 1) {
      let decrease = 0;
      for (let i = 0; i < size; i += 1) {
        candidate[i] = clip((x[i] as number) + step * (direction[i] as number), i);
        decrease += (gradient[i] as number) * ((candidate[i] as number) - (x[i] as number));
      }
      if (decrease >= 0) break; // the projected step no longer descends: nowhere left to go
      candidateValue = f(candidate, candidateGradient);
      evaluations += 1;
      if (Number.isFinite(candidateValue) && candidateValue <= value + ARMIJO * decrease) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
    // BFGS update of the inverse Hessian with s = x' - x, y = g' - g, when the curvature is positive.
    let sy = 0;
    let yy = 0;
    const s = new Float64Array(size);
    const y = new Float64Array(size);
    for (let i = 0; i < size; i += 1) {
      s[i] = (candidate[i] as number) - (x[i] as number);
      y[i] = (candidateGradient[i] as number) - (gradient[i] as number);
      sy += (s[i] as number) * (y[i] as number);
      yy += (y[i] as number) * (y[i] as number);
    }
    if (sy > 1e-12 * Math.sqrt(yy)) {
      if (fresh) resetHessian(sy / yy);
      updateInverseHessian(inverseHessian, size, s, y, sy);
      fresh = false;
    }
    const previous = value;
    x = Float64Array.from(candidate);
    const swap = gradient;
    gradient = candidateGradient;
    candidateGradient = swap;
    value = candidateValue;
    if (previous - value <= 1e-12 * Math.max(1, Math.abs(value))) {
      iterations += 1;
      break;
    }
  }
  return { x, value, iterations, evaluations };
}

/** H <- H - rho (H y s^T + s y^T H) + (rho^2 y^T H y + rho) s s^T, with rho = 1 / (s^T y). */
function updateInverseHessian(matrix: Float64Array, size: number, s: Float64Array, y: Float64Array, sy: number): void {
  const rho = 1 / sy;
  const hy = new Float64Array(size);
  let yhy = 0;
  for (let i = 0; i < size; i += 1) {
    let sum = 0;
    for (let j = 0; j < size; j += 1) sum += (matrix[i * size + j] as number) * (y[j] as number);
    hy[i] = sum;
    yhy += (y[i] as number) * sum;
  }
  const outer = rho * rho * yhy + rho;
  for (let i = 0; i < size; i += 1) {
    for (let j = 0; j < size; j += 1) {
      matrix[i * size + j] =
        (matrix[i * size + j] as number) - rho * ((hy[i] as number) * (s[j] as number) + (s[i] as number) * (hy[j] as number)) + outer * (s[i] as number) * (s[j] as number);
    }
  }
}
