#!/usr/bin/env node
// `pnpm bench`: training images/s for a full LeNet-5 train step (forward, backward, optimizer
// update; batch 64, relu, adam) on every TensorFlow.js backend this machine can load, using the
// built @hptune/trainer. Run: pnpm bench (builds first), or node scripts/bench.mjs after a build.
import { availableParallelism, cpus } from 'node:os';
import { measureTrainStepThroughput } from '../packages/trainer/dist/training.js';

/** Timed steps per backend: the native ones are fast, the plain JavaScript one is not. */
const STEPS = { 'tfjs-node-gpu': 100, 'tfjs-node': 50, wasm: 30, cpu: 5 };
const batchSize = 64;

console.log(`machine: ${availableParallelism()} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`);
console.log(`training throughput: full train step, LeNet-5 relu/adam, batch ${batchSize}, real MNIST batches`);
for (const [backend, steps] of Object.entries(STEPS)) {
  const label = backend.padEnd(14);
  try {
    const result = await measureTrainStepThroughput({ backend, batchSize, activation: 'relu', optimizer: 'adam', steps, warmupSteps: backend === 'cpu' ? 1 : 3 });
    console.log(`  ${label}${Math.round(result.imagesPerSecond).toLocaleString('en-US').padStart(7)} images/s  (${result.millisecondsPerStep.toFixed(1)} ms/step over ${steps} steps)`);
  } catch (error) {
    if (error?.code !== 'BACKEND_UNAVAILABLE') throw error;
    console.log(`  ${label}    not available: ${error.message.replace(/^--tfjs-backend "[^"]+" cannot be used: /, '').split(';')[0]}`);
  }
}
