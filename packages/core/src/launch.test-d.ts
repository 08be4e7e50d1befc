import { expectTypeOf, test } from 'vitest';
import { exampleSearchSpace } from './testing/example-space.js';
import { launchStudy } from './launch.js';

test('a study handle types trial parameters from the search space', async () => {
  const study = await launchStudy({
    name: 'typed',
    space: exampleSearchSpace,
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    trainer: { command: 'node', args: ['train.js'] },
  });
  const best = study.best();
  expectTypeOf(best?.parameters.activation).toEqualTypeOf<'relu' | 'softmax' | 'leakyrelu' | undefined>();
  expectTypeOf(best?.parameters.batch_size).toEqualTypeOf<32 | 64 | 128 | undefined>();
  study.on('trialCompleted', ({ trial }) => {
    expectTypeOf(trial.parameters.optimizer).toEqualTypeOf<'sgd' | 'adam' | 'rmsprop'>();
  });
  const { trials } = await study.wait();
  expectTypeOf(trials[0]?.parameters.optimizer).toEqualTypeOf<'sgd' | 'adam' | 'rmsprop' | undefined>();
});
