import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { double, searchSpace } from '../space/builder.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { FrozenTrial } from '../study/types.js';
import { createSampler } from './index.js';
import { createRandomSampler } from './random.js';

const metric = { id: 'accuracy', goal: 'maximize' } as const;
const shown = (count: number): FrozenTrial[] =>
  Array.from({ length: count }, (_, index) => ({ id: String(index + 1), state: 'INFEASIBLE', parameters: {}, measurements: [] }));

describe('createRandomSampler', () => {
  test('the n-th suggestion depends only on the seed and n', () => {
    const space = searchSpace({ lr: double(1e-4, 1e-1, { scale: 'log' }) });
    const a = createRandomSampler({ space, seed: 11 });
    const b = createRandomSampler({ space, seed: 11 });
    expect(a.suggest(shown(7))).toEqual(b.suggest(shown(7)));
    expect(a.suggest(shown(7))).toEqual(a.suggest(shown(7)));
    expect(a.suggest(shown(7))).not.toEqual(a.suggest(shown(8)));
    expect(createRandomSampler({ space, seed: 12 }).suggest(shown(7))).not.toEqual(a.suggest(shown(7)));
  });
});

describe('createSampler', () => {
  test('creates the sampler of the algorithm', () => {
    expect(createSampler({ algorithm: 'grid', space: exampleSearchSpace, metric }).algorithm).toBe('grid');
    expect(createSampler({ algorithm: 'random', space: exampleSearchSpace, metric, seed: 3 }).algorithm).toBe('random');
    expect(createSampler({ algorithm: 'tpe', space: exampleSearchSpace, metric, seed: 3 }).algorithm).toBe('tpe');
    expect(createSampler({ algorithm: 'gp', space: exampleSearchSpace, metric, seed: 3 }).algorithm).toBe('gp');
    expect(createSampler({ algorithm: 'bayesian', space: exampleSearchSpace, metric, seed: 3 }).algorithm).toBe('gp');
  });

  test('rejects an unknown algorithm, a fractional seed, a bad metric and a grid over a double', () => {
    // @ts-expect-error an algorithm from untyped input
    expect(() => createSampler({ algorithm: 'cmaes', space: exampleSearchSpace, metric })).toThrow(/algorithm "cmaes" is not a search algorithm; use "grid", "shuffled-grid", "random", "tpe", "gp", "bayesian"/);
    expect(() => createSampler({ algorithm: 'random', space: exampleSearchSpace, metric, seed: 1.5 })).toThrow(/seed 1.5/);
    // @ts-expect-error a goal from untyped input
    expect(() => createSampler({ algorithm: 'tpe', space: exampleSearchSpace, metric: { id: 'loss', goal: 'lower' } })).toThrow(/metric.goal "lower"/);
    expect(() => createSampler({ algorithm: 'grid', space: searchSpace({ lr: double(0, 1) }), metric })).toThrow(ValidationError);
  });
});
