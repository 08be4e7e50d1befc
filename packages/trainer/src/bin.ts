#!/usr/bin/env node
import { isTrialHost, serveTrials } from '@hptune/trial';
import { runTrainerCli } from './cli.js';
import { keepImageSetsLoaded } from './data/mnist.js';

const args = process.argv.slice(2);
if (isTrialHost()) {
  // Started by a local study as a trial host: trials one after another, with TensorFlow.js, its
  // kernels, the JIT and MNIST's images warm from the trials before (see `serveTrials`).
  keepImageSetsLoaded();
  await serveTrials(args, (trial) => runTrainerCli(trial.argv, { out: trial.stdout, err: trial.stderr, env: trial.env, signal: trial.signal }));
} else {
  process.exitCode = await runTrainerCli(args);
}
