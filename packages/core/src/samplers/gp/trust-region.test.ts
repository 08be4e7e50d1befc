import { describe, expect, test } from 'vitest';
import { categorical, double, integer, searchSpace } from '../../space/builder.js';
import { coordinatesOf } from './encoding.js';
import { matern52 } from './kernel.js';
import { identityAxes } from './frame.js';
import { TRUST_REGION, noiseDistance, regionCoordinates, regionPoint, trustRegion, trustRegionLength, usesTrustRegion, wholeCube, type TrustRegion } from './trust-region.js';

/** `count` values that never improve on the design's best (0). */
const flat = (count: number): number[] => Array.from({ length: count }, () => 1);

describe('trustRegionLength (TuRBO replayed from the trials)', () => {
  test('starts at the initial length after the design', () => {
    expect(trustRegionLength([3, 0, 2], 3, 2)).toBe(TRUST_REGION.initial);
    expect(trustRegionLength([3, 0, 2], 5, 2)).toBe(TRUST_REGION.initial);
  });

  test('halves after max(4, d) trials in a row without improvement; a failed trial counts as one', () => {
    expect(trustRegionLength([0, ...flat(3)], 1, 2)).toBe(0.8);
    expect(trustRegionLength([0, ...flat(3), undefined], 1, 2)).toBe(0.4);
    expect(trustRegionLength([0, ...flat(8)], 1, 2)).toBe(0.2);
    expect(trustRegionLength([0, ...flat(9)], 1, 10)).toBe(0.8);
    expect(trustRegionLength([0, ...flat(10)], 1, 10)).toBe(0.4);
  });

  test('an improvement resets the count of failures', () => {
    expect(trustRegionLength([0, 1, 1, 1, -1, 1, 1, 1], 1, 2)).toBe(0.8);
  });

  test('doubles after 3 improvements in a row, up to its maximum; an improvement must beat the best by 0.1% of it', () => {
    expect(trustRegionLength([10, 9, 8, 7], 1, 2)).toBe(1.6);
    expect(trustRegionLength([10, 9, 8, 7, 6, 5, 4], 1, 2)).toBe(TRUST_REGION.max);
    expect(trustRegionLength([10, 9.999, 9.998, 9.997], 1, 2)).toBe(0.8);
  });

  test('starts over at the initial length once it falls below the minimum', () => {
    // 0.8 / 2^6 = 0.0125 after 24 failures; the 7th halving (0.00625) is below 2^-7.
    expect(trustRegionLength([0, ...flat(24)], 1, 2)).toBe(0.0125);
    expect(trustRegionLength([0, ...flat(28)], 1, 2)).toBe(TRUST_REGION.initial);
  });
});

describe('noiseDistance', () => {
  test.each([
    [1, 0.1],
    [2.5, 0.2],
    [0.7, 1e-4],
  ])('kernel scale %f, noise %f: the kernel changes by the noise over that distance', (scale, noise) => {
    const r = noiseDistance(scale, noise);
    expect(scale * (1 - matern52(r * r))).toBeCloseTo(noise, 10);
  });

  test('tiny for a noiseless metric; unbounded when the noise is the whole variance', () => {
    expect(noiseDistance(1, 1e-6)).toBeLessThan(2e-3);
    expect(noiseDistance(1, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

/** The region's corners along its own axes, as points of the cube (the box, in the cube's own coordinates). */
const sides = (region: TrustRegion): { lower: Float64Array; upper: Float64Array } => ({ lower: regionPoint(region, region.lower), upper: regionPoint(region, region.upper) });

describe('trustRegion', () => {
  test('in the cube\'s own coordinates: sides of the length times each length scale over their geometric mean, centred, clipped to the cube', () => {
    const box = sides(trustRegion(Float64Array.of(0.5, 0.5, 0.95), identityAxes(3), 0.2, Float64Array.of(1, 4, 0.25), 0));
    // geometric mean 1: weights 1, 4, 0.25.
    expect(box.lower[0]).toBeCloseTo(0.4, 12);
    expect(box.upper[0]).toBeCloseTo(0.6, 12);
    expect(box.lower[1]).toBeCloseTo(0.1, 12);
    expect(box.upper[1]).toBeCloseTo(0.9, 12);
    expect(box.lower[2]).toBeCloseTo(0.925, 12);
    expect(box.upper[2]).toBeCloseTo(0.975, 12);
    const clipped = trustRegion(Float64Array.of(0.02, 0.99), identityAxes(2), 0.8, Float64Array.of(1, 1), 0);
    const clippedSides = sides(clipped);
    expect([clippedSides.lower[0], clippedSides.upper[0], clippedSides.lower[1], clippedSides.upper[1]]).toEqual([
      expect.closeTo(0, 12),
      expect.closeTo(0.42, 12),
      expect.closeTo(0.59, 12),
      expect.closeTo(1, 12),
    ]);
    // The box of u stops where the cube does: no clipping left to do.
    expect(clipped.lower[0]).toBeCloseTo(-0.05, 12);
    expect(clipped.upper[1]).toBeCloseTo(0.025, 12);
  });

  test('never narrower than the floor, in length scales either side', () => {
    const box = sides(trustRegion(Float64Array.of(0.5, 0.5), identityAxes(2), 0.01, Float64Array.of(0.1, 0.4), 0.5));
    expect((box.upper[0] as number) - (box.lower[0] as number)).toBeCloseTo(0.1, 12);
    expect((box.upper[1] as number) - (box.lower[1] as number)).toBeCloseTo(0.4, 12);
  });

  test('in a rotated frame: the sides lie along the axes, points stay in the cube, and region coordinates invert the point', () => {
    const c = Math.SQRT1_2;
    // Axis 0 along the diagonal (1, 1), axis 1 across it; length scale 4 along the diagonal, 1 across (weights 2 and 0.5).
    const axes = Float64Array.of(c, -c, c, c);
    const region = trustRegion(Float64Array.of(0.5, 0.5), axes, 0.2, Float64Array.of(4, 1), 0);
    expect(region.half[0]).toBeCloseTo(0.2, 12);
    expect(region.half[1]).toBeCloseTo(0.05, 12);
    const alongDiagonal = regionPoint(region, Float64Array.of(1, 0));
    expect(alongDiagonal[0]).toBeCloseTo(0.5 + 0.2 * c, 12);
    expect(alongDiagonal[1]).toBeCloseTo(0.5 + 0.2 * c, 12);
    const u = Float64Array.of(0.3, -0.7);
    const back = regionCoordinates(region, regionPoint(region, u));
    expect(back[0]).toBeCloseTo(0.3, 12);
    expect(back[1]).toBeCloseTo(-0.7, 12);
    // Near a corner the line through the centre leaves the cube first; the box's corners are clipped.
    const cornered = trustRegion(Float64Array.of(0.9, 0.9), axes, 1.6, Float64Array.of(4, 1), 0);
    expect(cornered.upper[0]).toBeCloseTo((0.1 / c) / (cornered.half[0] as number), 12);
    for (const corner of [Float64Array.of(cornered.lower[0] as number, cornered.lower[1] as number), Float64Array.of(cornered.upper[0] as number, cornered.upper[1] as number)]) {
      for (const value of regionPoint(cornered, corner)) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });

  test('applies to spaces of doubles only; the whole cube is the box otherwise', () => {
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), b: double(1e-5, 1, { scale: 'log' }) })))).toBe(true);
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), b: integer(1, 8) })))).toBe(false);
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), c: categorical(['x', 'y']) })))).toBe(false);
    expect(wholeCube(2)).toEqual({ lower: Float64Array.of(0, 0), upper: Float64Array.of(1, 1) });
  });
});
