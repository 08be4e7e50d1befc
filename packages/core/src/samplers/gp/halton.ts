import type { Random } from '../../space/random.js';

/** The first `count` primes. */
function primes(count: number): number[] {
  const found: number[] = [];
  for (let candidate = 2; found.length < count; candidate += 1) {
    if (found.every((prime) => prime * prime > candidate || candidate % prime !== 0)) found.push(candidate);
  }
  return found;
}

/** A quasi-random sequence on the unit cube: point `index` of it, any non-negative safe integer. */
export interface QuasiRandomSequence {
  readonly dimensions: number;
  point(index: number): Float64Array;
}

/**
 * A Halton sequence scrambled by random digit permutations (one independent permutation of
 * `0..b-1` per coordinate and digit position, digits past the index's length included, down to
 * double precision): every coordinate is uniform on `[0, 1)` and the points keep Halton's low
 * discrepancy, without the plain sequence's correlated, aligned high dimensions. Chosen over Sobol
 * because it needs no table of direction numbers. The permutations come from `random`, so a seed
 * fixes the sequence.
 * @see https://arxiv.org/abs/1706.02808 (Owen, "A randomized Halton algorithm in R")
 */
export function scrambledHalton(dimensions: number, random: Random): QuasiRandomSequence {
  const bases = primes(dimensions);
  const permutations = bases.map((base) => {
    const digits = Math.ceil((53 * Math.LN2) / Math.log(base));
    return Array.from({ length: digits }, () => {
      const permutation = Array.from({ length: base }, (_, digit) => digit);
      for (let i = base - 1; i > 0; i -= 1) {
        const j = random.nextIndex(i + 1);
        [permutation[i], permutation[j]] = [permutation[j] as number, permutation[i] as number];
      }
      return permutation;
    });
  });
  return {
    dimensions,
    point(index) {
      const point = new Float64Array(dimensions);
      for (let d = 0; d < dimensions; d += 1) {
        const base = bases[d] as number;
        const digitPermutations = permutations[d] as number[][];
        let rest = index;
        let weight = 1 / base;
        let value = 0;
        for (const permutation of digitPermutations) {
          value += (permutation[rest % base] as number) * weight;
          rest = Math.floor(rest / base);
          weight /= base;
        }
        point[d] = Math.min(value, 1 - Number.EPSILON);
      }
      return point;
    },
  };
}
