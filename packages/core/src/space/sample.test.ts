import { describe, expect, test } from 'vitest';
import { categorical, discrete, double, integer, searchSpace } from './builder.js';
import { validateParameters } from './parameters.js';
import { createRandom } from './random.js';
import { sampleParameters } from './sample.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { SearchSpace } from './types.js';

function draws(space: SearchSpace, count: number, seed = 1): Record<string, string | number>[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => ({ ...sampleParameters(space, random) }));
}

function numbers(space: SearchSpace, id: string, count = 4000): number[] {
  return draws(space, count).map((parameters) => parameters[id] as number);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('sampleParameters', () => {
  test('the example space: every draw is a valid combination, and all 27 come up', () => {
    const sampled = draws(exampleSearchSpace, 600);
    for (const parameters of sampled) validateParameters(exampleSearchSpace, parameters);
    expect(new Set(sampled.map((p) => `${p['activation']}/${p['optimizer']}/${p['batch_size']}`)).size).toBe(27);
  });

  test('double: linear is uniform, log is log-uniform, reverse-log crowds the top; all inside [min, max]', () => {
    const linear = numbers(searchSpace({ x: double(1, 1000) }), 'x');
    const log = numbers(searchSpace({ x: double(1, 1000, { scale: 'log' }) }), 'x');
    const reverse = numbers(searchSpace({ x: double(1, 1000, { scale: 'reverse-log' }) }), 'x');
    for (const values of [linear, log, reverse]) {
      expect(Math.min(...values)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...values)).toBeLessThanOrEqual(1000);
    }
    // medians: linear ~500.5, log ~sqrt(1000) = 31.6, reverse-log the mirror image 1001 - 31.6
    expect(median(linear)).toBeGreaterThan(450);
    expect(median(linear)).toBeLessThan(550);
    expect(median(log)).toBeGreaterThan(26);
    expect(median(log)).toBeLessThan(38);
    expect(median(reverse)).toBeGreaterThan(1001 - 38);
    expect(median(reverse)).toBeLessThan(1001 - 26);
  });

  test('integer: both ends included, each value about equally likely on the linear scale, log favours small values', () => {
    const linear = numbers(searchSpace({ n: integer(-2, 2) }), 'n', 5000);
    for (const value of [-2, -1, 0, 1, 2]) {
      const share = linear.filter((n) => n === value).length / linear.length;
      expect(share).toBeGreaterThan(0.17);
      expect(share).toBeLessThan(0.23);
    }
    const log = numbers(searchSpace({ n: integer(1, 100, { scale: 'log' }) }), 'n');
    expect(log.every((n) => Number.isInteger(n) && n >= 1 && n <= 100)).toBe(true);
    expect(log).toContain(1);
    expect(log).toContain(100);
    expect(median(log)).toBeLessThan(15);
    const reverse = numbers(searchSpace({ n: integer(1, 100, { scale: 'reverse-log' }) }), 'n');
    expect(median(reverse)).toBeGreaterThan(86);
  });

  test('conditional children are drawn exactly when their parent activates them', () => {
    const space = searchSpace({
      optimizer: categorical(['sgd', 'adam', 'rmsprop'], { when: [{ parentValues: ['sgd', 'rmsprop'], parameters: { momentum: double(0, 0.99) } }] }),
      units: discrete([16, 32], { when: [{ parentValues: [32], parameters: { dropout: double(0, 0.5) } }] }),
    });
    const sampled = draws(space, 300);
    for (const parameters of sampled) {
      validateParameters(space, parameters);
      expect('momentum' in parameters).toBe(parameters['optimizer'] !== 'adam');
      expect('dropout' in parameters).toBe(parameters['units'] === 32);
    }
    expect(Object.keys(sampled.find((p) => p['optimizer'] === 'sgd' && p['units'] === 32)!)).toEqual(['optimizer', 'momentum', 'units', 'dropout']);
  });

  test('the same seed draws the same values', () => {
    expect(draws(exampleSearchSpace, 20, 9)).toEqual(draws(exampleSearchSpace, 20, 9));
    expect(draws(exampleSearchSpace, 20, 9)).not.toEqual(draws(exampleSearchSpace, 20, 10));
  });

  test('a discrete log-scale parameter still picks each listed value', () => {
    const values = numbers(searchSpace({ units: discrete([1, 10, 100], { scale: 'log' }) }), 'units', 900);
    expect(new Set(values)).toEqual(new Set([1, 10, 100]));
  });
});
