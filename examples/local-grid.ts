/**
 * The seed study on this machine, from TypeScript: 27 grid trials of the LeNet-5 trainer, two at a
 * time, on small subsets so it finishes in minutes. Type-checked with the packages
 * (`pnpm typecheck`); run it on Node 22.6+ with `node --experimental-strip-types examples/local-grid.ts`.
 */
import { categorical, discrete, launchStudy, searchSpace, type ParametersOf } from '@hptune/core';
import { lenet5Trainer } from '@hptune/trainer';

const space = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
  batch_size: discrete([32, 64, 128]),
});

const study = await launchStudy({
  name: `local-grid-${Date.now()}`,
  space,
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  parallelTrials: 2,
  maxFailedTrials: 3,
  trainer: lenet5Trainer({ flags: { numEpochs: 1, trainSize: 2048, testSize: 1000, backend: 'wasm' } }),
});

study.on('trialCompleted', ({ trial }) => {
  const accuracy = trial.finalMeasurement?.metrics.accuracy;
  console.log(`trial ${trial.id} ${trial.state} ${JSON.stringify(trial.parameters)} accuracy=${accuracy ?? '-'}`);
});

const { best } = await study.wait();
if (best) {
  // The parameters are typed from the space: activation is 'relu' | 'softmax' | 'leakyrelu'.
  const parameters: ParametersOf<typeof space> = best.parameters;
  console.log(`best: trial ${best.id}, ${parameters.activation}/${parameters.optimizer}/${parameters.batch_size}`);
}
