import { describe, expect, test } from 'vitest';
import { createRandom, xoshiro128StarStar } from './random.js';

describe('xoshiro128**', () => {
  test('matches the reference implementation for the state {1, 2, 3, 4}', () => {
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    expect(Array.from({ length: 10 }, next)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });
});

describe('createRandom', () => {
  test('gives the same sequence for the same seed and stream, another for another seed or stream', () => {
    const draw = (seed: number, stream?: number) => {
      const random = createRandom(seed, stream);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    // seeds that differ only above 32 bits are different seeds
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32));
    expect(draw(-1)).not.toEqual(draw(1));
  });

  test('floats are uniform in [0, 1) and indexes cover [0, count) evenly', () => {
    const random = createRandom(7);
    const buckets = new Array<number>(10).fill(0);
    const draws = 20_000;
    let sum = 0;
    let lowest = 1;
    let highest = 0;
    for (let i = 0; i < draws; i += 1) {
      const value = random.nextFloat();
      lowest = Math.min(lowest, value);
      highest = Math.max(highest, value);
      sum += value;
      buckets[random.nextIndex(10)]! += 1;
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(highest).toBeLessThan(1);
    expect(sum / draws).toBeCloseTo(0.5, 1);
    // chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile
    const expected = draws / 10;
    const chiSquare = buckets.reduce((total, count) => total + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.9);
  });
});
