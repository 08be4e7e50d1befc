import { describe, expectTypeOf, test } from 'vitest';
import type { SearchSpace, TrialParameters } from './types.js';
import { categorical, discrete, double, integer, searchSpace, type ParametersOf } from './builder.js';
import { exampleSearchSpace } from '../testing/example-space.js';

describe('ParametersOf', () => {
  test('infers literal unions for categorical and discrete parameters without `as const`', () => {
    const space = searchSpace({
      activation: categorical(['relu', 'softmax', 'leakyrelu']),
      optimizer: categorical(['sgd', 'adam', 'rmsprop']),
      batch_size: discrete([32, 64, 128]),
      learning_rate: double(1e-4, 1e-1, { scale: 'log' }),
      layers: integer(1, 4),
    });
    expectTypeOf(space).toExtend<SearchSpace>();
    type P = ParametersOf<typeof space>;
    expectTypeOf<P['activation']>().toEqualTypeOf<'relu' | 'softmax' | 'leakyrelu'>();
    expectTypeOf<P>().toEqualTypeOf<{
      readonly activation: 'relu' | 'softmax' | 'leakyrelu';
      readonly optimizer: 'sgd' | 'adam' | 'rmsprop';
      readonly batch_size: 32 | 64 | 128;
      readonly learning_rate: number;
      readonly layers: number;
    }>();
    expectTypeOf<P>().toExtend<TrialParameters>();
  });

  test('the example space infers its three parameters', () => {
    expectTypeOf<ParametersOf<typeof exampleSearchSpace>>().toEqualTypeOf<{
      readonly activation: 'relu' | 'softmax' | 'leakyrelu';
      readonly optimizer: 'sgd' | 'adam' | 'rmsprop';
      readonly batch_size: 32 | 64 | 128;
    }>();
  });

  test('conditional children, at any depth, are optional', () => {
    const space = searchSpace({
      optimizer: categorical(['sgd', 'adam'], {
        when: [
          {
            parentValues: ['sgd'],
            parameters: {
              momentum: double(0, 0.99),
              nesterov: categorical(['yes', 'no'], { when: [{ parentValues: ['yes'], parameters: { dampening: discrete([0, 0.1]) } }] }),
            },
          },
        ],
      }),
      layers: integer(1, 3, { when: [{ parentValues: [2, 3], parameters: { width: discrete([64, 128]) } }] }),
    });
    expectTypeOf(space).toExtend<SearchSpace>();
    expectTypeOf<ParametersOf<typeof space>>().toEqualTypeOf<{
      readonly optimizer: 'sgd' | 'adam';
      readonly layers: number;
      readonly momentum?: number;
      readonly nesterov?: 'yes' | 'no';
      readonly dampening?: 0 | 0.1;
      readonly width?: 64 | 128;
    }>();
    // so a study's trials can be typed FrozenTrial<ParametersOf<typeof space>>
    expectTypeOf<ParametersOf<typeof space>>().toExtend<TrialParameters>();
  });

  test('a condition on a value the parent cannot take does not compile', () => {
    // @ts-expect-error 'nadam' is not one of the optimizer's values
    categorical(['sgd', 'adam'], { when: [{ parentValues: ['nadam'], parameters: { momentum: double(0, 1) } }] });
    // @ts-expect-error a double parameter cannot have conditional children
    double(0, 1, { when: [{ parentValues: [0.5], parameters: { x: double(0, 1) } }] });
  });

  test('a space typed as the wide SearchSpace gives wide parameters', () => {
    const specs: Record<string, ReturnType<typeof double>> = { x: double(0, 1) };
    const space = searchSpace(specs);
    expectTypeOf(space).toEqualTypeOf<SearchSpace<Record<string, ReturnType<typeof double>>>>();
    expectTypeOf<ParametersOf<typeof space>>().toExtend<TrialParameters>();
  });
});
