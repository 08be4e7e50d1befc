import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { categorical, discrete, double, integer, searchSpace } from './builder.js';
import { combinationKey, enumerateGrid, gridSize } from './grid.js';
import { exampleSearchSpace } from '../testing/example-space.js';

describe('enumerateGrid', () => {
  test('the example space has 27 distinct combinations, first parameter slowest, values in declared order', () => {
    const combinations = [...enumerateGrid(exampleSearchSpace)];
    expect(combinations).toHaveLength(27);
    expect(gridSize(exampleSearchSpace)).toBe(27);
    expect(new Set(combinations.map(combinationKey)).size).toBe(27);
    expect(combinations.slice(0, 4)).toEqual([
      { activation: 'relu', optimizer: 'sgd', batch_size: 32 },
      { activation: 'relu', optimizer: 'sgd', batch_size: 64 },
      { activation: 'relu', optimizer: 'sgd', batch_size: 128 },
      { activation: 'relu', optimizer: 'adam', batch_size: 32 },
    ]);
    expect(combinations[9]).toEqual({ activation: 'softmax', optimizer: 'sgd', batch_size: 32 });
    expect(combinations[26]).toEqual({ activation: 'leakyrelu', optimizer: 'rmsprop', batch_size: 128 });
    expect(Object.keys(combinations[0]!)).toEqual(['activation', 'optimizer', 'batch_size']);
  });

  test('expands conditional children only under the values that activate them, right after their parent', () => {
    const space = searchSpace({
      optimizer: categorical(['sgd', 'adam', 'rmsprop'], {
        when: [
          { parentValues: ['sgd', 'rmsprop'], parameters: { momentum: discrete([0, 0.9]) } },
          { parentValues: ['adam'], parameters: { amsgrad: categorical(['yes', 'no'], { when: [{ parentValues: ['yes'], parameters: { beta: discrete([0.9, 0.99, 0.999]) } }] }) } },
        ],
      }),
      layers: integer(1, 2),
    });
    const combinations = [...enumerateGrid(space)];
    // sgd: 2 momenta, adam: amsgrad yes (3 betas) + no, rmsprop: 2 momenta; all times 2 layer counts
    expect(gridSize(space)).toBe((2 + 4 + 2) * 2);
    expect(combinations).toHaveLength(16);
    expect(combinations.slice(0, 3)).toEqual([
      { optimizer: 'sgd', momentum: 0, layers: 1 },
      { optimizer: 'sgd', momentum: 0, layers: 2 },
      { optimizer: 'sgd', momentum: 0.9, layers: 1 },
    ]);
    expect(combinations.filter((c) => c['optimizer'] === 'adam')).toEqual([
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.9, layers: 1 },
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.9, layers: 2 },
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.99, layers: 1 },
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.99, layers: 2 },
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.999, layers: 1 },
      { optimizer: 'adam', amsgrad: 'yes', beta: 0.999, layers: 2 },
      { optimizer: 'adam', amsgrad: 'no', layers: 1 },
      { optimizer: 'adam', amsgrad: 'no', layers: 2 },
    ]);
    expect(new Set(combinations.map(combinationKey)).size).toBe(16);
  });

  test('counts a wide integer range without walking it', () => {
    const space = searchSpace({ steps: integer(1, 1_000_000_000, { when: [{ parentValues: [7], parameters: { x: discrete([1, 2, 3]) } }] }) });
    expect(gridSize(space)).toBe(1_000_000_000 + 2);
    const [first, second] = enumerateGrid(space);
    expect([first, second]).toEqual([{ steps: 1 }, { steps: 2 }]);
  });

  test('refuses a space with a double parameter, naming it', () => {
    const space = searchSpace({ a: categorical(['x'], { when: [{ parentValues: ['x'], parameters: { lr: double(0.1, 1) } }] }) });
    expect(() => gridSize(space)).toThrow(ValidationError);
    expect(() => [...enumerateGrid(space)]).toThrow(/parameters\.a\.conditions\[0\]\.parameters\.lr\.kind "double" cannot be searched by grid/);
  });
});

describe('combinationKey', () => {
  test('ignores key order and tells different values apart', () => {
    expect(combinationKey({ a: 1, b: 'x' })).toBe(combinationKey({ b: 'x', a: 1 }));
    expect(combinationKey({ a: 1 })).not.toBe(combinationKey({ a: '1' }));
  });
});
