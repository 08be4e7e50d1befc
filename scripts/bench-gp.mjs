#!/usr/bin/env node
// The GP sampler (`gp`, and `bayesian` locally) against hptune's tpe and random search, and
// Optuna 3.1's TPE and CMA-ES (scripts/bench-gp-optuna.py, Debian's /usr/bin/python3 with
// python3-optuna), on continuous test functions of 2 to 8 dimensions, a mixed space and a
// conditional one: the median final regret over seeds at a fixed trial budget, a Mann-Whitney
// rank test of gp against tpe per problem, and the time of one gp suggestion with 200, 500 and
// 1,000 finished trials of 6 doubles.
// With --lenet-table <file> (a replayable LeNet-5 table: activation x optimizer x batch size x
// learning rate -> test accuracy per seed, as scripts/bench-search/lenet5-table.mjs writes it), also
// the trials gp, tpe and random need to reach a given accuracy on that search.
// Run: pnpm build && nice -n 10 node scripts/bench-gp.mjs [--seeds 20] [--trials 60] [--problems branin,hartmann6] [--no-optuna] [--no-timing] [--lenet-table file]
//   [--optuna-results file: the output of `/usr/bin/python3 scripts/bench-gp-optuna.py --seeds N --trials N`, instead of running it]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { categorical, createSampler, discrete, double, integer, searchSpace } from '../packages/core/dist/index.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    trials: { type: 'string', default: '60' },
    problems: { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    'no-timing': { type: 'boolean', default: false },
    'lenet-table': { type: 'string' },
    'optuna-results': { type: 'string' },
  },
});
const SEEDS = Number(args.seeds);
const TRIALS = Number(args.trials);
const PYTHON = '/usr/bin/python3';
const root = dirname(dirname(fileURLToPath(import.meta.url)));

// Keep in step with scripts/bench-gp-optuna.py.
const H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
const H3_P = [[0.3689, 0.117, 0.2673], [0.4699, 0.4387, 0.747], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]];
const H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const ALPHA = [1, 1.2, 3, 3.2];
const hartmann = (x, a, p) => -ALPHA.reduce((total, alpha, i) => total + alpha * Math.exp(-x.reduce((sum, v, j) => sum + a[i][j] * (v - p[i][j]) ** 2, 0)), 0);
const sum = (values) => values.reduce((total, value) => total + value, 0);

const CONTINUOUS = {
  branin: {
    name: 'Branin (2 d)',
    bounds: [[-5, 10], [0, 15]],
    minimum: 0.397887357729738,
    f: ([x1, x2]) => (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10,
  },
  camel: { name: 'six-hump camel (2 d)', bounds: [[-3, 3], [-2, 2]], minimum: -1.0316284534898774, f: ([a, b]) => (4 - 2.1 * a * a + a ** 4 / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b },
  hartmann3: { name: 'Hartmann-3 (3 d)', bounds: Array(3).fill([0, 1]), minimum: -3.86278214782076, f: (x) => hartmann(x, H3_A, H3_P) },
  hartmann6: { name: 'Hartmann-6 (6 d)', bounds: Array(6).fill([0, 1]), minimum: -3.32236801141551, f: (x) => hartmann(x, H6_A, H6_P) },
  rosenbrock4: { name: 'Rosenbrock (4 d)', bounds: Array(4).fill([-5, 10]), minimum: 0, f: (x) => sum(x.slice(0, -1).map((v, i) => 100 * (x[i + 1] - v * v) ** 2 + (1 - v) ** 2)) },
  levy5: {
    name: 'Levy (5 d)',
    bounds: Array(5).fill([-10, 10]),
    minimum: 0,
    f: (x) => {
      const w = x.map((v) => 1 + (v - 1) / 4);
      const last = w[w.length - 1];
      return Math.sin(Math.PI * w[0]) ** 2 + sum(w.slice(0, -1).map((v) => (v - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * v + 1) ** 2))) + (last - 1) ** 2 * (1 + Math.sin(2 * Math.PI * last) ** 2);
    },
  },
  ackley4: {
    name: 'Ackley (4 d)',
    bounds: Array(4).fill([-5, 10]),
    minimum: 0,
    f: (x) => -20 * Math.exp(-0.2 * Math.sqrt(sum(x.map((v) => v * v)) / x.length)) - Math.exp(sum(x.map((v) => Math.cos(2 * Math.PI * v))) / x.length) + 20 + Math.E,
  },
  styblinski8: { name: 'Styblinski-Tang (8 d)', bounds: Array(8).fill([-5, 5]), minimum: -39.16616570377142 * 8, f: (x) => 0.5 * sum(x.map((v) => v ** 4 - 16 * v * v + 5 * v)) },
};

const OFFSET = { sgd: 0.5, adam: 0, rmsprop: 0.3 };
const LR_CENTRE = { sgd: -1.5, adam: -3, rmsprop: -2.5 };
const PROBLEMS = {
  ...Object.fromEntries(
    Object.entries(CONTINUOUS).map(([key, { name, bounds, minimum, f }]) => [
      key,
      {
        name,
        kind: 'continuous',
        space: searchSpace(Object.fromEntries(bounds.map(([low, high], i) => [`x${i + 1}`, double(low, high)]))),
        minimum,
        evaluate: (p) => f(bounds.map((_, i) => p[`x${i + 1}`])),
      },
    ]),
  ),
  mixed: {
    name: 'mixed (categorical, log, integer, discrete)',
    kind: 'mixed',
    space: searchSpace({
      optimizer: categorical(['sgd', 'adam', 'rmsprop']),
      learning_rate: double(1e-5, 1, { scale: 'log' }),
      layers: integer(1, 8),
      units: integer(8, 1024, { scale: 'log' }),
      dropout: double(0, 0.8),
      batch_size: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
    }),
    minimum: 0,
    evaluate: (p) =>
      OFFSET[p.optimizer] + (Math.log10(p.learning_rate) - LR_CENTRE[p.optimizer]) ** 2 + 0.1 * (p.layers - 3) ** 2 + 0.2 * (Math.log2(p.units) - 7) ** 2 + 4 * (p.dropout - 0.25) ** 2 + 0.3 * (Math.log2(p.batch_size) - 6) ** 2,
  },
  conditional: {
    name: 'conditional (optimizer -> its own rate)',
    kind: 'conditional',
    space: searchSpace({
      optimizer: categorical(['sgd', 'adam'], {
        when: [
          { parentValues: ['sgd'], parameters: { sgd_rate: double(1e-4, 1, { scale: 'log' }), momentum: double(0, 0.99) } },
          { parentValues: ['adam'], parameters: { adam_rate: double(1e-5, 1e-1, { scale: 'log' }) } },
        ],
      }),
      dropout: double(0, 0.8),
    }),
    minimum: 0,
    evaluate: (p) =>
      (p.optimizer === 'sgd' ? 0.2 + (Math.log10(p.sgd_rate) + 1.5) ** 2 + 2 * (p.momentum - 0.9) ** 2 : (Math.log10(p.adam_rate) + 3) ** 2) + 4 * (p.dropout - 0.25) ** 2,
  },
};

const METRIC = { id: 'value', goal: 'minimize' };
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
function finished(id, parameters, value) {
  const measurement = { step: 1, metrics: { value }, elapsedSeconds: 0 };
  return { id: String(id), state: 'SUCCEEDED', parameters, measurements: [measurement], finalMeasurement: measurement };
}

/** The final regret of one study: `TRIALS` suggestions, each evaluated before the next. */
function regret(algorithm, problem, seed) {
  const sampler = createSampler({ algorithm, space: problem.space, metric: METRIC, seed });
  const trials = [];
  let best = Number.POSITIVE_INFINITY;
  for (let n = 0; n < TRIALS; n += 1) {
    const parameters = sampler.suggest(trials);
    const value = problem.evaluate(parameters);
    best = Math.min(best, value);
    trials.push(finished(n + 1, parameters, value));
  }
  return Math.max(0, best - problem.minimum);
}

/** Two-sided Mann-Whitney U test (normal approximation with tie correction): the p-value that `a` and `b` come from one distribution, and whether `a` ranks lower. */
function mannWhitney(a, b) {
  const all = [...a.map((value) => ({ value, group: 0 })), ...b.map((value) => ({ value, group: 1 }))].sort((x, y) => x.value - y.value);
  const ranks = new Array(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].value === all[i].value) j += 1;
    for (let k = i; k <= j; k += 1) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const rankSumA = sum(all.map((entry, index) => (entry.group === 0 ? ranks[index] : 0)));
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n1 + n2 + 1 - tieTerm / ((n1 + n2) * (n1 + n2 - 1)));
  if (variance === 0) return { p: 1, lower: false };
  const z = (Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return { p: Math.min(1, 2 * upperTail(Math.max(0, z))), lower: u < mean };
}
function upperTail(z) {
  // Abramowitz and Stegun 26.2.17, |error| < 7.5e-8.
  const t = 1 / (1 + 0.2316419 * z);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

/** One gp suggestion with `count` finished trials of 6 doubles (Hartmann-6): median wall ms of 9 and mean CPU ms, after 2 warm-up calls. */
function suggestMilliseconds(count) {
  const problem = PROBLEMS.hartmann6;
  const random = createSampler({ algorithm: 'random', space: problem.space, metric: METRIC, seed: 99 });
  const trials = [];
  for (let n = 0; n < count; n += 1) {
    const parameters = random.suggest(trials);
    trials.push(finished(n + 1, parameters, problem.evaluate(parameters)));
  }
  const gp = createSampler({ algorithm: 'gp', space: problem.space, metric: METRIC, seed: 1 });
  for (let repeat = 0; repeat < 2; repeat += 1) gp.suggest(trials);
  const times = [];
  const cpuBefore = process.cpuUsage();
  for (let repeat = 0; repeat < 9; repeat += 1) {
    const started = performance.now();
    gp.suggest(trials);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: median(times), cpu: (cpu.user + cpu.system) / 1000 / 9 };
}

function runOptuna(keys) {
  if (args['no-optuna']) return Promise.resolve({ missing: 'Optuna left out (--no-optuna)' });
  // The JSON bench-gp-optuna.py printed earlier, for the same --seeds and --trials: on a busy machine
  // the two sides can then run at different times.
  if (args['optuna-results']) return Promise.resolve(JSON.parse(readFileSync(args['optuna-results'], 'utf8')));
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [join(root, 'scripts/bench-gp-optuna.py'), '--seeds', String(SEEDS), '--trials', String(TRIALS), '--problems', keys.filter((key) => key !== 'conditional').join(',')]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', () => resolve({ missing: `Optuna not runnable with ${PYTHON} (apt-get install -y python3-optuna)` }));
    child.on('close', (code) => resolve(code === 0 ? JSON.parse(stdout) : { missing: `bench-gp-optuna.py failed: ${stderr.trim().split('\n').pop()}` }));
  });
}

const keys = args.problems ? args.problems.split(',') : Object.keys(PROBLEMS);
console.log(`hptune bench-gp: ${SEEDS} seeds, ${TRIALS} trials each; load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} on ${process.arch}, Node ${process.version}`);
const optunaPromise = runOptuna(keys); // runs beside hptune's studies (the machine has two cores)
const started = performance.now();
const seeds = Array.from({ length: SEEDS }, (_, seed) => seed);
const results = {};
for (const key of keys) {
  const problem = PROBLEMS[key];
  results[key] = Object.fromEntries(['random', 'tpe', 'gp'].map((algorithm) => [algorithm, seeds.map((seed) => regret(algorithm, problem, seed))]));
}
const hptuneSeconds = (performance.now() - started) / 1000;
const timings = args['no-timing'] ? [] : [200, 500, 1000].map((count) => ({ count, ...suggestMilliseconds(count) }));
const optuna = await optunaPromise;

const format = (value) => (value === undefined ? '-' : value === 0 ? '0' : value < 0.001 ? value.toExponential(2) : value.toFixed(4));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);
const printTable = (header, rows) => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
};

console.log('\nmedian final regret (lower is better); p: Mann-Whitney two-sided, gp vs tpe over the seeds');
let halfOfTpe = 0;
let atMostCma = 0;
let continuous = 0;
const rows = keys.map((key) => {
  const problem = PROBLEMS[key];
  const { random, tpe, gp } = results[key];
  const optunaTpe = optuna.tpe?.[key] && median(optuna.tpe[key]);
  const cma = optuna.cmaes?.[key] && median(optuna.cmaes[key]);
  const test = mannWhitney(gp, tpe);
  if (problem.kind === 'continuous') {
    continuous += 1;
    if (median(gp) <= median(tpe) / 2) halfOfTpe += 1;
    if (cma !== undefined && median(gp) <= cma) atMostCma += 1;
  }
  return [problem.name, format(median(random)), format(median(tpe)), format(median(gp)), format(optunaTpe), format(cma), ratio(median(gp), median(tpe)), ratio(median(gp), cma), `${test.p.toFixed(3)}${test.p < 0.05 ? (test.lower ? ' gp better' : ' gp WORSE') : ''}`];
});
printTable(['problem', 'random', 'tpe', 'gp', `Optuna ${optuna.version ?? ''} TPE`.trim(), 'Optuna CMA-ES', 'gp / tpe', 'gp / CMA-ES', 'p (gp vs tpe)'], rows);
if (continuous > 0) console.log(`\ncontinuous problems: gp <= tpe / 2 on ${halfOfTpe} of ${continuous}; gp <= Optuna CMA-ES on ${atMostCma} of ${continuous}`);
if (timings.length > 0) {
  console.log('\none gp suggestion, 6 doubles (Hartmann-6), ms: median wall time of 9 / mean CPU time');
  printTable(['finished trials', 'gp wall / CPU'], timings.map(({ count, wall, cpu }) => [String(count), `${wall.toFixed(1)} / ${cpu.toFixed(1)}`]));
}
if (args['lenet-table']) lenetCurves(JSON.parse(readFileSync(args['lenet-table'], 'utf8')));
if (optuna.missing) console.log(`\n${optuna.missing}`);
console.log(`\nhptune's ${3 * SEEDS * keys.length} studies took ${hptuneSeconds.toFixed(1)} s`);

/**
 * The seed study's search (activation, optimizer, batch size, learning rate) replayed from a table:
 * each trial's accuracy is the table's mean over its seeds, so a study costs no training. Prints
 * the median best accuracy after k trials, and the trials needed to reach each target (median over
 * seeds; studies that never reach it count as TRIALS + 1).
 */
function lenetCurves(table) {
  const space = searchSpace({
    activation: categorical(table.activations),
    optimizer: categorical(table.optimizers),
    batch_size: discrete(table.batchSizes, { scale: 'log' }),
    learning_rate: discrete(table.learningRates, { scale: 'log' }),
  });
  const accuracy = new Map(table.rows.map((row) => [`${row.activation} ${row.optimizer} ${row.batchSize} ${row.learningRate}`, sum(row.accuracy) / row.accuracy.length]));
  const evaluate = (p) => accuracy.get(`${p.activation} ${p.optimizer} ${p.batch_size} ${p.learning_rate}`);
  const best = Math.max(...accuracy.values());
  const metric = { id: 'value', goal: 'maximize' };
  const curves = {};
  for (const algorithm of ['random', 'tpe', 'gp']) {
    curves[algorithm] = seeds.map((seed) => {
      const sampler = createSampler({ algorithm, space, metric, seed });
      const trials = [];
      const curve = [];
      let top = Number.NEGATIVE_INFINITY;
      for (let n = 0; n < TRIALS; n += 1) {
        const parameters = sampler.suggest(trials);
        const value = evaluate(parameters);
        top = Math.max(top, value);
        curve.push(top);
        trials.push(finished(n + 1, parameters, value));
      }
      return curve;
    });
  }
  const marks = [5, 10, 15, 20, 30, 40, 60].filter((k) => k <= TRIALS);
  console.log(`\nLeNet-5 search replayed from the table (${table.rows.length} combinations, best mean accuracy ${best.toFixed(2)}%): median best accuracy after k trials`);
  printTable(['algorithm', ...marks.map((k) => `k=${k}`)], Object.entries(curves).map(([algorithm, runs]) => [algorithm, ...marks.map((k) => median(runs.map((curve) => curve[k - 1])).toFixed(2))]));
  const sortedValues = [...accuracy.values()].sort((a, b) => b - a);
  const targets = [sortedValues[9], sortedValues[2], best];
  console.log('\ntrials to reach an accuracy (median over seeds; never reached = trials + 1)');
  printTable(
    ['algorithm', ...targets.map((target, index) => `>= ${target.toFixed(2)}% (${['top 10', 'top 3', 'best'][index]})`)],
    Object.entries(curves).map(([algorithm, runs]) => [algorithm, ...targets.map((target) => String(median(runs.map((curve) => {
      const index = curve.findIndex((value) => value >= target);
      return index === -1 ? TRIALS + 1 : index + 1;
    }))))]),
  );
}
