#!/usr/bin/env node
// Regenerates scripts/bench-search/lenet5-table.json: hptune's own trainer (wasm backend, one epoch)
// over activation x optimizer x batch size x learning rate x seed, on a FIXED sample of MNIST
// (the first --train-size training images and the first --test-size test images, cut into a
// temporary folder of IDX files, so every run and seed sees the same images; the seed changes the
// initial weights and the shuffling only). bench:search replays the table as a problem.
//
//   nice -n 10 node scripts/bench-search/lenet5-table.mjs [--train-size 2048] [--test-size 1000]
//        [--seeds 1,2] [--out scripts/bench-search/lenet5-table.json] [--limit N (first N runs, to time it)]
//
// Needs the trainer built (pnpm build). About 15 minutes of one core for the default 720 runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const { ACTIVATIONS, OPTIMIZERS, mnistDataDir, train } = await import(join(root, 'packages/trainer/dist/index.js'));

/** The grid: batch sizes 16-256 and 8 learning rates, half a decade apart, 1e-4 to 0.316. */
export const BATCH_SIZES = [16, 32, 64, 128, 256];
export const LEARNING_RATES = Array.from({ length: 8 }, (_, i) => Number((10 ** (-4 + i / 2)).toPrecision(3)));

const { values: options } = parseArgs({
  options: {
    'train-size': { type: 'string', default: '2048' },
    'test-size': { type: 'string', default: '1000' },
    seeds: { type: 'string', default: '1,2' },
    out: { type: 'string', default: join(here, 'lenet5-table.json') },
    limit: { type: 'string' },
  },
});
const trainSize = Number(options['train-size']);
const testSize = Number(options['test-size']);
const seeds = options.seeds.split(',').map(Number);
const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : Number(options.limit);
if (![trainSize, testSize, ...seeds].every(Number.isInteger)) {
  process.stderr.write('lenet5-table: --train-size, --test-size and --seeds take integers\n');
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'hptune-lenet5-table-data-'));
const source = mnistDataDir();
const cut = (name, count, itemBytes, headerBytes) => {
  const bytes = Buffer.from(readFileSync(join(source, name)).subarray(0, headerBytes + count * itemBytes));
  bytes.writeUInt32BE(count, 4);
  writeFileSync(join(dataDir, name), bytes);
};
cut('train-images-idx3-ubyte', trainSize, 784, 16);
cut('train-labels-idx1-ubyte', trainSize, 1, 8);
cut('t10k-images-idx3-ubyte', testSize, 784, 16);
cut('t10k-labels-idx1-ubyte', testSize, 1, 8);

const discard = { write: () => true };
const rows = [];
const started = performance.now();
let runs = 0;
try {
  outer: for (const activation of ACTIVATIONS) {
    for (const optimizer of OPTIMIZERS) {
      for (const batchSize of BATCH_SIZES) {
        for (const learningRate of LEARNING_RATES) {
          const accuracies = [];
          for (const seed of seeds) {
            if (runs >= limit) break outer;
            const outputDir = mkdtempSync(join(tmpdir(), 'hptune-lenet5-table-'));
            try {
              const result = await train({
                activation, optimizer, batchSize, learningRate, seed, numEpochs: 1, tfjsBackend: 'wasm', dataDir,
                outputDir, env: {}, out: discard, err: discard, progress: 'none',
              });
              accuracies.push(Number((result.testAccuracy * 100).toFixed(2)));
            } finally {
              rmSync(outputDir, { recursive: true, force: true });
            }
            runs += 1;
          }
          rows.push({ activation, optimizer, batchSize, learningRate, accuracy: accuracies });
          const seconds = (performance.now() - started) / 1000;
          process.stderr.write(`${runs} runs, ${seconds.toFixed(0)} s: ${activation}/${optimizer}/${batchSize}/${learningRate} ${accuracies.join(' ')}\n`);
        }
      }
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const table = {
  description: 'LeNet-5 test accuracy (%, first testSize MNIST test images) after one epoch on the first trainSize training images, hptune trainer, wasm backend; accuracy[i] is seeds[i]',
  command: 'nice -n 10 node scripts/bench-search/lenet5-table.mjs',
  trainSize, testSize, seeds, activations: ACTIVATIONS, optimizers: OPTIMIZERS, batchSizes: BATCH_SIZES, learningRates: LEARNING_RATES,
  seconds: Math.round((performance.now() - started) / 1000),
  rows,
};
if (Number.isFinite(limit)) process.stdout.write(`${JSON.stringify(table)}\n`);
else writeFileSync(options.out, `${JSON.stringify({ ...table, rows: [] }, null, 1).replace('"rows": []', `"rows": [\n${rows.map((row) => `  ${JSON.stringify(row)}`).join(',\n')}\n ]`)}\n`);
