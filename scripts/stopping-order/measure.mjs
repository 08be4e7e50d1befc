#!/usr/bin/env node
// Regenerates `rung-accuracies.json`: the test accuracy of each of the seed grid's 27 combinations
// after epochs 1 and 3 of full MNIST (ASHA's two rungs at 9 epochs), trainer seed 42, wasm. Runs
// the built trainer once per combination for 3 epochs, two at a time, and reads what it reported
// (the Vertex AI metrics file). Training is deterministic for a seed, so these are the values the
// seed study's trials report at those epochs.
//
//   pnpm build && node scripts/stopping-order/measure.mjs [--only relu/adam/32,...] [--parallel 2]
//
// About 81 epochs: 5 to 6 minutes on two free cores. With --only, prints the rows and writes nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedSearchSpace } from '../../packages/trainer/dist/settings.js';

const here = dirname(fileURLToPath(import.meta.url));
const trainer = join(here, '../../packages/trainer/dist/bin.js');
const { values: flags } = parseArgs({ options: { only: { type: 'string' }, parallel: { type: 'string', default: '2' } } });
const values = (name) => seedSearchSpace.parameters[name].values;
const combinations = values('activation').flatMap((activation) => values('optimizer').flatMap((optimizer) => values('batch_size').map((batchSize) => ({ activation, optimizer, batchSize }))));
const only = flags.only?.split(',');
const todo = only ? combinations.filter((c) => only.includes(`${c.activation}/${c.optimizer}/${c.batchSize}`)) : combinations;

/** Trains one combination for 3 epochs; resolves to its test accuracy after each epoch. */
function measure({ activation, optimizer, batchSize }) {
  const dir = mkdtempSync(join(tmpdir(), 'hptune-rung-'));
  const args = [trainer, '--tfjs-backend', 'wasm', '--activation', activation, '--optimizer', optimizer, '--batch-size', String(batchSize), '--num-epochs', '3', '--seed', '42', '--no-resume', '--output-dir', dir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`trainer exited with ${code} for ${activation}/${optimizer}/${batchSize}`);
        const lines = readFileSync(join(dir, 'hypertune', 'output.metrics'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
        resolve(Object.fromEntries(lines.map((line) => [line.global_step, Number(line.accuracy) * 100])));
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const rows = new Array(todo.length);
let next = 0;
async function worker() {
  while (next < todo.length) {
    const index = next++;
    const combination = todo[index];
    const accuracy = await measure(combination);
    rows[index] = { ...combination, accuracy: { 1: Number(accuracy['1'].toFixed(2)), 3: Number(accuracy['3'].toFixed(2)) } };
    process.stdout.write(`${combination.activation}/${combination.optimizer}/${combination.batchSize}: ${accuracy['1']?.toFixed(2)}% after 1 epoch, ${accuracy['3']?.toFixed(2)}% after 3\n`);
  }
}
await Promise.all(Array.from({ length: Number(flags.parallel) }, worker));
if (!only) {
  const source = `test accuracy (%) after epochs 1 and 3, full MNIST, trainer seed 42, wasm; node scripts/stopping-order/measure.mjs (${new Date().toISOString().slice(0, 10)})`;
  writeFileSync(join(here, 'rung-accuracies.json'), `${JSON.stringify({ source, rows }, null, 1)}\n`);
}
