/**
 * Log expected improvement, computed so that it stays finite and accurate far from the incumbent
 * (Ament et al., 2023, "Unexpected Improvements to Expected Improvement for Bayesian Optimization",
 * the LogEI of BoTorch): plain EI underflows to 0 once `z < -38`, which leaves an optimizer with a
 * flat, gradient-free acquisition over most of the space late in a study.
 * @see https://arxiv.org/abs/2310.20708
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);
const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Past this `|z|` (z < 0) `1 - |z| R(|z|)` comes from its asymptotic series instead of a cancelling difference. */
const ASYMPTOTIC_FROM = 20;

/** The scaled complementary error function `exp(x^2) erfc(x)` for `x >= 0`, to about 1e-14 relative. */
export function erfcx(x: number): number {
  if (x < 2) {
    // erf by its Taylor series: alternating, terms peak near n = x^2, at most a few units at x < 2.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n += 1) {
      term *= -x2 / n;
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.exp(x2) * (1 - (2 / SQRT_PI) * sum);
  }
  // Laplace's continued fraction erfc(x) exp(x^2) = 1/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
  // evaluated from the tail; 80 levels reach double precision at x = 2, far fewer are needed beyond.
  const levels = x < 4 ? 80 : x < 10 ? 40 : 16;
  let tail = x;
  for (let k = levels; k >= 1; k -= 1) tail = x + k / 2 / tail;
  return 1 / (SQRT_PI * tail);
}

/** The complementary error function, from {@link erfcx}. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return erfcx(x) * Math.exp(-x * x);
}

/** The standard normal density. */
function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

/** The standard normal distribution function. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** `1 - t R(t)` for `t >= ASYMPTOTIC_FROM` by its asymptotic series, `R` Mills' ratio: `sum_k (-1)^(k+1) (2k-1)!! / t^(2k)`, as `t^2` times it. */
function scaledTailGap(t: number): number {
  const inverse = 1 / (t * t);
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= 8; k += 1) {
    term *= -(2 * k - 1) * inverse;
    sum += term;
  }
  return sum;
}

/**
 * `log h(z)` with `h(z) = phi(z) + z Phi(z)`, so that `EI = sigma h((best - mu) / sigma)`, and its
 * derivative `Phi(z) / h(z)`; finite for every finite `z` (about `-z^2 / 2 - 2 log|z|` far below).
 */
export function logExpectedImprovementFactor(z: number): { readonly value: number; readonly derivative: number } {
  if (z > -1) {
    const cdf = normalCdf(z);
    const h = normalDensity(z) + z * cdf;
    return { value: Math.log(h), derivative: cdf / h };
  }
  // z = -t: h = phi(t) (1 - t R(t)) and Phi(-t) = phi(t) R(t), R(t) = sqrt(pi/2) erfcx(t / sqrt 2) Mills' ratio.
  const t = -z;
  const mills = SQRT_HALF_PI * erfcx(t / SQRT2);
  if (t < ASYMPTOTIC_FROM) {
    const gap = 1 - t * mills;
    return { value: -0.5 * t * t - LOG_SQRT_2PI + Math.log(gap), derivative: mills / gap };
  }
  const scaled = scaledTailGap(t); // gap = scaled / t^2
  return { value: -0.5 * t * t - LOG_SQRT_2PI - 2 * Math.log(t) + Math.log(scaled), derivative: (mills * t * t) / scaled };
}
