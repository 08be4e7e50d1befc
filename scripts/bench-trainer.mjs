#!/usr/bin/env node
// `pnpm bench:trainer`: how fast the trainer trains LeNet-5, against PyTorch on the same machine.
//
//   pnpm bench:trainer [--rounds 5] [--seconds 1.5] [--batches 32,64,128] [--backends wasm,cpu,tfjs-node]
//                      [--no-torch] [--python /usr/bin/python3] [--full] [--accuracy] [--tree DIR]
//
// 1. images/s of a full train step (forward, backward, optimizer update, loss read back; relu/adam,
//    real MNIST batches) per backend and batch size, by wall time and by this process's CPU time;
// 2. when the Python at --python has torch (Debian's python3-torch), the PyTorch reference in
//    packages/trainer/bench/lenet5_reference.py (same model, data, batch, optimizer; one thread),
//    ALTERNATING with ours, --rounds rounds of --seconds each, medians, and the ratio per batch size;
// 3. every activation x optimizer at batch 64 on wasm against relu/adam (goal: each >= 0.8x);
// --full: one full-MNIST epoch's wall time (two epochs, in a child process: peak RSS and tfjs
//         memory after each epoch), PyTorch's epoch, and the 27-trial quick study's wall time
//         (`hptune study run --quick --max-parallel-trial-count 2`);
// --accuracy: one full epoch on wasm (the trainer's own path) and on the cpu backend through tfjs's
//         gradient tape and optimizer (the reference), same seed; goal: within 0.3 points. Minutes.
//
// The goal's ratio is the wall-clock one (images/s as a user sees them), from medians of
// alternating rounds; the CPU-time ratio is printed beside it because the machine may be shared.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';

const { values: options } = parseArgs({
  options: {
    tree: { type: 'string', default: join(dirname(fileURLToPath(import.meta.url)), '..') },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '1.5' },
    batches: { type: 'string', default: '32,64,128' },
    backends: { type: 'string', default: 'wasm,cpu,tfjs-node' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'no-torch': { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    accuracy: { type: 'boolean', default: false },
    'epoch-child': { type: 'string' },
  },
});

// --tree: the checkout whose built packages are measured (e.g. an older commit's, for a before/after).
const root = options.tree;
const trainerDist = join(root, 'packages/trainer/dist/training.js');
const reference = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages/trainer/bench/lenet5_reference.py');

const out = (line = '') => process.stdout.write(`${line}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value) => (value === undefined || Number.isNaN(value) ? '-' : Math.round(value).toLocaleString('en-US'));
const ratio = (a, b) => (a / b).toFixed(2);
const positive = (name, text) => {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
};

if (options['epoch-child'] !== undefined) {
  await epochChild(JSON.parse(options['epoch-child']));
  process.exit(0);
}

const trainer = await import(trainerDist);
const rounds = Math.round(positive('rounds', options.rounds));
const seconds = positive('seconds', options.seconds);
const batches = options.batches.split(',').map((text) => Math.round(positive('batches', text)));

out(`machine: ${availableParallelism()} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`);
out('LeNet-5 full train step (forward, backward, optimizer update, loss read back), real MNIST batches, one thread');

// 1. Every backend that loads, every batch size.
out('\n1. images/s per backend and batch size, relu/adam (wall clock; by process CPU time in brackets)');
const backends = [];
for (const backend of options.backends.split(',')) {
  const cells = [];
  try {
    for (const batchSize of batches) {
      const slow = backend === 'cpu';
      const result = await trainer.measureTrainStepThroughput({ backend, batchSize, seconds: slow ? Math.max(seconds, 2) : seconds, steps: slow ? 5 : 30, warmupSteps: slow ? 1 : 3 });
      cells.push(`${String(batchSize).padStart(4)}: ${fmt(result.imagesPerSecond).padStart(6)} (${fmt(result.cpuImagesPerSecond)})`);
    }
    backends.push(backend);
    out(`  ${backend.padEnd(10)}${cells.join('   ')}`);
  } catch (error) {
    if (error?.code !== 'BACKEND_UNAVAILABLE') throw error;
    out(`  ${backend.padEnd(10)}not available: ${error.message.replace(/^--tfjs-backend "[^"]+" cannot be used: /, '').split(';')[0]}`);
  }
}

// 2. Against PyTorch, alternating.
const torch = options['no-torch'] ? undefined : await startTorch(options.python);
if (torch === undefined) {
  out(`\n2. PyTorch reference: not run (${options['no-torch'] ? '--no-torch' : `${options.python} has no torch`}).`);
  out('   To compare, install Debian\'s PyTorch: apt-get install -y python3-torch (then /usr/bin/python3 has torch),');
  out('   or pass --python with a Python that has torch 1.13 or later.');
} else {
  out(`\n2. against PyTorch ${torch.version} (CPU, one thread), ${rounds} alternating rounds of ${seconds} s, medians`);
  const samples = new Map(batches.map((batchSize) => [batchSize, { ours: [], oursCpu: [], torch: [], torchCpu: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const batchSize of batches) {
      const sample = samples.get(batchSize);
      const ours = await trainer.measureTrainStepThroughput({ backend: 'wasm', batchSize, seconds, steps: 30, warmupSteps: 3 });
      sample.ours.push(ours.imagesPerSecond);
      sample.oursCpu.push(ours.cpuImagesPerSecond);
      const theirs = await torch.measure({ batchSize, activation: 'relu', optimizer: 'adam', seconds });
      sample.torch.push(theirs.imagesPerSecond);
      sample.torchCpu.push(theirs.cpuImagesPerSecond);
    }
  }
  out('  batch   hptune wasm   PyTorch   ratio  |  by CPU time: hptune   PyTorch   ratio  |  goal (wall ratio)');
  for (const batchSize of batches) {
    const s = samples.get(batchSize);
    const wallRatio = median(s.ours) / median(s.torch);
    const goal = batchSize === 64 ? 1.5 : 1.0;
    out(
      `  ${String(batchSize).padStart(5)}   ${fmt(median(s.ours)).padStart(11)}   ${fmt(median(s.torch)).padStart(7)}   ${wallRatio.toFixed(2).padStart(5)}  |` +
        `  ${fmt(median(s.oursCpu)).padStart(20)}   ${fmt(median(s.torchCpu)).padStart(7)}   ${ratio(median(s.oursCpu), median(s.torchCpu)).padStart(5)}  |` +
        `  >= ${goal.toFixed(1)}: ${wallRatio >= goal ? 'met' : 'NOT met'}`,
    );
  }
}

// 3. Every activation and optimizer against relu/adam, each measured right after relu/adam.
const pairRounds = rounds;
out(`\n3. every activation x optimizer, batch 64 on wasm, against relu/adam measured just before it (${pairRounds} rounds, median ratio)`);
const combinations = [];
for (const activation of ['relu', 'leakyrelu', 'softmax']) for (const optimizer of ['adam', 'rmsprop', 'sgd']) combinations.push({ activation, optimizer });
const pairSeconds = Math.min(seconds, 1);
const ratios = new Map(combinations.map((c) => [`${c.activation}/${c.optimizer}`, { ratios: [], values: [] }]));
for (let round = 0; round < pairRounds; round++) {
  for (const { activation, optimizer } of combinations) {
    const base = await trainer.measureTrainStepThroughput({ backend: 'wasm', batchSize: 64, seconds: pairSeconds, steps: 20, warmupSteps: 3 });
    const result = await trainer.measureTrainStepThroughput({ backend: 'wasm', batchSize: 64, activation, optimizer, seconds: pairSeconds, steps: 20, warmupSteps: 3 });
    const entry = ratios.get(`${activation}/${optimizer}`);
    entry.ratios.push(result.imagesPerSecond / base.imagesPerSecond);
    entry.values.push(result.imagesPerSecond);
  }
}
for (const [name, { ratios: values, values: speeds }] of ratios) {
  const relative = median(values);
  out(`  ${name.padEnd(18)}${fmt(median(speeds)).padStart(7)} images/s   ${relative.toFixed(2)}x relu/adam${relative >= 0.8 ? '' : '   (goal >= 0.8x NOT met)'}`);
}

if (options.full) {
  out('\n4. one full-MNIST epoch (60,000 images, then the 10,000 test images), batch 64, relu/adam, wasm; three epochs in a child process');
  const epochs = await runEpochChild({ backend: 'wasm', epochs: 3, reference: false });
  for (const epoch of epochs.history) {
    out(
      `  epoch ${epoch.epoch}: ${epoch.epochSeconds.toFixed(1)} s (training ${epoch.trainSeconds.toFixed(1)} s, ${fmt(epoch.imagesPerSecond)} images/s), ` +
        `test accuracy ${(epoch.testAccuracy * 100).toFixed(2)}%, RSS ${epoch.rssMiB} MiB (JS heap ${epoch.jsHeapMiB} MiB, wasm heap ${epoch.wasmHeapMiB ?? '-'} MiB), tfjs ${epoch.numTensors} tensors / ${epoch.tfMiB} MiB`,
    );
  }
  out(`  peak RSS of the training process: ${epochs.peakRssMiB} MiB (goal < 500 MiB, no growth across epochs)`);
  if (torch !== undefined) {
    const epoch = runTorchEpoch(options.python);
    out(`  PyTorch, one epoch: ${epoch.epochWallSeconds.toFixed(1)} s training, test accuracy ${(epoch.testAccuracy * 100).toFixed(2)}%`);
  }
  out('\n5. the quick study: hptune study run --quick --max-parallel-trial-count 2 (27 trials)');
  const study = runQuickStudy();
  out(`  ${study.ok ? `${study.seconds.toFixed(1)} s wall` : `failed (exit ${study.status}): ${study.tail}`}`);
}

if (options.accuracy) {
  out('\n6. same learning: test accuracy after one full epoch, seed 42, relu/adam, batch 64');
  const ours = await runEpochChild({ backend: 'wasm', epochs: 1, reference: false });
  out(`  wasm, the trainer's path: ${(ours.history[0].testAccuracy * 100).toFixed(2)}% (${ours.history[0].epochSeconds.toFixed(1)} s)`);
  out('  cpu reference (tfjs gradient tape and optimizer): running, a few minutes...');
  const cpu = await runEpochChild({ backend: 'cpu', epochs: 1, reference: true });
  out(`  cpu reference: ${(cpu.history[0].testAccuracy * 100).toFixed(2)}% (${cpu.history[0].epochSeconds.toFixed(1)} s)`);
  const points = Math.abs(ours.history[0].testAccuracy - cpu.history[0].testAccuracy) * 100;
  out(`  difference: ${points.toFixed(2)} points (goal <= 0.3): ${points <= 0.3 ? 'met' : 'NOT met'}`);
}

torch?.close();

/** Starts the PyTorch reference as a server answering one measurement per request line; undefined without torch. */
async function startTorch(python) {
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const child = spawn(python, [reference, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the PyTorch reference (${reference}) stopped`);
    return JSON.parse(value);
  };
  const ready = await next();
  return {
    version: ready.torch,
    async measure(request) {
      child.stdin.write(`${JSON.stringify(request)}\n`);
      return next();
    },
    close() {
      child.stdin.end();
    },
  };
}

function runTorchEpoch(python) {
  const result = spawnSync(python, [reference, '--epoch'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`PyTorch epoch failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/** Runs {@link epochChild} in a fresh Node process (its memory is the training process' own). */
async function runEpochChild(settings) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--tree', root, '--epoch-child', JSON.stringify(settings)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`epoch child failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

/** Trains full MNIST for `epochs` epochs and prints the history with memory figures, as JSON. */
async function epochChild({ backend, epochs, reference: isReference }) {
  const { createRequire } = await import('node:module');
  const trainerModule = await import(trainerDist);
  const tf = await import(createRequire(trainerDist).resolve('@tensorflow/tfjs'));
  await trainerModule.selectBackend({ choice: backend });
  const data = trainerModule.loadMnist({ seed: 42 });
  const model = trainerModule.buildLenet5({ activation: 'relu', seed: 42 });
  const optimizer = trainerModule.createOptimizer('adam', 0.001, { fused: !isReference });
  const memory = [];
  const mib = (bytes) => Math.round(bytes / 2 ** 20);
  const history = await trainerModule.runTrainingLoop({
    model,
    optimizer,
    learningRate: 0.001,
    data,
    batchSize: 64,
    numEpochs: epochs,
    seed: 42,
    gradients: isReference ? 'tape' : 'auto',
    observers: [
      {
        onEpochEnd: () => {
          const usage = process.memoryUsage();
          const wasmHeap = tf.backend()?.wasm?.HEAPU8?.byteLength;
          memory.push({ rssMiB: mib(usage.rss), jsHeapMiB: mib(usage.heapUsed), wasmHeapMiB: wasmHeap === undefined ? undefined : mib(wasmHeap), numTensors: tf.memory().numTensors, tfMiB: mib(tf.memory().numBytes) });
        },
      },
    ],
  });
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  model.dispose();
  optimizer.dispose();
  process.stdout.write(`${JSON.stringify({ peakRssMiB, history: history.map((epoch, i) => ({ ...epoch, ...memory[i] })) })}\n`);
}

function runQuickStudy() {
  const studyDir = mkdtempSync(join(tmpdir(), 'hptune-bench-study-'));
  try {
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      [join(root, 'packages/cli/dist/bin.js'), 'study', 'run', '--quick', '--max-parallel-trial-count', '2', '--study-dir', studyDir, '--name', 'bench-quick'],
      { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, CI: '1' } },
    );
    return { ok: result.status === 0, status: result.status, seconds: (performance.now() - started) / 1000, tail: `${result.stdout}${result.stderr}`.slice(-400) };
  } finally {
    rmSync(studyDir, { recursive: true, force: true });
  }
}
