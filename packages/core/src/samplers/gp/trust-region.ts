import type { Coordinate } from './encoding.js';
import { matern52 } from './kernel.js';

/**
 * The trust region's side length, in unit-cube widths, and how it moves (TuRBO's constants,
 * Eriksson et al., 2019; none was tuned here): it starts at `initial` after the design, doubles
 * after `successes` model-chosen trials in a row that improved (at most `max`), halves after
 * `max(4, d)` in a row that did not (`d` parameters), and starts over at `initial` once it falls
 * below `min`.
 * @see https://arxiv.org/abs/1910.01739
 */
export const TRUST_REGION = { initial: 0.8, min: 2 ** -7, max: 1.6, successes: 3 } as const;

/** A trial improves when it is lower than the best before it by more than this fraction of the best's magnitude (TuRBO's). */
const IMPROVEMENT_FRACTION = 1e-3;

/**
 * The trust region's side length after `values` (per finished trial in trial order, lower is
 * better; `undefined`: failed, which counts as no improvement), the first `startupTrials` of them
 * the design. The length is replayed from the trials alone, so the same trials always give the
 * same region: nothing is kept between suggestions, and a resumed study continues as an
 * uninterrupted one would. The GP sampler passes the posterior mean at each trial rather than its
 * observed value, so that a lucky draw of noise neither counts as an improvement nor becomes the
 * value later trials must beat.
 */
export function trustRegionLength(values: readonly (number | undefined)[], startupTrials: number, dimensions: number): number {
  const failuresToShrink = Math.max(4, dimensions);
  let best = Number.POSITIVE_INFINITY;
  for (const value of values.slice(0, startupTrials)) if (value !== undefined && value < best) best = value;
  let length: number = TRUST_REGION.initial;
  let successes = 0;
  let failures = 0;
  for (const value of values.slice(startupTrials)) {
    const improved = value !== undefined && (best === Number.POSITIVE_INFINITY || value < best - IMPROVEMENT_FRACTION * Math.abs(best));
    if (value !== undefined && value < best) best = value;
    successes = improved ? successes + 1 : 0;
    failures = improved ? 0 : failures + 1;
    if (successes === TRUST_REGION.successes) {
      length = Math.min(TRUST_REGION.max, 2 * length);
      successes = 0;
    } else if (failures === failuresToShrink) {
      length /= 2;
      failures = 0;
      if (length < TRUST_REGION.min) length = TRUST_REGION.initial;
    }
  }
  return length;
}

/**
 * The distance, in length scales, over which the model expects the metric to change as much as
 * the noise of comparing two trials: the `r` at which `kernelScale * (1 - matern52(r^2))` reaches
 * `noiseVariance` (`Infinity` when the noise is as large as the kernel's whole variance). A trust
 * region narrower than this cannot tell its points apart, so {@link trustRegionBox} never makes
 * one: on a noisy metric the region would otherwise shrink onto one lucky trial and repeat it.
 */
export function noiseDistance(kernelScale: number, noiseVariance: number): number {
  const fraction = noiseVariance / kernelScale;
  if (fraction >= 1) return Number.POSITIVE_INFINITY;
  // 1 - matern52(r^2) rises from 0 at r = 0 towards 1: bisection.
  let low = 0;
  let high = 1;
  while (1 - matern52(high * high) < fraction) high *= 2;
  for (let step = 0; step < 60; step += 1) {
    const middle = (low + high) / 2;
    if (1 - matern52(middle * middle) < fraction) low = middle;
    else high = middle;
  }
  return high;
}

/** A box of the unit cube: per coordinate, its lowest and highest value. */
export interface Box {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** The whole unit cube of `dimensions` coordinates. */
export function wholeCube(dimensions: number): Box {
  return { lower: new Float64Array(dimensions), upper: new Float64Array(dimensions).fill(1) };
}

/**
 * The trust region around `centre`, for a space whose coordinates are all continuous: per
 * coordinate a side of `length` times its weight, its length scale over the geometric mean of the
 * length scales (TuRBO's: longer where the model says the metric changes slowly), but never less
 * than `floor` length scales either side ({@link noiseDistance}), clipped to the cube.
 */
export function trustRegionBox(centre: Float64Array, length: number, lengthScales: Float64Array, floor: number): Box {
  const dimensions = centre.length;
  let logMean = 0;
  for (let d = 0; d < dimensions; d += 1) logMean += Math.log(lengthScales[d] as number) / dimensions;
  const { lower, upper } = wholeCube(dimensions);
  for (let d = 0; d < dimensions; d += 1) {
    const lengthScale = lengthScales[d] as number;
    const half = Math.max((length * Math.exp(Math.log(lengthScale) - logMean)) / 2, floor * lengthScale);
    lower[d] = Math.max(0, (centre[d] as number) - half);
    upper[d] = Math.min(1, (centre[d] as number) + half);
  }
  return { lower, upper };
}

/** Whether the trust region applies: every coordinate continuous (a space of doubles only). */
export function usesTrustRegion(coordinates: readonly Coordinate[]): boolean {
  return coordinates.every((coordinate) => coordinate.kind === 'continuous');
}
