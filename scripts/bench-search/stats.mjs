// Statistics of `pnpm bench:search`: medians and the two-sided Mann-Whitney U test (our own code).

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x) {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Two-sided Mann-Whitney U test of samples `a` and `b`: ranks with ties averaged, the normal
 * approximation with the tie correction and a continuity correction (fine from about 8 per side).
 * @returns `p` (two-sided) and `aLower`: whether `a` tends to the smaller values (U_a < n_a n_b / 2).
 */
export function mannWhitney(a, b) {
  const pooled = [...a.map((value) => ({ value, side: 0 })), ...b.map((value) => ({ value, side: 1 }))].sort((x, y) => x.value - y.value);
  const n = pooled.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].value === pooled[i].value) j += 1;
    const rank = (i + j + 2) / 2;
    const size = j - i + 1;
    tieTerm += size ** 3 - size;
    for (let k = i; k <= j; k += 1) if (pooled[k].side === 0) rankSumA += rank;
    i = j + 1;
  }
  const na = a.length;
  const nb = b.length;
  const u = rankSumA - (na * (na + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { p: 1, aLower: false };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { p: Math.min(1, erfc(Math.max(z, 0) / Math.SQRT2)), aLower: u < mean };
}

/** `win`, `loss` or `tie` of `ours` against `theirs` (lower is better) at level `alpha`. */
export function verdict(ours, theirs, alpha = 0.05) {
  const { p, aLower } = mannWhitney(ours, theirs);
  if (p >= alpha) return 'tie';
  return aLower ? 'win' : 'loss';
}

/**
 * Regret at each checkpoint of one study: at `c` trials the pick is the trial with the best value
 * the sampler saw among the first `c` (ties to the earlier), and its regret is its NOISELESS value
 * minus the problem's minimum (what a user who trusts the study's best trial gets).
 * @param evaluations `{ observed, clean }` per trial, in order.
 */
export function regretsAt(evaluations, checkpoints, minimum) {
  const regrets = [];
  let pick;
  let next = 0;
  evaluations.forEach((evaluation, index) => {
    if (pick === undefined || evaluation.observed < pick.observed) pick = evaluation;
    while (next < checkpoints.length && checkpoints[next] === index + 1) {
      regrets.push(Math.max(0, pick.clean - minimum));
      next += 1;
    }
  });
  return regrets;
}
