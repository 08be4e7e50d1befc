/**
 * The output transform applied before the GP sees the metric: standardize, then a Yeo-Johnson
 * power transform whose exponent maximizes the Gaussian likelihood of the result, then standardize
 * again (as HEBO does; Cowen-Rivers et al., 2022). Tuning metrics are often heavy-tailed (a
 * learning rate that diverges costs orders of magnitude more than one that is merely off); a
 * stationary GP fitted to such values spends its variance on the tail and its expected improvement
 * on the corners of the space. The transform is monotone, so the best trial stays the best.
 * @see https://arxiv.org/abs/2012.03826
 */

/** The Yeo-Johnson transform of `value` with exponent `lambda`. */
export function yeoJohnson(value: number, lambda: number): number {
  if (value >= 0) return Math.abs(lambda) < 1e-9 ? Math.log1p(value) : ((value + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-9 ? -Math.log1p(-value) : -((1 - value) ** (2 - lambda) - 1) / (2 - lambda);
}

/** The profile log-likelihood of `lambda`: normal fit of the transformed values plus the log Jacobian. */
function powerLikelihood(values: readonly number[], lambda: number): number {
  const transformed = values.map((value) => yeoJohnson(value, lambda));
  const mean = transformed.reduce((sum, value) => sum + value, 0) / transformed.length;
  const variance = transformed.reduce((sum, value) => sum + (value - mean) ** 2, 0) / transformed.length;
  let jacobian = 0;
  for (const value of values) jacobian += Math.sign(value) * Math.log1p(Math.abs(value));
  return -0.5 * values.length * Math.log(Math.max(variance, 1e-300)) + (lambda - 1) * jacobian;
}

/** Zero mean, unit variance (a constant list stays at zero). */
export function standardize(values: readonly number[]): number[] {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) || 1;
  return values.map((value) => (value - mean) / deviation);
}

/** The exponent range searched, by golden section: wide enough for a log-like (0) or a square-like (2) correction. */
const LAMBDA_RANGE = [-2, 4] as const;

/** Standardized, power-transformed, standardized values; same order as `values`. */
export function warpValues(values: readonly number[]): number[] {
  const standardized = standardize(values);
  let [low, high] = LAMBDA_RANGE as readonly [number, number];
  const ratio = (Math.sqrt(5) - 1) / 2;
  let left = high - ratio * (high - low);
  let right = low + ratio * (high - low);
  let leftValue = powerLikelihood(standardized, left);
  let rightValue = powerLikelihood(standardized, right);
  for (let step = 0; step < 40; step += 1) {
    if (leftValue >= rightValue) {
      high = right;
      right = left;
      rightValue = leftValue;
      left = high - ratio * (high - low);
      leftValue = powerLikelihood(standardized, left);
    } else {
      low = left;
      left = right;
      leftValue = rightValue;
      right = low + ratio * (high - low);
      rightValue = powerLikelihood(standardized, right);
    }
  }
  const lambda = (low + high) / 2;
  return standardize(standardized.map((value) => yeoJohnson(value, lambda)));
}
