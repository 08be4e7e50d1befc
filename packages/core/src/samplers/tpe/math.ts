import type { Random } from '../../space/random.js';

/**
 * The complementary error function, by the Chebyshev fit of Press et al. (Numerical Recipes,
 * `erfcc`): fractional error below 1.2e-7 everywhere, tails included, which is what the
 * probability masses of narrow kernels far from a point need.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const result = t * Math.exp(poly);
  return x >= 0 ? result : 2 - result;
}

/** The standard normal distribution's cumulative probability at `z`. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * The standard normal probability of `[a, b]` (`a <= b`), computed from the nearer tail so that
 * an interval far out on one side keeps its relative precision instead of cancelling to 0.
 */
export function normalMass(a: number, b: number): number {
  // The fit is not exactly monotone at the 1e-7 level: never let a tiny interval go negative.
  if (a > 0) return Math.max(0, normalCdf(-a) - normalCdf(-b));
  return Math.max(0, normalCdf(b) - normalCdf(a));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** The log density of the standard normal distribution at `z`. */
export function logNormalDensity(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** A standard normal draw (Box-Muller, one of the pair). */
export function normalDraw(random: Random): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat()));
  return radius * Math.cos(2 * Math.PI * random.nextFloat());
}

/**
 * A draw from the normal distribution `N(mean, sigma)` truncated to `[low, high]`, by rejection:
 * kernels are centred inside the bounds and no wider than them, so at least a third of draws land
 * inside; after 64 misses (odds far below 1e-10) the last draw is clamped.
 */
export function truncatedNormalDraw(random: Random, mean: number, sigma: number, low: number, high: number): number {
  let value = mean;
  for (let attempt = 0; attempt < 64; attempt += 1) {
    value = mean + sigma * normalDraw(random);
    if (value >= low && value <= high) return value;
  }
  return Math.min(high, Math.max(low, value));
}

/** An index drawn with probability proportional to `weights` (non-negative, not all 0). */
export function weightedIndex(random: Random, weights: readonly number[]): number {
  let total = 0;
  for (const weight of weights) total += weight;
  let remaining = random.nextFloat() * total;
  for (let index = 0; index < weights.length; index += 1) {
    remaining -= weights[index] as number;
    if (remaining < 0) return index;
  }
  return weights.length - 1;
}
