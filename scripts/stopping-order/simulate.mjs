#!/usr/bin/env node
// How much the order of the grid matters to asynchronous successive halving on the seed study:
// replays the measured one- and three-epoch test accuracies of the 27 combinations
// (`rung-accuracies.json`, full MNIST, trainer seed 42) through hptune's own `asha` rule, two
// trials at a time, in grid order and in the shuffled orders of many seeds, with a simple time
// model (each epoch a fixed time per batch size, longer with softmax hidden layers; a fixed
// start-up per trial). Prints the epochs
// trained and the study's modelled wall time per order, and their spread over the seeds.
//
//   pnpm build && node scripts/stopping-order/simulate.mjs [--seeds 200] [--epoch 32:7.3,64:6.6,128:6.2]
//                                                          [--softmax 1.25] [--start-up 1.0] [--parallel 2]
//
// A model, not a measurement: real runs differ in which of two trials reaches a rung first when
// they are close; `pnpm bench:stopping` (with `--order shuffled`) measures one order for real.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asha, createSampler } from '../../packages/core/dist/index.js';
import { seedSearchSpace } from '../../packages/trainer/dist/settings.js';

const { values: flags } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    epoch: { type: 'string', default: '32:7.3,64:6.6,128:6.2' },
    softmax: { type: 'string', default: '1.25' },
    'start-up': { type: 'string', default: '1.0' },
    parallel: { type: 'string', default: '2' },
  },
});
const EPOCHS = 9;
const METRIC = { id: 'accuracy', goal: 'maximize' };
const table = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'rung-accuracies.json'), 'utf8'));
const epochSeconds = new Map(flags.epoch.split(',').map((pair) => pair.split(':').map(Number)));
const startUp = Number(flags['start-up']);
/** One epoch of `parameters`, in seconds: softmax hidden layers train about 0.8x as fast (`pnpm bench:trainer`, section 3). */
const epochOf = (parameters) => epochSeconds.get(parameters.batch_size) * (parameters.activation === 'softmax' ? Number(flags.softmax) : 1);
const parallel = Number(flags.parallel);
const key = (p) => `${p.activation}/${p.optimizer}/${p.batch_size}`;
const accuracies = new Map(table.rows.map((row) => [`${row.activation}/${row.optimizer}/${row.batchSize}`, row.accuracy]));

/** The 27 combinations in the order `algorithm` (with `seed`) starts them. */
function orderOf(algorithm, seed) {
  const sampler = createSampler({ algorithm, space: seedSearchSpace, metric: METRIC, ...(seed === undefined ? {} : { seed }) });
  const trials = [];
  for (let number = 1; number <= 27; number++) {
    trials.push({ id: String(number), number, state: 'SUCCEEDED', parameters: sampler.suggest(trials), measurements: [] });
  }
  return trials.map((trial) => trial.parameters);
}

/** The steps `asha` judges at (min 1, factor 3, 9 epochs): the ones `rung-accuracies.json` must hold. */
const RUNGS = [1, 3];

/** Runs one order through `asha` with `parallel` slots; returns epochs, wall time and idle time at the end. */
function simulate(order) {
  const rule = asha({ minStep: 1, maxStep: EPOCHS, reductionFactor: 3 });
  // A trial's measurements are its measured epochs only: the rule judges nothing else.
  const trials = order.map((parameters) => ({ parameters, measurements: [], epochs: 0 }));
  let next = 0;
  const running = [];
  // A slot that frees starts the next trial in the order at once.
  const start = (time) => {
    if (next >= trials.length) return;
    const trial = trials[next++];
    running.push({ trial, nextEnd: time + startUp + epochOf(trial.parameters) });
  };
  for (let slot = 0; slot < parallel; slot++) start(0);
  let epochs = 0;
  const ends = [];
  while (running.length > 0) {
    running.sort((a, b) => a.nextEnd - b.nextEnd);
    const event = running.shift();
    const { trial } = event;
    trial.epochs += 1;
    epochs += 1;
    const value = accuracies.get(key(trial.parameters))?.[String(trial.epochs)];
    if (value === undefined && RUNGS.includes(trial.epochs)) throw new Error(`no ${trial.epochs}-epoch accuracy for ${key(trial.parameters)} in rung-accuracies.json`);
    let stop = false;
    if (value !== undefined) {
      trial.measurements.push({ step: trial.epochs, metrics: { accuracy: value } });
      const others = trials.filter((other) => other !== trial && other.measurements.length > 0);
      stop = rule.decide({ trial, others, metric: METRIC }).stop;
    }
    if (stop || trial.epochs === EPOCHS) {
      ends.push(event.nextEnd);
      start(event.nextEnd);
    } else {
      running.push({ ...event, nextEnd: event.nextEnd + epochOf(trial.parameters) });
    }
  }
  ends.sort((a, b) => a - b);
  const wall = ends.at(-1);
  return { epochs, wall, idle: wall - (ends.at(-2) ?? 0), top: trials.filter((t) => t.epochs === EPOCHS).map((t) => key(t.parameters)) };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const out = (line = '') => process.stdout.write(`${line}\n`);
out(`asha (min 1, factor 3, 9 epochs) over the seed grid, ${parallel} at a time; epoch seconds by batch size ${flags.epoch} (x${flags.softmax} with softmax), start-up ${startUp} s per trial`);
out(`accuracies: ${table.source}`);
const grid = simulate(orderOf('grid'));
out(`grid order:              ${grid.epochs} epochs, ${(grid.wall / 60).toFixed(2)} min (last trial alone ${grid.idle.toFixed(0)} s); all 9 epochs: ${grid.top.join(', ')}`);
const seed42 = simulate(orderOf('shuffled-grid', 42));
out(`shuffled-grid, seed 42:  ${seed42.epochs} epochs, ${(seed42.wall / 60).toFixed(2)} min (last trial alone ${seed42.idle.toFixed(0)} s); all 9 epochs: ${seed42.top.join(', ')}`);
const runs = Array.from({ length: Number(flags.seeds) }, (_, seed) => simulate(orderOf('shuffled-grid', seed)));
const epochs = runs.map((run) => run.epochs);
const walls = runs.map((run) => run.wall / 60);
out(`shuffled-grid, seeds 0-${runs.length - 1}: epochs median ${quantile(epochs, 0.5)} (10th-90th percentile ${quantile(epochs, 0.1)}-${quantile(epochs, 0.9)}), ` +
  `wall median ${quantile(walls, 0.5).toFixed(2)} min (${quantile(walls, 0.1).toFixed(2)}-${quantile(walls, 0.9).toFixed(2)}); ` +
  `orders at or under grid order's epochs: ${epochs.filter((value) => value <= grid.epochs).length} of ${runs.length}; at or under 4.0 min: ${walls.filter((value) => value <= 4).length}`);
