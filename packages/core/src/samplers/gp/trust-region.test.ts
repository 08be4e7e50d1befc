import { describe, expect, test } from 'vitest';
import { categorical, double, integer, searchSpace } from '../../space/builder.js';
import { coordinatesOf } from './encoding.js';
import { matern52 } from './kernel.js';
import { TRUST_REGION, noiseDistance, trustRegionBox, trustRegionLength, usesTrustRegion, wholeCube } from './trust-region.js';

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

describe('trustRegionBox', () => {
  test('sides of the length times each length scale over their geometric mean, centred, clipped to the cube', () => {
    const box = trustRegionBox(Float64Array.of(0.5, 0.5, 0.95), 0.2, Float64Array.of(1, 4, 0.25), 0);
    // geometric mean 1: weights 1, 4, 0.25.
    expect(box.lower[0]).toBeCloseTo(0.4, 12);
    expect(box.upper[0]).toBeCloseTo(0.6, 12);
    expect(box.lower[1]).toBeCloseTo(0.1, 12);
    expect(box.upper[1]).toBeCloseTo(0.9, 12);
    expect(box.lower[2]).toBeCloseTo(0.925, 12);
    expect(box.upper[2]).toBeCloseTo(0.975, 12);
    const clipped = trustRegionBox(Float64Array.of(0.02, 0.99), 0.8, Float64Array.of(1, 1), 0);
    expect([clipped.lower[0], clipped.upper[0], clipped.lower[1], clipped.upper[1]]).toEqual([0, expect.closeTo(0.42, 12), expect.closeTo(0.59, 12), 1]);
  });

  test('never narrower than the floor, in length scales either side', () => {
    const box = trustRegionBox(Float64Array.of(0.5, 0.5), 0.01, Float64Array.of(0.1, 0.4), 0.5);
    expect((box.upper[0] as number) - (box.lower[0] as number)).toBeCloseTo(0.1, 12);
    expect((box.upper[1] as number) - (box.lower[1] as number)).toBeCloseTo(0.4, 12);
  });

  test('applies to spaces of doubles only; the whole cube is the box otherwise', () => {
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), b: double(1e-5, 1, { scale: 'log' }) })))).toBe(true);
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), b: integer(1, 8) })))).toBe(false);
    expect(usesTrustRegion(coordinatesOf(searchSpace({ a: double(0, 1), c: categorical(['x', 'y']) })))).toBe(false);
    expect(wholeCube(2)).toEqual({ lower: Float64Array.of(0, 0), upper: Float64Array.of(1, 1) });
  });
});
