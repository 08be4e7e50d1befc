import type { Coordinate } from './encoding.js';
import type { Axes } from './frame.js';
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
 * region narrower than this cannot tell its points apart, so {@link trustRegion} never makes
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
 * The trust region of a space of doubles: the points `centre + A diag(half) u` (`A` the frame's
 * {@link Axes}, one per column) for `u` in the box `[lower, upper]` of `[-1, 1]^d`, clipped to the
 * cube. In the cube's own coordinates (`A` the identity) it is TuRBO's box, clipped to the cube.
 */
export interface TrustRegion {
  readonly centre: Float64Array;
  readonly axes: Axes;
  /** Half the side along each axis, in unit-cube widths. */
  readonly half: Float64Array;
  /** The box of `u`: per axis, the stretch of the line through the centre that stays in the cube. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * The trust region around `centre` in the frame of `axes`, for a space whose coordinates are all
 * continuous: along axis `i` a side of `length` times its weight, the axis's length scale
 * (`lengthScales`, fitted in that frame) over the geometric mean of the length scales (TuRBO's:
 * longer where the model says the metric changes slowly), but never less than `floor` length
 * scales either side ({@link noiseDistance}). Along each axis, `u` stops where the line through the
 * centre leaves the cube: in the cube's own coordinates that is the box clipped to the cube; in a
 * rotated frame the box's corners may still leave it, and {@link regionPoint} clips them.
 */
export function trustRegion(centre: Float64Array, axes: Axes, length: number, lengthScales: Float64Array, floor: number): TrustRegion {
  const dimensions = centre.length;
  let logMean = 0;
  for (let i = 0; i < dimensions; i += 1) logMean += Math.log(lengthScales[i] as number) / dimensions;
  const half = new Float64Array(dimensions);
  const lower = new Float64Array(dimensions).fill(-1);
  const upper = new Float64Array(dimensions).fill(1);
  for (let i = 0; i < dimensions; i += 1) {
    const lengthScale = lengthScales[i] as number;
    half[i] = Math.max((length * Math.exp(Math.log(lengthScale) - logMean)) / 2, floor * lengthScale);
    for (let a = 0; a < dimensions; a += 1) {
      const step = (axes[a * dimensions + i] as number) * (half[i] as number);
      if (Math.abs(step) < 1e-12) continue;
      const toLower = -(centre[a] as number) / step;
      const toUpper = (1 - (centre[a] as number)) / step;
      lower[i] = Math.max(lower[i] as number, Math.min(toLower, toUpper));
      upper[i] = Math.min(upper[i] as number, Math.max(toLower, toUpper));
    }
  }
  return { centre, axes, half, lower, upper };
}

/**
 * The point of the cube at region coordinates `u`, clipped to the cube; `inside` (when given)
 * gets, per coordinate, whether it was not clipped (where the point moves with `u`).
 */
export function regionPoint(region: TrustRegion, u: Float64Array, inside?: Uint8Array): Float64Array {
  const { centre, axes, half } = region;
  const dimensions = centre.length;
  const x = new Float64Array(dimensions);
  for (let a = 0; a < dimensions; a += 1) {
    let value = centre[a] as number;
    for (let i = 0; i < dimensions; i += 1) value += (axes[a * dimensions + i] as number) * (half[i] as number) * (u[i] as number);
    const clipped = Math.min(1, Math.max(0, value));
    if (inside !== undefined) inside[a] = clipped === value ? 1 : 0;
    x[a] = clipped;
  }
  return x;
}

/** The region coordinates `u` of the point `x`, clipped to the region's box. */
export function regionCoordinates(region: TrustRegion, x: Float64Array): Float64Array {
  const { centre, axes, half, lower, upper } = region;
  const dimensions = centre.length;
  const u = new Float64Array(dimensions);
  for (let i = 0; i < dimensions; i += 1) {
    let value = 0;
    for (let a = 0; a < dimensions; a += 1) value += (axes[a * dimensions + i] as number) * ((x[a] as number) - (centre[a] as number));
    u[i] = Math.min(upper[i] as number, Math.max(lower[i] as number, value / (half[i] as number)));
  }
  return u;
}

/** Whether the trust region applies: every coordinate continuous (a space of doubles only). */
export function usesTrustRegion(coordinates: readonly Coordinate[]): boolean {
  return coordinates.every((coordinate) => coordinate.kind === 'continuous');
}
