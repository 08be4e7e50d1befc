import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { categorical, double, searchSpace } from '../space/builder.js';
import { enumerateGrid } from '../space/grid.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial, TrialState } from '../study/types.js';
import { createGridSampler } from './grid.js';

const grid = [...enumerateGrid(exampleSearchSpace)];
const trial = (id: number, parameters: TrialParameters, state: TrialState): FrozenTrial => ({ id: String(id), state, parameters, measurements: [] });

describe('createGridSampler', () => {
  test('suggests combinations in enumeration order', () => {
    const sampler = createGridSampler({ space: exampleSearchSpace });
    expect(sampler.algorithm).toBe('grid');
    expect(sampler.suggest([])).toEqual(grid[0]);
    expect(sampler.suggest([trial(1, grid[0]!, 'ACTIVE')])).toEqual(grid[1]);
  });

  test('after a crash, skips what succeeded, failed or is still held', () => {
    const sampler = createGridSampler({ space: exampleSearchSpace });
    const trials = [
      trial(1, grid[0]!, 'SUCCEEDED'),
      trial(2, grid[1]!, 'INFEASIBLE'),
      trial(3, grid[2]!, 'STOPPING'),
      trial(4, grid[3]!, 'REQUESTED'),
    ];
    expect(sampler.suggest(trials)).toEqual(grid[4]);
  });

  test('matches trials whatever the key order of their parameters, and ignores ones outside the grid', () => {
    const sampler = createGridSampler({ space: exampleSearchSpace });
    const reordered = { batch_size: 32, optimizer: 'sgd', activation: 'relu' };
    expect(sampler.suggest([trial(1, reordered, 'SUCCEEDED'), trial(2, { other: 1 }, 'SUCCEEDED')])).toEqual(grid[1]);
  });

  test('is exhausted when every combination succeeded, even if some also failed before', () => {
    const sampler = createGridSampler({ space: exampleSearchSpace });
    const trials = [trial(0, grid[5]!, 'INFEASIBLE'), ...grid.map((parameters, index) => trial(index + 1, parameters, 'SUCCEEDED'))];
    expect(sampler.suggest(trials)).toBeUndefined();
  });

  test('shuffled: visits every combination once, in an order drawn from the seed, the same for the same seed', () => {
    const visit = (seed: number) => {
      const sampler = createGridSampler({ space: exampleSearchSpace, order: 'shuffled', seed });
      const trials: FrozenTrial[] = [];
      for (let next = sampler.suggest(trials); next !== undefined; next = sampler.suggest(trials)) trials.push(trial(trials.length + 1, next, 'SUCCEEDED'));
      return trials.map((each) => each.parameters);
    };
    const order = visit(42);
    expect(createGridSampler({ space: exampleSearchSpace, order: 'shuffled' }).algorithm).toBe('shuffled-grid');
    expect(order).toHaveLength(grid.length);
    expect(new Set(order.map((parameters) => JSON.stringify(parameters))).size).toBe(grid.length);
    expect(order).not.toEqual(grid);
    expect(visit(42)).toEqual(order);
    expect(visit(7)).not.toEqual(order);
    // The seed study's first trials are not all of one activation, as in enumeration order.
    expect(new Set(order.slice(0, 6).map((parameters) => parameters['activation'])).size).toBeGreaterThan(1);
  });

  test('shuffled: a resumed study goes on where it was, from the trials alone', () => {
    const order = (() => {
      const sampler = createGridSampler({ space: exampleSearchSpace, order: 'shuffled', seed: 3 });
      const trials: FrozenTrial[] = [];
      for (let next = sampler.suggest(trials); next !== undefined; next = sampler.suggest(trials)) trials.push(trial(trials.length + 1, next, 'SUCCEEDED'));
      return trials.map((each) => each.parameters);
    })();
    const resumed = createGridSampler({ space: exampleSearchSpace, order: 'shuffled', seed: 3 });
    const done = order.slice(0, 5).map((parameters, index) => trial(index + 1, parameters, index === 4 ? 'ACTIVE' : 'SUCCEEDED'));
    expect(resumed.suggest(done)).toEqual(order[5]);
  });

  test('refuses a space with a double parameter when created', () => {
    expect(() => createGridSampler({ space: searchSpace({ a: categorical(['x']), lr: double(0, 1) }) })).toThrow(ValidationError);
  });
});
