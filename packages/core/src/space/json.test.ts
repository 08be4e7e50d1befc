import { describe, expect, test } from 'vitest';
import { ValidationError } from '../errors.js';
import { categorical, discrete, double, integer, searchSpace } from './builder.js';
import { enumerateGrid } from './grid.js';
import { searchSpaceFromJSON, searchSpaceToJSON } from './json.js';
import { exampleSearchSpace } from '../testing/example-space.js';

const everyKind = searchSpace({
  optimizer: categorical(['sgd', 'adam'], {
    when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99), nesterov: categorical(['on', 'off']) } }],
  }),
  layers: integer(1, 8, { scale: 'log', when: [{ parentValues: [2, 3], parameters: { width: discrete([64, 128]) } }] }),
  dropout: discrete([0.5, 0.1, 0.25]),
  learning_rate: double(1e-4, 0.1, { scale: 'reverse-log' }),
});

describe('searchSpaceToJSON / searchSpaceFromJSON', () => {
  test('the example space is written as versioned plain JSON, in declaration order', () => {
    expect(JSON.stringify(searchSpaceToJSON(exampleSearchSpace))).toBe(
      '{"version":1,"parameters":{"activation":{"kind":"categorical","values":["relu","softmax","leakyrelu"]},' +
        '"optimizer":{"kind":"categorical","values":["sgd","adam","rmsprop"]},' +
        '"batch_size":{"kind":"discrete","values":[32,64,128],"scale":"linear"}}}',
    );
  });

  test('a space with every kind and nested conditions survives the round trip through text exactly', () => {
    const text = JSON.stringify(searchSpaceToJSON(everyKind));
    const back = searchSpaceFromJSON(text);
    expect(back).toEqual(everyKind);
    expect(Object.keys(back.parameters)).toEqual(['optimizer', 'layers', 'dropout', 'learning_rate']);
    expect(searchSpaceFromJSON(JSON.parse(text))).toEqual(everyKind);
    // the read-back space enumerates the same grid
    const discreteOnly = searchSpace({ a: categorical(['x', 'y'], { when: [{ parentValues: ['y'], parameters: { b: integer(1, 2) } }] }) });
    expect([...enumerateGrid(searchSpaceFromJSON(JSON.stringify(searchSpaceToJSON(discreteOnly))))]).toEqual([...enumerateGrid(discreteOnly)]);
  });

  test('a numeric spec without a scale reads as linear', () => {
    expect(searchSpaceFromJSON({ version: 1, parameters: { lr: { kind: 'double', min: 0, max: 1 } } })).toEqual({
      parameters: { lr: { kind: 'double', min: 0, max: 1, scale: 'linear' } },
    });
  });

  test.each([
    ['text that is not JSON', '{"version":1,', 'searchSpace', 'is not valid JSON'],
    ['an array', [], 'searchSpace', 'is not a search space object'],
    ['a missing version', { parameters: {} }, 'version', 'is not a search-space format this hptune reads'],
    ['a future version', { version: 2, parameters: {} }, 'version', 'is not a search-space format this hptune reads'],
    ['an unknown top-level field', { version: 1, parameters: { a: { kind: 'categorical', values: ['x'] } }, seed: 1 }, 'seed', 'is not a field of a search space'],
    ['parameters as a list', { version: 1, parameters: [{ id: 'a' }] }, 'parameters', 'is not an object of parameter specs by id'],
    ['a bad value deep inside', { version: 1, parameters: { a: { kind: 'categorical', values: ['x'], conditions: [{ parentValues: ['x'], parameters: { b: { kind: 'discrete', values: [1, 'two'] } } }] } } }, 'parameters.a.conditions[0].parameters.b.values[1]', 'is not a finite number'],
    ['a scale on a categorical', { version: 1, parameters: { a: { kind: 'categorical', values: ['x'], scale: 'log' } } }, 'parameters.a.scale', 'is not a field of a categorical parameter'],
    ['a string bound', { version: 1, parameters: { lr: { kind: 'double', min: '0', max: 1 } } }, 'parameters.lr.min', 'is not a finite number'],
  ])('rejects %s, naming the path', (_name, input, field, problem) => {
    let caught: unknown;
    try {
      searchSpaceFromJSON(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
    expect((caught as ValidationError).message).toContain(problem);
  });

  test('refuses to write an invalid space', () => {
    expect(() => searchSpaceToJSON({ parameters: { a: { kind: 'categorical', values: [] } } })).toThrow(/parameters\.a\.values \[\] is empty/);
  });
});
