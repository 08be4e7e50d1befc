import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { categorical, discrete, double, integer, searchSpace } from './builder.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { SearchSpace } from './types.js';
import { searchSpaceFromJSON } from './json.js';
import { MAX_CATEGORICAL_VALUES, MAX_CONDITION_DEPTH, MAX_SEARCH_SPACE_PARAMETERS, validateSearchSpace, type ValidateSearchSpaceOptions } from './validate.js';

/** The ValidationError a space raises, so each case can check its field, value and message. */
function rejection(space: unknown, options?: ValidateSearchSpaceOptions): ValidationError {
  try {
    validateSearchSpace(space, options);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the space was accepted');
}

const space = (parameters: Record<string, unknown>): SearchSpace => ({ parameters }) as SearchSpace;

describe('validateSearchSpace', () => {
  test('accepts the example space for every algorithm, and the builder validates as it builds', () => {
    for (const algorithm of ['grid', 'random', 'bayesian'] as const) validateSearchSpace(exampleSearchSpace, { algorithm });
    expect(() => searchSpace({ batch_size: discrete([32, 32]) })).toThrow(ValidationError);
  });

  test.each([
    ['no parameters', space({}), 'parameters', 'declares no parameter'],
    ['not an object', 'activation', 'searchSpace', 'is not a search space object'],
    ['empty categorical values', space({ activation: categorical([]) }), 'parameters.activation.values', 'is empty'],
    ['empty discrete values', space({ batch_size: discrete([]) }), 'parameters.batch_size.values', 'is empty'],
    ['duplicate discrete values', space({ batch_size: discrete([32, 64, 64]) }), 'parameters.batch_size.values[2]', 'repeats values[1]'],
    ['duplicate categorical values', space({ activation: categorical(['relu', 'tanh', 'relu']) }), 'parameters.activation.values[2]', 'repeats values[0]'],
    ['discrete values closer than 1e-10', space({ rate: discrete([0.1, 0.1 + 1e-12]) }), 'parameters.rate.values[1]', 'repeats values[0]'],
    ['an empty categorical value', space({ activation: categorical(['relu', '']) }), 'parameters.activation.values[1]', 'is not a non-empty string'],
    ['a non-finite discrete value', space({ batch_size: discrete([32, Number.NaN]) }), 'parameters.batch_size.values[1]', 'is not a finite number'],
    ['an infinite double bound', space({ lr: double(0, Number.POSITIVE_INFINITY) }), 'parameters.lr.max', 'is not a finite number'],
    ['a NaN double bound', space({ lr: double(Number.NaN, 1) }), 'parameters.lr.min', 'is not a finite number'],
    ['min equal to max', space({ lr: double(0.1, 0.1) }), 'parameters.lr.max', 'is not above min (0.1)'],
    ['min above max', space({ layers: integer(5, 2) }), 'parameters.layers.max', 'is not above min (5)'],
    ['log scale from 0', space({ lr: double(0, 1, { scale: 'log' }) }), 'parameters.lr.min', 'must be above 0 for the log scale'],
    ['reverse-log scale from a negative bound', space({ lr: double(-1, 1, { scale: 'reverse-log' }) }), 'parameters.lr.min', 'must be above 0 for the reverse-log scale'],
    ['log scale over a discrete 0', space({ units: discrete([0, 8], { scale: 'log' }) }), 'parameters.units.values', 'must all be above 0 for the log scale'],
    ['integer bounds that are not integers', space({ layers: integer(1.5, 4) }), 'parameters.layers.min', 'is not an integer'],
    ['an unknown scale', space({ lr: { kind: 'double', min: 0, max: 1, scale: 'exp' } }), 'parameters.lr.scale', 'is not a scale'],
    ['an unknown kind', space({ lr: { kind: 'float', min: 0, max: 1 } }), 'parameters.lr.kind', 'is not a parameter kind'],
    ['an unknown field', space({ lr: { kind: 'double', min: 0, max: 1, scale: 'linear', step: 0.1 } }), 'parameters.lr.step', 'is not a field of a double parameter'],
    ['an id with a space', space({ 'batch size': discrete([32]) }), 'parameters.batch size', 'is not a valid parameter id'],
    ['an id starting with a digit', space({ '2nd': discrete([32]) }), 'parameters.2nd', 'is not a valid parameter id'],
    ['an id with a dot', space({ 'lr.decay': discrete([32]) }), 'parameters.lr.decay', 'is not a valid parameter id'],
    ['an empty id', space({ '': discrete([32]) }), 'parameters.', 'is not a valid parameter id'],
    ['an id of 129 characters', space({ [`a${'b'.repeat(128)}`]: discrete([32]) }), `parameters.a${'b'.repeat(128)}`, 'is not a valid parameter id'],
    [
      'a child id that repeats a top-level id',
      space({
        optimizer: categorical(['sgd'], { when: [{ parentValues: ['sgd'], parameters: { batch_size: discrete([8]) } }] }),
        batch_size: discrete([32]),
      }),
      'parameters.batch_size',
      'repeats the parameter id declared at parameters.optimizer.conditions[0].parameters.batch_size',
    ],
    [
      'a condition on a value the categorical parent cannot take',
      space({ optimizer: { kind: 'categorical', values: ['sgd', 'adam'], conditions: [{ parentValues: ['nadam'], parameters: { momentum: double(0, 1) } }] } }),
      'parameters.optimizer.conditions[0].parentValues[0]',
      'is not a value the parent ("sgd", "adam") can take',
    ],
    [
      'a condition on an integer outside the range',
      space({ layers: integer(1, 3, { when: [{ parentValues: [4], parameters: { width: discrete([8]) } }] }) }),
      'parameters.layers.conditions[0].parentValues[0]',
      'is not a value the parent (integers 1 to 3) can take',
    ],
    [
      'a condition with no parent values',
      space({ optimizer: categorical(['sgd'], { when: [{ parentValues: [], parameters: { momentum: double(0, 1) } }] }) }),
      'parameters.optimizer.conditions[0].parentValues',
      'is not a non-empty list',
    ],
    [
      'a condition with no children',
      space({ optimizer: categorical(['sgd'], { when: [{ parentValues: ['sgd'], parameters: {} }] }) }),
      'parameters.optimizer.conditions[0].parameters',
      'declares no parameter',
    ],
    [
      'an invalid child',
      space({ optimizer: categorical(['sgd'], { when: [{ parentValues: ['sgd'], parameters: { momentum: double(1, 0) } }] }) }),
      'parameters.optimizer.conditions[0].parameters.momentum.max',
      'is not above min (1)',
    ],
    [
      'conditions on a double parent',
      space({ lr: { kind: 'double', min: 0, max: 1, scale: 'linear', conditions: [{ parentValues: [0.5], parameters: { x: discrete([1]) } }] } }),
      'parameters.lr.conditions',
      'is not allowed on a double parameter',
    ],
  ])('rejects %s', (_name, input, field, problem) => {
    const error = rejection(input);
    expect(error.field).toBe(field);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(problem);
    expect(error.fix.length).toBeGreaterThan(10);
  });

  test('rejects grid search over a double parameter, at any depth, with the way out', () => {
    const top = rejection(searchSpace({ activation: categorical(['relu']), lr: double(1e-4, 1e-1, { scale: 'log' }) }), { algorithm: 'grid' });
    expect(top.field).toBe('parameters.lr.kind');
    expect(top.message).toBe(
      'parameters.lr.kind "double" cannot be searched by grid: a double parameter has no finite list of values; ' +
        'list the values to try with discrete([...]) (or integer(min, max)), or use the random, tpe or bayesian algorithm',
    );
    const nested = rejection(
      searchSpace({ optimizer: categorical(['sgd', 'adam'], { when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99) } }] }) }),
      { algorithm: 'grid' },
    );
    expect(nested.field).toBe('parameters.optimizer.conditions[0].parameters.momentum.kind');
    // the same spaces are fine for random search
    validateSearchSpace(searchSpace({ lr: double(1e-4, 1e-1, { scale: 'log' }) }), { algorithm: 'random' });
  });

  test('rejects more than 1,000 discrete values, as Vertex does', () => {
    const values = Array.from({ length: 1001 }, (_, index) => index);
    expect(rejection(space({ units: discrete(values) })).field).toBe('parameters.units.values');
    validateSearchSpace(space({ units: discrete(values.slice(0, 1000)) }));
  });

  test('accepts ids with letters, digits, "_" and "-", and conditional children at depth', () => {
    validateSearchSpace(
      searchSpace({
        'learning-rate': double(1e-4, 1e-1, { scale: 'reverse-log' }),
        Layers_2: integer(1, 3, { scale: 'log', when: [{ parentValues: [2, 3], parameters: { width: discrete([64, 128], { when: [{ parentValues: [64], parameters: { depth: integer(0, 2) } }] }) } }] }),
      }),
    );
  });

  test('refuses a NUL character in a categorical value: no command-line argument can carry one', () => {
    const error = rejection(space({ activation: categorical(['relu', 'soft\u0000max']) }));
    expect(error.field).toBe('parameters.activation.values[1]');
    expect(error.message).toContain('holds a NUL character');
  });

  test('states its limits: parameters in all, categorical values, condition depth', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_SEARCH_SPACE_PARAMETERS + 1 }, (_, index) => [`p${index}`, discrete([1, 2])]));
    expect(rejection(space(many)).field).toBe(`parameters.p${MAX_SEARCH_SPACE_PARAMETERS}`);
    delete many[`p${MAX_SEARCH_SPACE_PARAMETERS}`];
    validateSearchSpace(space(many));

    const values = Array.from({ length: MAX_CATEGORICAL_VALUES + 1 }, (_, index) => `v${index}`);
    expect(rejection(space({ act: categorical(values) })).field).toBe('parameters.act.values');
    validateSearchSpace(space({ act: categorical(values.slice(0, MAX_CATEGORICAL_VALUES)) }));

    const nested = (levels: number): Record<string, unknown> => {
      let spec: Record<string, unknown> = { kind: 'categorical', values: ['a'] };
      for (let level = 0; level < levels; level++) spec = { kind: 'categorical', values: ['a'], conditions: [{ parentValues: ['a'], parameters: { [`c${level}`]: spec } }] };
      return spec;
    };
    validateSearchSpace(space({ root: nested(MAX_CONDITION_DEPTH) }));
    expect(rejection(space({ root: nested(MAX_CONDITION_DEPTH + 1) })).message).toContain(`nest deeper than a search space may (${MAX_CONDITION_DEPTH} levels)`);
  });

  test('refuses a space nested thousands deep as a ValidationError, not a stack overflow', () => {
    const text = `{"version":1,"parameters":{"x":{"kind":"categorical","values":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`;
    expect(() => searchSpaceFromJSON(text)).toThrow(/JSON nested more than 64 levels deep/);
  });

  test('checks long lists in n log n: 1,000 parameters of 1,000 discrete values, and long condition lists', () => {
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`p${index}`, discrete(Array.from({ length: 1000 }, (_, value) => value * 3 + (index % 3)))]));
    const started = performance.now();
    validateSearchSpace(space(wide));
    const values = Array.from({ length: 1000 }, (_, index) => `v${index}`);
    validateSearchSpace(space({ act: categorical(values, { when: [{ parentValues: values, parameters: { child: discrete([1]) } }] }) }));
    // Pairwise comparison took seconds here; sorted, it takes well under one.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(rejection(space({ units: discrete([5, 1, 3, 1 + 1e-12]) })).message).toMatch(/^parameters.units.values\[3\] 1.0+1 repeats values\[1\]/);
    expect(rejection(space({ act: categorical(['a', 'b'], { when: [{ parentValues: ['b', 'b'], parameters: { c: discrete([1]) } }] }) })).field).toBe('parameters.act.conditions[0].parentValues[1]');
  });
});
