import { describe, expect, expectTypeOf, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { categorical, discrete, double, integer, searchSpace } from './builder.js';
import { validateParameters } from './parameters.js';
import { exampleSearchSpace } from '../testing/example-space.js';

const space = searchSpace({
  optimizer: categorical(['sgd', 'adam'], { when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99) } }] }),
  layers: integer(1, 3, { when: [{ parentValues: [3], parameters: { width: discrete([64, 128]) } }] }),
});

function field(parameters: unknown): string {
  try {
    validateParameters(space, parameters, { field: 'trials[0].parameters' });
  } catch (error) {
    if (error instanceof ValidationError) return `${error.field}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('validateParameters', () => {
  test('returns valid parameters typed by the space', () => {
    const parameters = validateParameters(exampleSearchSpace, { activation: 'relu', optimizer: 'adam', batch_size: 64 });
    expectTypeOf(parameters.activation).toEqualTypeOf<'relu' | 'softmax' | 'leakyrelu'>();
    expect(parameters).toEqual({ activation: 'relu', optimizer: 'adam', batch_size: 64 });
    expect(field({ optimizer: 'sgd', momentum: 0.5, layers: 3, width: 128 })).toBe('accepted');
    expect(field({ optimizer: 'adam', layers: 1 })).toBe('accepted');
  });

  test.each([
    ['a missing top-level parameter', { optimizer: 'adam' }, 'trials[0].parameters.layers: trials[0].parameters.layers (missing) is missing; give layers a whole number from 1 to 3'],
    ['a missing active child', { optimizer: 'sgd', layers: 1 }, 'trials[0].parameters.momentum'],
    ['an inactive child', { optimizer: 'adam', momentum: 0.5, layers: 1 }, 'trials[0].parameters.momentum: trials[0].parameters.momentum 0.5 is not a parameter of the search space'],
    ['an unknown parameter', { optimizer: 'adam', layers: 1, dropout: 0.1 }, 'trials[0].parameters.dropout'],
    ['a categorical value not listed', { optimizer: 'nadam', layers: 1 }, 'trials[0].parameters.optimizer: trials[0].parameters.optimizer "nadam" is not a value of this parameter; give optimizer one of "sgd", "adam"'],
    ['a number for a categorical', { optimizer: 1, layers: 1 }, 'trials[0].parameters.optimizer'],
    ['an integer out of range', { optimizer: 'adam', layers: 4 }, 'trials[0].parameters.layers'],
    ['a fractional integer', { optimizer: 'adam', layers: 1.5 }, 'trials[0].parameters.layers'],
    ['a double above max', { optimizer: 'sgd', momentum: 1, layers: 1 }, 'trials[0].parameters.momentum'],
    ['a discrete value not listed', { optimizer: 'adam', layers: 3, width: 96 }, 'trials[0].parameters.width'],
    ['a string for a discrete', { optimizer: 'adam', layers: 3, width: '64' }, 'trials[0].parameters.width'],
    ['not an object', [1, 2], 'trials[0].parameters'],
  ])('rejects %s', (_name, parameters, expected) => {
    expect(field(parameters).startsWith(expected)).toBe(true);
  });
});
