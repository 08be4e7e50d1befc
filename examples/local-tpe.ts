/**
 * LeNet-5 tuned with TPE on this machine: activation, optimizer, batch size and the learning rate
 * on a log scale (every hyperparameter the trainer takes as a flag), 20 trials, two at a time, on
 * small subsets so it finishes in minutes. The same space as `examples/spaces/lenet5-wide.json`,
 * which `hptune study run --algorithm tpe --space examples/spaces/lenet5-wide.json` takes.
 * Type-checked with the packages (`pnpm typecheck`). After `bash scripts/setup.sh`, run it with
 *
 *   pnpm example local-tpe
 *
 * `HPTUNE_MAX_TRIALS=2` runs two trials only (what CI does); `HPTUNE_STUDY_DIR` sets where studies
 * are stored, as for the CLI (default `./hptune`).
 */
import { categorical, discrete, double, launchStudy, searchSpace } from '@hptune/core';
import { lenet5Trainer } from '@hptune/trainer';

const space = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
  batch_size: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
  learning_rate: double(1e-4, 1e-1, { scale: 'log' }),
});

const study = await launchStudy({
  name: `local-tpe-${Date.now()}`,
  space,
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'tpe',
  maxTrials: Number(process.env.HPTUNE_MAX_TRIALS ?? 20),
  parallelTrials: 2,
  seed: 7,
  ...(process.env.HPTUNE_STUDY_DIR ? { studyDir: process.env.HPTUNE_STUDY_DIR } : {}),
  trainer: lenet5Trainer({ flags: { numEpochs: 1, trainSize: 2048, testSize: 1000, tfjsBackend: 'wasm' } }),
});

study.on('trialCompleted', ({ trial }) => {
  const accuracy = trial.finalMeasurement?.metrics.accuracy;
  console.log(`trial ${trial.id} ${trial.state} ${JSON.stringify(trial.parameters)} accuracy=${accuracy ?? '-'}`);
});

const { best } = await study.wait();
if (best) console.log(`best: trial ${best.id}, learning rate ${best.parameters.learning_rate.toPrecision(3)} with ${best.parameters.optimizer}`);
