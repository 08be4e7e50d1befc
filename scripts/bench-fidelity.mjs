#!/usr/bin/env node
// `pnpm bench:fidelity`: does hptune's trainer reach the accuracy the same model reaches in PyTorch?
//
//   pnpm bench:fidelity [--epochs 1] [--train-size N] [--only softmax/rmsprop/32,relu/adam/64 (run in that order)]
//                       [--seed 42] [--python /usr/bin/python3] [--sections lockstep,epochs]
//
// 1. lockstep (seconds): for each activation x optimizer, the trainer's initial weights are copied
//    into the PyTorch model and both take 8 steps on the same 640 images (one batch, so order does
//    not matter); prints the loss before each step in both and the largest relative difference.
//    This isolates the arithmetic (initialization scale aside): equal losses mean equal training.
// 2. epochs (long): for each of the seed study's 27 combinations (activation x optimizer x batch size), trains LeNet-5
// with the built trainer (wasm backend, the trainer's own path) and with the PyTorch reference in
// packages/trainer/bench/lenet5_reference.py (same model, PyTorch's default initialization and
// optimizer settings, the trainer's learning rates; one thread, one process for the whole run),
// side by side: the two runs of a combination go at the same time. Prints each framework's table of test
// accuracy after the last epoch, the differences in points, and the largest difference.
// Goal: every combination within 3 points of PyTorch, or both at chance (below 15%).
//
// Both use the same seed but not the same random numbers (initial weights, shuffling; with
// --train-size, also which images), so a difference of a point or two is noise.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const ACTIVATIONS = ['relu', 'softmax', 'leakyrelu'];
const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'];
const BATCH_SIZES = [32, 64, 128];
const GOAL_POINTS = 3;
const CHANCE = 0.15;

const { values: options } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    'train-size': { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string', default: '42' },
    python: { type: 'string', default: '/usr/bin/python3' },
    sections: { type: 'string', default: 'lockstep,epochs' },
  },
});
const sections = new Set(options.sections.split(','));
if (![...sections].every((section) => section === 'lockstep' || section === 'epochs')) throw new Error(`--sections: lockstep, epochs or both, got ${options.sections}`);

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const reference = join(root, 'packages/trainer/bench/lenet5_reference.py');
const out = (line = '') => process.stdout.write(`${line}\n`);
const positiveInteger = (name, text) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
};
const epochs = positiveInteger('epochs', options.epochs);
const trainSize = options['train-size'] === undefined ? undefined : positiveInteger('train-size', options['train-size']);
const seed = positiveInteger('seed', options.seed);
const all = ACTIVATIONS.flatMap((activation) => OPTIMIZERS.flatMap((optimizer) => BATCH_SIZES.map((batchSize) => ({ activation, optimizer, batchSize }))));
const keyOf = ({ activation, optimizer, batchSize }) => `${activation}/${optimizer}/${batchSize}`;
const wanted = options.only === undefined ? undefined : new Set(options.only.split(','));
// In --only's order when given (the tables keep theirs).
const combinations = wanted === undefined ? all : [...wanted].map((key) => all.find((combination) => keyOf(combination) === key)).filter((combination) => combination !== undefined);
if (wanted !== undefined && combinations.length !== wanted.size) {
  throw new Error(`--only: unknown combination in ${options.only}; write each as activation/optimizer/batch, e.g. softmax/rmsprop/32`);
}

const torchCheck = spawnSync(options.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
if (torchCheck.status !== 0) {
  out(`PyTorch reference: ${options.python} cannot import torch.`);
  out("Install Debian's PyTorch (apt-get install -y python3-torch, then /usr/bin/python3 has it) or pass --python.");
  process.exit(1);
}
const { mnistDataDir, train } = await import(join(root, 'packages/trainer/dist/index.js'));
const torch = await startTorch();

out(`machine: ${availableParallelism()} CPU cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}; Node ${process.version}, PyTorch ${torchCheck.stdout.trim()}`);
if (sections.has('lockstep')) await runLockstep();
if (!sections.has('epochs')) {
  torch.close();
  process.exit(0);
}

out(
  `\n2. LeNet-5, ${epochs} epoch${epochs === 1 ? '' : 's'} on ${trainSize === undefined ? 'all 60,000' : trainSize.toLocaleString('en-US')} training images, ` +
    `test accuracy on all 10,000 test images, seed ${seed}, ${combinations.length} combination${combinations.length === 1 ? '' : 's'}`,
);
const results = new Map();
const started = performance.now();
for (const combination of combinations) {
  const [ours, theirs] = await Promise.all([trainOurs(combination), torch.train(combination)]);
  results.set(keyOf(combination), { ours, theirs });
  out(`  ${keyOf(combination).padEnd(22)} hptune ${percent(ours)}  PyTorch ${percent(theirs)}  (${((performance.now() - started) / 1000).toFixed(0)} s so far)`);
}

torch.close();

out();
printTable('hptune (TensorFlow.js, wasm), test accuracy %', (result) => percent(result.ours));
printTable('PyTorch reference, test accuracy %', (result) => percent(result.theirs));
printTable('difference, points (hptune - PyTorch)', (result) => signedPoints(result.ours - result.theirs));

let largest;
const missed = [];
for (const [key, { ours, theirs }] of results) {
  const difference = Math.abs(ours - theirs) * 100;
  if (largest === undefined || difference > largest.difference) largest = { key, difference };
  const bothAtChance = ours < CHANCE && theirs < CHANCE;
  if (difference > GOAL_POINTS && !bothAtChance) missed.push(key);
}
out();
out(`largest difference: ${largest.difference.toFixed(2)} points (${largest.key})`);
out(
  missed.length === 0
    ? `goal met: every combination within ${GOAL_POINTS} points of PyTorch or both at chance`
    : `goal missed by ${missed.length} combination${missed.length === 1 ? '' : 's'} (over ${GOAL_POINTS} points, not both at chance): ${missed.join(', ')}`,
);
out(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);

/** Test accuracy after the last epoch with the trainer as a study runs it (wasm). */
async function trainOurs({ activation, optimizer, batchSize }) {
  const outputDir = mkdtempSync(join(tmpdir(), 'hptune-fidelity-'));
  const discard = { write: () => true };
  try {
    const result = await train({
      activation,
      optimizer,
      batchSize,
      numEpochs: epochs,
      seed,
      backend: 'wasm',
      ...(trainSize === undefined ? {} : { trainSize }),
      outputDir,
      env: {},
      out: discard,
      err: discard,
      progress: 'none',
    });
    return result.testAccuracy;
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** Section 1: both frameworks from the same weights on the same batch, step by step. */
async function runLockstep() {
  const images = 640;
  const steps = 8;
  const dataDir = mkdtempSync(join(tmpdir(), 'hptune-fidelity-data-'));
  const source = mnistDataDir();
  const cut = (name, count, itemBytes, headerBytes) => {
    const bytes = Buffer.from(readFileSync(join(source, name)).subarray(0, headerBytes + count * itemBytes));
    bytes.writeUInt32BE(count, 4);
    writeFileSync(join(dataDir, name), bytes);
  };
  cut('train-images-idx3-ubyte', images, 784, 16);
  cut('train-labels-idx1-ubyte', images, 1, 8);
  cut('t10k-images-idx3-ubyte', 100, 784, 16);
  cut('t10k-labels-idx1-ubyte', 100, 1, 8);
  out(`\n1. lockstep: the trainer's initial weights (seed ${seed}) in both, ${steps} steps on MNIST's first ${images} training images as one batch; loss before each step`);
  let largest = { relative: 0, key: '' };
  try {
    for (const activation of ACTIVATIONS) {
      for (const optimizer of OPTIMIZERS) {
        let weights;
        const losses = [];
        const outputDir = mkdtempSync(join(tmpdir(), 'hptune-fidelity-'));
        const discard = { write: () => true };
        await train({
          activation,
          optimizer,
          batchSize: images,
          numEpochs: steps,
          seed,
          backend: 'wasm',
          outputDir,
          env: {},
          dataDir,
          out: discard,
          err: discard,
          progress: 'none',
          observers: [
            {
              onTrainBegin: (context) => void (weights = context.model.getWeights().map((weight) => ({ shape: weight.shape, values: Array.from(weight.dataSync()) }))),
              onBatchEnd: (metrics) => void losses.push(metrics.loss),
            },
          ],
        });
        rmSync(outputDir, { recursive: true, force: true });
        const theirs = await torch.request({ lockstep: { activation, optimizer, weights, steps, dataDir } });
        const relative = Math.max(...losses.map((loss, i) => Math.abs(loss - theirs.losses[i]) / Math.abs(theirs.losses[i])));
        if (relative >= largest.relative) largest = { relative, key: `${activation}/${optimizer}` };
        out(`  ${`${activation}/${optimizer}`.padEnd(18)} hptune  ${losses.map((loss) => loss.toFixed(5)).join(' ')}`);
        out(`  ${''.padEnd(18)} PyTorch ${theirs.losses.map((loss) => loss.toFixed(5)).join(' ')}`);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  out(`  largest relative difference of a loss: ${largest.relative.toExponential(2)} (${largest.key})`);
}

/**
 * The PyTorch reference in one process for the whole run (torch and MNIST load once), answering a
 * training request per line.
 */
async function startTorch() {
  const child = spawn(options.python, [reference, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the PyTorch reference ended: ${stderr.trim()}`);
    return JSON.parse(value);
  };
  await next(); // {"ready": true}
  const request = async (body) => {
    child.stdin.write(`${JSON.stringify(body)}\n`);
    return next();
  };
  return {
    request,
    /** Test accuracy after the last epoch. */
    async train({ activation, optimizer, batchSize }) {
      return (await request({ activation, optimizer, batchSize, epochs, seed, ...(trainSize === undefined ? {} : { trainSize }) })).testAccuracy;
    },
    close() {
      child.stdin.end();
    },
  };
}

function printTable(title, cell) {
  out(title);
  out(`  ${'activation/optimizer'.padEnd(20)} ${BATCH_SIZES.map((batchSize) => `batch ${batchSize}`.padStart(9)).join(' ')}`);
  for (const activation of ACTIVATIONS) {
    for (const optimizer of OPTIMIZERS) {
      const cells = BATCH_SIZES.map((batchSize) => {
        const result = results.get(keyOf({ activation, optimizer, batchSize }));
        return (result === undefined ? '' : cell(result)).padStart(9);
      });
      if (cells.some((text) => text.trim() !== '')) out(`  ${`${activation}/${optimizer}`.padEnd(20)} ${cells.join(' ')}`);
    }
  }
}

function percent(accuracy) {
  return (accuracy * 100).toFixed(2);
}

function signedPoints(difference) {
  const points = difference * 100;
  return `${points >= 0 ? '+' : ''}${points.toFixed(2)}`;
}
