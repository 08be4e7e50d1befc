#!/usr/bin/env node
// Measures a full LeNet-5 train step (forward, backward, Adam update) on TensorFlow.js's wasm and
// cpu backends with the hptune training kernels installed, and prints images per second.
//
//   node packages/trainer/scripts/profile-train-step.mjs [--backends wasm,cpu] [--batches 32,64,128]
//        [--seconds 2] [--activation relu|leakyrelu|softmax] [--pool avg|max] [--per-kernel]
//        [--baseline] [--tfjs-only]
//
// The model mirrors src/model/lenet5.ts (hidden activation, softmax output, clipped
// cross-entropy) with random images: only the speed is of interest here.
//
// --per-kernel   also prints where the time of one batch-64 step goes, kernel by kernel
//                (time of the kernels tfjs dispatches; work they delegate is counted in them),
//                as wall time and as this process's CPU time, which stays honest when other
//                processes share the machine.
// --baseline     measures the starting point instead: tfjs's own kernels plus only the
//                Conv2DBackpropFilter wasm lacks, in its fallback form (JS im2col + XNNPACK GEMM).
// --tfjs-only    skips the hptune kernels (wasm then fails: it has no Conv2DBackpropFilter).
//
// The kernels are bundled from src/ with tsup on each run, so no package build is needed.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: options } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    batches: { type: 'string', default: '32,64,128' },
    seconds: { type: 'string', default: '2' },
    pool: { type: 'string', default: 'avg' },
    activation: { type: 'string', default: 'relu' },
    'per-kernel': { type: 'boolean', default: false },
    'tfjs-only': { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
  },
});
const backends = options.backends.split(',');
const batches = options.batches.split(',').map(Number);
const seconds = Number(options.seconds);
if (!['avg', 'max'].includes(options.pool)) throw new Error(`--pool must be avg or max, got ${options.pool}`);
if (!['relu', 'leakyrelu', 'softmax'].includes(options.activation)) {
  throw new Error(`--activation must be relu, leakyrelu or softmax, got ${options.activation}`);
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/** Bundles src/backends/kernels into node_modules/.cache so its bare imports resolve from the package. */
async function loadKernels() {
  const { build } = await import('tsup');
  const outDir = join(packageRoot, 'node_modules', '.cache', 'hptune-profile-kernels');
  mkdirSync(outDir, { recursive: true });
  await build({
    entry: {
      kernels: join(packageRoot, 'src/backends/kernels/index.ts'),
      'simd-runtime': join(packageRoot, 'src/backends/kernels/wasm/simd/runtime.ts'),
    },
    splitting: true,
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    external: [/^@tensorflow\//, /^@hptune\//],
  });
  const kernels = await import(pathToFileURL(join(outDir, 'kernels.js')).href);
  const runtime = await import(pathToFileURL(join(outDir, 'simd-runtime.js')).href);
  return { ...kernels, setGeneratedKernelsEnabled: runtime.setGeneratedKernelsEnabled };
}

/** Installs the kernels, or for --baseline only the missing Conv2DBackpropFilter in its fallback form. */
function install(backend) {
  if (kernels === undefined) return [];
  if (!options.baseline) {
    kernels.registerTrainingKernels(backend);
    return kernels.trainingKernelNames(backend);
  }
  const names = kernels.trainingKernelNames(backend);
  const tfjsOwn = new Map(names.map((name) => [name, tf.getKernel(name, backend)]));
  kernels.registerTrainingKernels(backend);
  kernels.setGeneratedKernelsEnabled(false);
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
const kernels = options['tfjs-only'] ? undefined : await loadKernels();

function lenet5() {
  const pool = options.pool === 'avg' ? tf.layers.averagePooling2d : tf.layers.maxPooling2d;
  const model = tf.sequential();
  const activated = (layer) => {
    if (options.activation !== 'leakyrelu') return model.add(layer(options.activation));
    model.add(layer('linear'));
    model.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  };
  activated((activation) =>
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation }),
  );
  model.add(pool({ poolSize: 2, strides: 2 }));
  activated((activation) => tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation }));
  model.add(pool({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  activated((activation) => tf.layers.dense({ units: 120, activation }));
  activated((activation) => tf.layers.dense({ units: 84, activation }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

function crossEntropy(probabilities, labels) {
  const clipped = tf.clipByValue(probabilities, 1e-7, 1 - 1e-7);
  return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.log(clipped)), -1)));
}

function randomBatch(size) {
  const xs = tf.randomUniform([size, 28, 28, 1], 0, 1, 'float32', 7);
  const labels = tf.randomUniform([size], 0, 10, 'int32', 8);
  const ys = tf.tidy(() => tf.oneHot(labels, 10).toFloat());
  labels.dispose();
  return { xs, ys };
}

function trainStep(model, optimizer, xs, ys) {
  const loss = tf.tidy(() =>
    optimizer.minimize(() => crossEntropy(model.apply(xs, { training: true }), ys), true),
  );
  loss.dataSync();
  loss.dispose();
}

/**
 * Throughput for `size` after warm-up, over about `seconds` of wall time split into 5 windows.
 * The best window approximates an idle machine; CPU time counts only this process's work.
 */
function measure(size) {
  const model = lenet5();
  const optimizer = tf.train.adam(1e-3);
  const { xs, ys } = randomBatch(size);
  for (let i = 0; i < 3; i++) trainStep(model, optimizer, xs, ys);
  const windows = [];
  let steps = 0;
  let cpuMs = 0;
  let elapsed = 0;
  for (let w = 0; w < 5; w++) {
    let windowSteps = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() - start < (seconds * 1000) / 5 || windowSteps < 2) {
      trainStep(model, optimizer, xs, ys);
      windowSteps++;
    }
    const windowMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    windows.push((size * windowSteps * 1000) / windowMs);
    steps += windowSteps;
    elapsed += windowMs;
    cpuMs += (cpu.user + cpu.system) / 1000;
  }
  xs.dispose();
  ys.dispose();
  model.dispose();
  optimizer.dispose();
  windows.sort((a, b) => b - a);
  return {
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

function perKernelTable(backend, size) {
  const model = lenet5();
  const optimizer = tf.train.adam(1e-3);
  const { xs, ys } = randomBatch(size);
  for (let i = 0; i < 3; i++) trainStep(model, optimizer, xs, ys);
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
    trainStep(model, optimizer, xs, ys);
    const cpu = process.cpuUsage(cpuStart);
    stepTimes.push(performance.now() - start);
    stepCpuTimes.push((cpu.user + cpu.system) / 1000);
    perStep.push(new Map(tally));
  }
  undo();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const stepMs = median(stepTimes);
  const stepCpuMs = median(stepCpuTimes);
  xs.dispose();
  ys.dispose();
  model.dispose();
  optimizer.dispose();
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

out(
  `LeNet-5 train step (conv 6@5x5 same, ${options.pool} pool, conv 16@5x5 valid, ${options.pool} pool, ` +
    `dense 120-84-10 softmax; ${options.activation}; cross-entropy; Adam)`,
);
const mode = kernels === undefined ? 'off' : options.baseline ? 'baseline' : 'on';
out(`node ${process.version}, tfjs ${tf.version.tfjs}, hptune kernels ${mode}`);
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  const installed = install(backend);
  out(`\n${backend}${installed.length === 0 ? '' : ` (hptune kernels: ${installed.join(', ')})`}`);
  for (const size of batches) {
    const { msPerStep, imagesPerSecond, bestImagesPerSecond, cpuImagesPerSecond } = measure(size);
    out(
      `  batch ${String(size).padStart(4)}: ${msPerStep.toFixed(2).padStart(8)} ms/step ` +
        `${imagesPerSecond.toFixed(0).padStart(6)} images/s; best window ${bestImagesPerSecond.toFixed(0).padStart(6)}; ` +
        `by process CPU time ${cpuImagesPerSecond.toFixed(0).padStart(6)}`,
    );
  }
  if (options['per-kernel']) perKernelTable(backend, 64);
}
