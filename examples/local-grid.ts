/**
 * The seed study on this machine, from TypeScript: 27 grid trials of the LeNet-5 trainer, two at a
 * time, on small subsets so it finishes in minutes. Type-checked with the packages
 * (`pnpm typecheck`). After `bash scripts/setup.sh`, run it with
 *
 *   pnpm example local-grid
 *
 * `HPTUNE_MAX_TRIALS=2` runs the first two combinations only (what CI does); `HPTUNE_STUDY_DIR`
 * sets where studies are stored, as for the CLI (default `./hptune`).
 */
import { categorical, discrete, launchStudy, searchSpace, type ParametersOf } from '@hptune/core';
import { lenet5Trainer } from '@hptune/trainer';

const space = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
  batch_size: discrete([32, 64, 128]),
});

const maxTrials = Number(process.env.HPTUNE_MAX_TRIALS ?? 27);
const study = await launchStudy({
  name: `local-grid-${Date.now()}`,
  space,
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  maxTrials,
  parallelTrials: 2,
  maxFailedTrials: Math.min(3, maxTrials),
  ...(process.env.HPTUNE_STUDY_DIR ? { studyDir: process.env.HPTUNE_STUDY_DIR } : {}),
  trainer: lenet5Trainer({ flags: { numEpochs: 1, trainSize: 2048, testSize: 1000, tfjsBackend: 'wasm' } }),
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
