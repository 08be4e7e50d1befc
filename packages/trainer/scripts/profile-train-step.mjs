#!/usr/bin/env node
// Measures a full LeNet-5 train step (forward, backward, optimizer update, loss read back) on
// TensorFlow.js's wasm and cpu backends, with the trainer's own model, optimizer and step, on
// real MNIST batches, and prints images per second; optionally where the time goes, kernel by kernel.
//
//   node packages/trainer/scripts/profile-train-step.mjs [--backends wasm,cpu] [--batches 32,64,128]
//        [--seconds 2] [--activation relu|leakyrelu|softmax] [--optimizer adam|rmsprop|sgd]
//        [--per-kernel] [--baseline] [--tfjs-only] [--stock-optimizer] [--tape] [--no-fma] [--cold]
//
// --per-kernel       also prints where the time of one step goes, kernel by kernel, per batch size
//                    (time of the kernels tfjs dispatches; work they delegate is counted in them),
//                    as wall time and as this process's CPU time, which stays honest when other
//                    processes share the machine.
// --baseline         measures the starting point instead: tfjs's own kernels plus only the
//                    Conv2DBackpropFilter wasm lacks, in its fallback form (JS im2col + XNNPACK GEMM).
// --tfjs-only        skips the hptune kernels (wasm then fails: it has no Conv2DBackpropFilter).
// --stock-optimizer  tfjs's own optimizer instead of the fused one.
// --tape             gradients through tfjs's gradient tape instead of the explicit backward pass.
// --no-fma           generated kernels multiply and add as two instructions, not relaxed SIMD's
//                    fused multiply-add (setFusedMultiplyAddEnabled(false)).
// --cold             measures the warm-up instead: the first 600 steps of the first backend and
//                    batch size in this fresh process, in blocks of 50 (wall and CPU time per
//                    step), and the CPU they took above the last 200 steps' rate. What every trial
//                    pays at start, since a study runs each trial in its own process.
//
// The trainer is bundled from src/ with tsup on each run, so no package build is needed.
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { bundleSource } from './bundle-source.mjs';

const { values: options } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    batches: { type: 'string', default: '32,64,128' },
    seconds: { type: 'string', default: '2' },
    activation: { type: 'string', default: 'relu' },
    optimizer: { type: 'string', default: 'adam' },
    'per-kernel': { type: 'boolean', default: false },
    'tfjs-only': { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    'stock-optimizer': { type: 'boolean', default: false },
    tape: { type: 'boolean', default: false },
    'no-fma': { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
  },
});
const backends = options.backends.split(',');
const batches = options.batches.split(',').map(Number);
const seconds = Number(options.seconds);
if (!['relu', 'leakyrelu', 'softmax'].includes(options.activation)) {
  throw new Error(`--activation must be relu, leakyrelu or softmax, got ${options.activation}`);
}
if (!['adam', 'rmsprop', 'sgd'].includes(options.optimizer)) {
  throw new Error(`--optimizer must be adam, rmsprop or sgd, got ${options.optimizer}`);
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/** The trainer's modules this script drives, bundled from src/. */
async function loadTrainer() {
  const { trainer, settings, step, batches: batchesModule, kernels, runtime } = await bundleSource('hptune-profile-trainer', {
    trainer: 'src/training.ts',
    settings: 'src/settings.ts',
    step: 'src/train/step.ts',
    batches: 'src/data/batches.ts',
    kernels: 'src/backends/kernels/index.ts',
    runtime: 'src/backends/kernels/wasm/simd/runtime.ts',
  });
  return {
    ...trainer,
    ...settings,
    ...step,
    ...batchesModule,
    kernels,
    setGeneratedKernelsEnabled: runtime.setGeneratedKernelsEnabled,
    setFusedMultiplyAddEnabled: runtime.setFusedMultiplyAddEnabled,
  };
}

/** Installs the kernels, or for --baseline only the missing Conv2DBackpropFilter in its fallback form. */
function install(backend) {
  if (options['tfjs-only']) return [];
  const kernels = trainer.kernels;
  if (!options.baseline) {
    kernels.registerTrainingKernels(backend);
    return kernels.trainingKernelNames(backend);
  }
  const names = kernels.trainingKernelNames(backend);
  const tfjsOwn = new Map(names.map((name) => [name, tf.getKernel(name, backend)]));
  kernels.registerTrainingKernels(backend);
  trainer.setGeneratedKernelsEnabled(false);
  for (const name of names) {
    if (name === 'Conv2DBackpropFilter') continue;
    tf.unregisterKernel(name, backend);
    const own = tfjsOwn.get(name);
    if (own !== undefined) tf.registerKernel(own);
  }
  return ['Conv2DBackpropFilter (fallback form)'];
}

const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
tf.enableProdMode();
const trainer = await loadTrainer();
if (options['no-fma']) trainer.setFusedMultiplyAddEnabled(false);
const data = trainer.loadMnist({ trainSize: 128 * 8, testSize: 1, seed: 42 });

function setUp(size) {
  const model = trainer.buildLenet5({ activation: options.activation, seed: 42 });
  const rate = trainer.DEFAULT_LEARNING_RATES[options.optimizer];
  const optimizer = options['stock-optimizer']
    ? { adam: () => tf.train.adam(rate, 0.9, 0.999, 1e-8), rmsprop: () => tf.train.rmsprop(rate, 0.99, 0, 1e-8), sgd: () => tf.train.sgd(rate) }[options.optimizer]()
    : trainer.createOptimizer(options.optimizer, rate);
  const step = trainer.createTrainStep(model, optimizer, { gradients: options.tape ? 'tape' : 'auto' });
  const batches = [...trainer.batchesOf(data.train, { batchSize: size })].filter((batch) => batch.size === size);
  let index = 0;
  const next = () => step(batches[index++ % batches.length]);
  const tearDown = () => {
    step.dispose?.();
    model.dispose();
    optimizer.dispose();
  };
  return { next, tearDown, optimizerName: optimizer.getClassName() };
}

/**
 * Throughput for `size` after warm-up, over about `seconds` of wall time split into 5 windows.
 * The best window approximates an idle machine; CPU time counts only this process's work.
 */
async function measure(size) {
  const { next, tearDown, optimizerName } = setUp(size);
  for (let i = 0; i < 3; i++) await next();
  const windows = [];
  let steps = 0;
  let cpuMs = 0;
  let elapsed = 0;
  for (let w = 0; w < 5; w++) {
    let windowSteps = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - start < (seconds * 1000) / 5 || windowSteps < 2) {
      await next();
      windowSteps++;
    }
    const windowMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    windows.push((size * windowSteps * 1000) / windowMs);
    steps += windowSteps;
    elapsed += windowMs;
    cpuMs += (cpu.user + cpu.system) / 1000;
  }
  tearDown();
  windows.sort((a, b) => b - a);
  return {
    optimizerName,
    msPerStep: elapsed / steps,
    imagesPerSecond: (size * steps * 1000) / elapsed,
    bestImagesPerSecond: windows[0],
    cpuImagesPerSecond: (size * steps * 1000) / cpuMs,
  };
}
/** Wraps every kernel of `backend` with a timer (outermost calls only); returns the per-step tally and an undo. */
function instrument(backend) {
  const tally = new Map();
  const configs = tf.getKernelsForBackend(backend);
  let depth = 0;
  for (const config of configs) {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return config.kernelFunc(args);
        depth++;
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        try {
          return config.kernelFunc(args);
        } finally {
          depth--;
          const cpu = process.cpuUsage(cpuStart);
          const entry = tally.get(config.kernelName) ?? { ms: 0, cpuMs: 0, calls: 0 };
          entry.ms += performance.now() - start;
          entry.cpuMs += (cpu.user + cpu.system) / 1000;
          entry.calls++;
          tally.set(config.kernelName, entry);
        }
      },
    });
  }
  const undo = () => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  };
  return { tally, undo };
}

async function perKernelTable(backend, size) {
  const { next, tearDown } = setUp(size);
  for (let i = 0; i < 3; i++) await next();
  const { tally, undo } = instrument(backend);
  // Medians over steps, so a step slowed by another process on the machine does not skew the table.
  const steps = 15;
  const perStep = [];
  const stepTimes = [];
  const stepCpuTimes = [];
  for (let i = 0; i < steps; i++) {
    tally.clear();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await next();
    const cpu = process.cpuUsage(cpuStart);
    stepTimes.push(performance.now() - start);
    stepCpuTimes.push((cpu.user + cpu.system) / 1000);
    perStep.push(new Map(tally));
  }
  undo();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const stepMs = median(stepTimes);
  const stepCpuMs = median(stepCpuTimes);
  tearDown();
  const names = new Set(perStep.flatMap((step) => [...step.keys()]));
  const rows = [...names]
    .map((name) => ({
      name,
      ms: median(perStep.map((step) => step.get(name)?.ms ?? 0)),
      cpuMs: median(perStep.map((step) => step.get(name)?.cpuMs ?? 0)),
      calls: median(perStep.map((step) => step.get(name)?.calls ?? 0)),
    }))
    .sort((a, b) => b.cpuMs - a.cpuMs);
  const kernelMs = rows.reduce((sum, row) => sum + row.ms, 0);
  const kernelCpuMs = rows.reduce((sum, row) => sum + row.cpuMs, 0);
  out(
    `  per-kernel, batch ${size} (medians of ${steps} steps): ${stepMs.toFixed(2)} ms/step wall ` +
      `(${stepCpuMs.toFixed(2)} CPU), of which kernels ${kernelMs.toFixed(2)} wall (${kernelCpuMs.toFixed(2)} CPU)`,
  );
  out(`  ${'kernel'.padEnd(24)} ${'wall ms'.padStart(8)} ${'CPU ms'.padStart(8)} ${'calls'.padStart(6)}`);
  for (const row of rows.slice(0, 16)) {
    out(
      `  ${row.name.padEnd(24)} ${row.ms.toFixed(3).padStart(8)} ${row.cpuMs.toFixed(3).padStart(8)} ${String(row.calls).padStart(6)}`,
    );
  }
}

/** The first 600 steps of `size` in this process, in blocks of 50: V8's warm-up of the kernels and the JavaScript around them. */
async function coldStart(size) {
  const { next, tearDown } = setUp(size);
  const BLOCK = 50;
  const blocks = [];
  for (let b = 0; b < 12; b++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < BLOCK; i++) await next();
    const cpu = process.cpuUsage(cpuStart);
    blocks.push({ ms: (performance.now() - start) / BLOCK, cpuMs: (cpu.user + cpu.system) / 1000 / BLOCK });
  }
  tearDown();
  const steady = blocks.slice(-4).reduce((sum, block) => sum + block.cpuMs, 0) / 4;
  const excess = blocks.reduce((sum, block) => sum + (block.cpuMs - steady) * BLOCK, 0);
  out(`  batch ${size}, steps in blocks of ${BLOCK} from a cold start: ms/step wall (CPU)`);
  out(`  ${blocks.map((block, b) => `${b * BLOCK + 1}-${(b + 1) * BLOCK}: ${block.ms.toFixed(2)} (${block.cpuMs.toFixed(2)})`).join(', ')}`);
  out(`  warm-up: ${excess.toFixed(0)} ms of CPU above the last ${4 * BLOCK} steps' ${steady.toFixed(2)} ms/step`);
}

out(
  `LeNet-5 train step (the trainer's model, optimizer and step on real MNIST batches; ` +
    `${options.activation}; ${options.optimizer}${options['stock-optimizer'] ? ' (tfjs stock)' : ''}; ` +
    `gradients by ${options.tape ? "tfjs's tape" : 'the explicit backward pass where supported'})`,
);
const mode = options['tfjs-only'] ? 'off' : options.baseline ? 'baseline' : 'on';
out(`node ${process.version}, tfjs ${tf.version.tfjs}, hptune kernels ${mode}${options['no-fma'] ? ', fused multiply-add off' : ''}`);
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  const installed = install(backend);
  out(`\n${backend}${installed.length === 0 ? '' : ` (hptune kernels: ${installed.join(', ')})`}`);
  if (options.cold) {
    await coldStart(batches[0]);
    break;
  }
  for (const size of batches) {
    const { optimizerName, msPerStep, imagesPerSecond, bestImagesPerSecond, cpuImagesPerSecond } = await measure(size);
    out(
      `  batch ${String(size).padStart(4)}: ${msPerStep.toFixed(2).padStart(8)} ms/step ` +
        `${imagesPerSecond.toFixed(0).padStart(6)} images/s; best window ${bestImagesPerSecond.toFixed(0).padStart(6)}; ` +
        `by process CPU time ${cpuImagesPerSecond.toFixed(0).padStart(6)} (${optimizerName})`,
    );
  }
  if (options['per-kernel']) for (const size of batches) await perKernelTable(backend, size);
}
