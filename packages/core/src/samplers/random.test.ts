import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { double, searchSpace } from '../space/builder.js';
import { seedSearchSpace } from '../space/seed.js';
import type { FrozenTrial } from '../study/types.js';
import { createSampler } from './index.js';
import { createRandomSampler } from './random.js';

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
    expect(createSampler({ algorithm: 'grid', space: seedSearchSpace }).algorithm).toBe('grid');
    expect(createSampler({ algorithm: 'random', space: seedSearchSpace, seed: 3 }).algorithm).toBe('random');
  });

  test('rejects an unknown algorithm, a fractional seed and a grid over a double', () => {
    // @ts-expect-error an algorithm from untyped input
    expect(() => createSampler({ algorithm: 'tpe', space: seedSearchSpace })).toThrow(/algorithm "tpe" is not a search algorithm hptune runs locally; use "grid" or "random"/);
    expect(() => createSampler({ algorithm: 'random', space: seedSearchSpace, seed: 1.5 })).toThrow(/seed 1.5/);
    expect(() => createSampler({ algorithm: 'grid', space: searchSpace({ lr: double(0, 1) }) })).toThrow(ValidationError);
  });
});
