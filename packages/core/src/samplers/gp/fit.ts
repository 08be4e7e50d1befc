import { logMarginalLikelihood, pairwiseDistances, type GpInputs, type LogHyperparameters } from './kernel.js';
import { minimizeInBox } from './optimize.js';

/**
 * Bounds of the fitted hyperparameters: inverse squared length scales (length scales from 0.01 to
 * 100 unit cubes), the kernel's scale (of standardized values) and the noise variance. The noise
 * floor keeps the kernel matrix well conditioned when trials repeat a point.
 */
export const HYPERPARAMETER_BOUNDS = {
  inverseSquaredLengthScale: [1e-4, 1e4],
  kernelScale: [1e-2, 1e2],
  noiseVariance: [1e-6, 1],
} as const;

/** Quasi-Newton steps of the fit at most; it usually stops well before on the gradient tolerance. */
const FIT_ITERATIONS = 60;
const FIT_GRADIENT_TOLERANCE = 1e-2;

/**
 * The log prior density of the hyperparameters, up to a constant, and its gradient; the fit is a
 * maximum a posteriori estimate.
 * - Inverse squared length scales `lambda`: `-(0.1 / lambda + 0.1 lambda)`, the shape of Optuna's
 *   first GP prior: a mode at length scale 1 (the cube's width) that punishes both a parameter
 *   switched off (`lambda -> 0`: with tens of trials that is usually a lack of data, and the search
 *   would then drift that parameter to a bound) and a length scale too short to generalize. The
 *   dimension-scaled log-normal of Hvarfner et al. (2024, BoTorch's default) was tried and lost on
 *   Styblinski-Tang (8 d) for exactly that drift (median regret 122 against 89, 5 seeds of the
 *   GP's first benchmark); a mode at length scale `sqrt(d)` lost again on the tuning half of
 *   `pnpm bench:search` (Styblinski-Tang 5 d: 62 against 19; rotated-ellipsoid-10d: 174 against 102).
 * - Kernel scale `s ~ Gamma(2, 1)`: about the variance of standardized values.
 * - Noise variance `~ Gamma(1.1, 30)`: small (mode 0.003) but free to grow for noisy metrics.
 */
export function logPrior(theta: LogHyperparameters, dimensions: number, gradient: Float64Array): number {
  let value = 0;
  for (let d = 0; d < dimensions; d += 1) {
    const lambda = Math.exp(theta[d] as number);
    value -= 0.1 / lambda + 0.1 * lambda;
    gradient[d] = 0.1 / lambda - 0.1 * lambda;
  }
  const scale = Math.exp(theta[dimensions] as number);
  value += (theta[dimensions] as number) - scale;
  gradient[dimensions] = 1 - scale;
  const noise = Math.exp(theta[dimensions + 1] as number);
  value += 0.1 * (theta[dimensions + 1] as number) - 30 * noise;
  gradient[dimensions + 1] = 0.1 - 30 * noise;
  return value;
}

/** A fit of the hyperparameters: the maximum a posteriori point and its log posterior density. */
export interface HyperparameterFit {
  readonly theta: LogHyperparameters;
  /** Log marginal likelihood plus log prior at `theta`, up to the prior's constant: what two fits of the same values compare on. */
  readonly logPosterior: number;
}

/**
 * The hyperparameters maximizing the log marginal likelihood of `values` (standardized) plus the
 * log prior, by the projected BFGS of `optimize.ts` with analytic gradients, in log space, from a
 * fixed start (length scale 1, scale 1, noise 0.01): deterministic, and independent of earlier
 * suggestions, so a resumed study fits exactly what an uninterrupted one did.
 */
export function fitHyperparameters(inputs: GpInputs, values: Float64Array): HyperparameterFit {
  const { dimensions } = inputs;
  const distances = pairwiseDistances(inputs);
  const size = dimensions + 2;
  const lower = new Float64Array(size);
  const upper = new Float64Array(size);
  const start = new Float64Array(size);
  const bounds = HYPERPARAMETER_BOUNDS;
  for (let d = 0; d < dimensions; d += 1) {
    lower[d] = Math.log(bounds.inverseSquaredLengthScale[0]);
    upper[d] = Math.log(bounds.inverseSquaredLengthScale[1]);
  }
  lower[dimensions] = Math.log(bounds.kernelScale[0]);
  upper[dimensions] = Math.log(bounds.kernelScale[1]);
  lower[dimensions + 1] = Math.log(bounds.noiseVariance[0]);
  upper[dimensions + 1] = Math.log(bounds.noiseVariance[1]);
  start[dimensions + 1] = Math.log(0.01);
  const priorGradient = new Float64Array(size);
  const result = minimizeInBox(
    (theta, gradient) => {
      const likelihood = logMarginalLikelihood(inputs, distances, values, theta);
      if (likelihood === undefined) return Number.POSITIVE_INFINITY;
      const prior = logPrior(theta, dimensions, priorGradient);
      for (let i = 0; i < size; i += 1) gradient[i] = -((likelihood.gradient[i] as number) + (priorGradient[i] as number));
      return -(likelihood.value + prior);
    },
    start,
    { lower, upper, maxIterations: FIT_ITERATIONS, gradientTolerance: FIT_GRADIENT_TOLERANCE },
  );
  return { theta: result.x, logPosterior: -result.value };
}
