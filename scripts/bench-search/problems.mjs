// The problems of `pnpm bench:search`, defined once: hptune's samplers run them in-process and
// Optuna's (scripts/bench-search/optuna_anchor.py) gets each space as JSON and asks this side to
// evaluate every point (JSON lines over a pipe). Every objective is minimized; `minimum` is its
// known minimum, so regret = (noiseless value of the pick) - minimum.
//
// A problem: { name, family, space, minimum, evaluate(parameters) -> noiseless value,
//              noise?: sd of the Gaussian noise added to what the sampler sees,
//              observe?(parameters, random) -> the value the sampler sees (own noise model) }.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { categorical, discrete, double, integer, searchSpace } from '../../packages/core/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** 32-bit FNV-1a of a string: the split rule's hash, and the noise streams' seeds. */
export function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * THE SPLIT RULE, fixed before any constant was chosen: within each family, problems are ordered
 * by the FNV-1a hash of their name (ties by name); the 1st, 3rd, 5th, ... go to the evaluation
 * half, the 2nd, 4th, ... to the tuning half. Each family is split evenly (a pure hash per name put
 * all three conditional problems in one half), and no one picks a problem's half.
 * @returns the half of each problem name.
 */
export function splitHalves(problems) {
  const halves = new Map();
  for (const family of new Set(problems.map((problem) => problem.family))) {
    const members = problems.filter((problem) => problem.family === family);
    const ordered = [...members].sort((a, b) => fnv1a(a.name) - fnv1a(b.name) || a.name.localeCompare(b.name));
    ordered.forEach((problem, rank) => halves.set(problem.name, rank % 2 === 0 ? 'evaluation' : 'tuning'));
  }
  return halves;
}

const doubles = (count, min, max) => searchSpace(Object.fromEntries(Array.from({ length: count }, (_, i) => [`x${i + 1}`, double(min, max)])));
const vector = (p) => Object.keys(p).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((key) => p[key]);

const HARTMANN3 = {
  alpha: [1, 1.2, 3, 3.2],
  a: [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]],
  p: [[0.3689, 0.117, 0.2673], [0.4699, 0.4387, 0.747], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]],
};
const HARTMANN6 = {
  alpha: [1, 1.2, 3, 3.2],
  a: [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]],
  p: [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
  ],
};
const hartmann = ({ alpha, a, p }) => (params) => {
  const x = vector(params);
  let total = 0;
  for (let i = 0; i < 4; i += 1) {
    let inner = 0;
    for (let j = 0; j < x.length; j += 1) inner += a[i][j] * (x[j] - p[i][j]) ** 2;
    total += alpha[i] * Math.exp(-inner);
  }
  return -total;
};
const branin = ({ x1, x2 }) => {
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
};
const ackley = (params) => {
  const x = vector(params);
  const d = x.length;
  const squares = x.reduce((sum, v) => sum + v * v, 0);
  const cosines = x.reduce((sum, v) => sum + Math.cos(2 * Math.PI * v), 0);
  return -20 * Math.exp(-0.2 * Math.sqrt(squares / d)) - Math.exp(cosines / d) + 20 + Math.E;
};
const rastrigin = (params) => vector(params).reduce((sum, v) => sum + v * v - 10 * Math.cos(2 * Math.PI * v) + 10, 0);
const levy = (params) => {
  const w = vector(params).map((v) => 1 + (v - 1) / 4);
  const last = w[w.length - 1];
  let total = Math.sin(Math.PI * w[0]) ** 2 + (last - 1) ** 2 * (1 + Math.sin(2 * Math.PI * last) ** 2);
  for (let i = 0; i < w.length - 1; i += 1) total += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
  return total;
};
const styblinskiTang = (params) => vector(params).reduce((sum, v) => sum + (v ** 4 - 16 * v ** 2 + 5 * v) / 2, 0);
const michalewicz = (params) => -vector(params).reduce((sum, v, i) => sum + Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20, 0);
const rosenbrock = (params) => {
  const x = vector(params);
  let total = 0;
  for (let i = 0; i < x.length - 1; i += 1) total += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return total;
};
/** A sphere whose centre is off the middle of the box (no sampler gets the centre for free). */
const shiftedSphere = (params) => vector(params).reduce((sum, v, i) => sum + (v - 1.3 + 0.37 * i) ** 2, 0);
/** The rotated hyper-ellipsoid: unimodal, ill-conditioned (sum of prefix sums squared). */
const rotatedEllipsoid = (params) => {
  let prefix = 0;
  let total = 0;
  for (const v of vector(params)) {
    prefix += v;
    total += prefix * prefix;
  }
  return total;
};
const zakharov = (params) => {
  const x = vector(params);
  const s1 = x.reduce((sum, v) => sum + v * v, 0);
  const s2 = x.reduce((sum, v, i) => sum + 0.5 * (i + 1) * v, 0);
  return s1 + s2 ** 2 + s2 ** 4;
};
const sixHumpCamel = ({ x1, x2 }) => (4 - 2.1 * x1 ** 2 + x1 ** 4 / 3) * x1 ** 2 + x1 * x2 + (-4 + 4 * x2 ** 2) * x2 ** 2;
const griewank = (params) => {
  const x = vector(params);
  const sum = x.reduce((total, v) => total + (v * v) / 4000, 0);
  const product = x.reduce((total, v, i) => total * Math.cos(v / Math.sqrt(i + 1)), 1);
  return sum - product + 1;
};

const continuous = [
  { name: 'branin-2d', kind: 'multimodal', space: searchSpace({ x1: double(-5, 10), x2: double(0, 15) }), minimum: 0.397887357729738, evaluate: branin },
  { name: 'six-hump-camel-2d', kind: 'multimodal', space: searchSpace({ x1: double(-3, 3), x2: double(-2, 2) }), minimum: -1.031628453489877, evaluate: sixHumpCamel },
  { name: 'hartmann-3d', kind: 'multimodal', space: doubles(3, 0, 1), minimum: -3.86278214782076, evaluate: hartmann(HARTMANN3) },
  { name: 'rosenbrock-4d', kind: 'unimodal', space: doubles(4, -2.048, 2.048), minimum: 0, evaluate: rosenbrock },
  { name: 'rastrigin-4d', kind: 'multimodal', space: doubles(4, -5.12, 5.12), minimum: 0, evaluate: rastrigin },
  { name: 'shifted-sphere-5d', kind: 'unimodal', space: doubles(5, -5, 5), minimum: 0, evaluate: shiftedSphere },
  { name: 'ackley-5d', kind: 'multimodal', space: doubles(5, -32.768, 32.768), minimum: 0, evaluate: ackley },
  { name: 'styblinski-tang-5d', kind: 'multimodal', space: doubles(5, -5, 5), minimum: -39.16616570377142 * 5, evaluate: styblinskiTang },
  { name: 'michalewicz-5d', kind: 'multimodal', space: doubles(5, 0, Math.PI), minimum: -4.687658179, evaluate: michalewicz },
  { name: 'hartmann-6d', kind: 'multimodal', space: doubles(6, 0, 1), minimum: -3.32236801141551, evaluate: hartmann(HARTMANN6) },
  { name: 'levy-6d', kind: 'multimodal', space: doubles(6, -10, 10), minimum: 0, evaluate: levy },
  { name: 'zakharov-6d', kind: 'unimodal', space: doubles(6, -5, 10), minimum: 0, evaluate: zakharov },
  { name: 'griewank-8d', kind: 'multimodal', space: doubles(8, -50, 50), minimum: 0, evaluate: griewank },
  { name: 'rotated-ellipsoid-10d', kind: 'unimodal', space: doubles(10, -10, 10), minimum: 0, evaluate: rotatedEllipsoid },
  { name: 'ackley-10d', kind: 'multimodal', space: doubles(10, -32.768, 32.768), minimum: 0, evaluate: ackley },
];

const MIXED_OFFSET = { sgd: 0.5, adam: 0, rmsprop: 0.3 };
const MIXED_LR_CENTRE = { sgd: -1.5, adam: -3, rmsprop: -2.5 };
const BATCH_EFFECT = { 32: 0.012, 64: 0, 128: 0.015 };

const mixed = [
  {
    name: 'mixed-network',
    kind: 'categorical, log double, integers (linear and log), 5-valued log discrete',
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
      MIXED_OFFSET[p.optimizer] + (Math.log10(p.learning_rate) - MIXED_LR_CENTRE[p.optimizer]) ** 2 + 0.1 * (p.layers - 3) ** 2 +
      0.2 * (Math.log2(p.units) - 7) ** 2 + 4 * (p.dropout - 0.25) ** 2 + 0.3 * (Math.log2(p.batch_size) - 6) ** 2,
  },
  {
    // The space: a 3-valued discrete parameter whose values move the objective by 0.012-0.015.
    name: 'mixed-slight-batch',
    kind: 'two categoricals, 3-valued discrete with slight effects, log double, integer',
    space: searchSpace({
      activation: categorical(['relu', 'tanh', 'gelu']),
      optimizer: categorical(['sgd', 'adam', 'rmsprop']),
      batch_size: discrete([32, 64, 128]),
      learning_rate: double(1e-5, 1e-1, { scale: 'log' }),
      depth: integer(1, 10),
    }),
    minimum: 0,
    evaluate: (p) =>
      ({ relu: 0, tanh: 0.08, gelu: 0.03 })[p.activation] + MIXED_OFFSET[p.optimizer] * 0.4 + BATCH_EFFECT[p.batch_size] +
      0.05 * (Math.log10(p.learning_rate) - MIXED_LR_CENTRE[p.optimizer]) ** 2 + 0.01 * (p.depth - 4) ** 2,
  },
  {
    name: 'mixed-discrete-grid',
    kind: '8-valued linear discrete, 5-valued discrete with slight effects, categorical, double',
    space: searchSpace({
      width: discrete([8, 16, 24, 32, 40, 48, 56, 64]),
      kernel: discrete([1, 3, 5, 7, 9]),
      pooling: categorical(['max', 'average', 'none']),
      momentum: double(0, 0.99),
    }),
    minimum: 0,
    evaluate: (p) =>
      ((p.width - 40) / 16) ** 2 + 0.004 * Math.abs(p.kernel - 5) + ({ max: 0, average: 0.2, none: 0.6 })[p.pooling] + 3 * (p.momentum - 0.9) ** 2 * (p.pooling === 'none' ? 2 : 1),
  },
  {
    name: 'mixed-integers',
    kind: 'log integer, linear integer, 4-valued discrete with slight effects, double',
    space: searchSpace({
      trees: integer(10, 2000, { scale: 'log' }),
      depth: integer(2, 16),
      min_leaf: discrete([1, 2, 4, 8]),
      subsample: double(0.3, 1),
    }),
    minimum: 0,
    evaluate: (p) => 0.3 * (Math.log10(p.trees) - 2.7) ** 2 + 0.02 * (p.depth - 7) ** 2 + ({ 1: 0.01, 2: 0, 4: 0.008, 8: 0.02 })[p.min_leaf] + 2 * (p.subsample - 0.8) ** 2,
  },
  {
    name: 'mixed-categorical-interactions',
    kind: 'four categoricals (3-5 choices) that interact, log double',
    space: searchSpace({
      a: categorical(['a0', 'a1', 'a2', 'a3']),
      b: categorical(['b0', 'b1', 'b2']),
      c: categorical(['c0', 'c1', 'c2', 'c3', 'c4']),
      d: categorical(['d0', 'd1', 'd2']),
      scale: double(1e-3, 10, { scale: 'log' }),
    }),
    minimum: 0,
    evaluate: (p) => {
      const ia = Number(p.a[1]), ib = Number(p.b[1]), ic = Number(p.c[1]), id = Number(p.d[1]);
      // The best pair (a, b) is (2, 1); c's best depends on d.
      return 0.3 * ((ia - 2) ** 2 + (ib - 1) ** 2) / 4 + 0.2 * Math.abs(ic - (id + 1)) + 0.05 * id + 0.25 * (Math.log10(p.scale) + 0.5) ** 2;
    },
  },
];

const conditional = [
  {
    name: 'conditional-optimizer',
    kind: 'categorical parent; children per value (log double, double, integer)',
    space: searchSpace({
      optimizer: categorical(['sgd', 'adam'], {
        when: [
          { parentValues: ['sgd'], parameters: { sgd_lr: double(1e-4, 1, { scale: 'log' }), momentum: double(0, 0.99) } },
          { parentValues: ['adam'], parameters: { adam_lr: double(1e-5, 1e-1, { scale: 'log' }), beta1: double(0.5, 0.999), warmup: integer(0, 10) } },
        ],
      }),
      weight_decay: double(1e-6, 1e-1, { scale: 'log' }),
    }),
    minimum: 0,
    evaluate: (p) =>
      0.1 * (Math.log10(p.weight_decay) + 4) ** 2 +
      (p.optimizer === 'sgd'
        ? 0.05 + 0.5 * (Math.log10(p.sgd_lr) + 1) ** 2 + 2 * (p.momentum - 0.9) ** 2
        : 0.5 * (Math.log10(p.adam_lr) + 3) ** 2 + 2 * (p.beta1 - 0.9) ** 2 + 0.01 * (p.warmup - 3) ** 2),
  },
  {
    name: 'conditional-model-choice',
    kind: 'three models with their own children (integers, discrete, doubles)',
    space: searchSpace({
      model: categorical(['linear', 'forest', 'network'], {
        when: [
          { parentValues: ['linear'], parameters: { l2: double(1e-6, 10, { scale: 'log' }) } },
          { parentValues: ['forest'], parameters: { trees: integer(10, 1000, { scale: 'log' }), max_depth: integer(2, 20) } },
          { parentValues: ['network'], parameters: { units: discrete([16, 32, 64, 128, 256], { scale: 'log' }), lr: double(1e-5, 1, { scale: 'log' }), dropout: double(0, 0.7) } },
        ],
      }),
    }),
    minimum: 0,
    evaluate: (p) => {
      if (p.model === 'linear') return 0.4 + 0.02 * (Math.log10(p.l2) + 2) ** 2;
      if (p.model === 'forest') return 0.15 + 0.1 * (Math.log10(p.trees) - 2.5) ** 2 + 0.003 * (p.max_depth - 12) ** 2;
      return 0.3 * (Math.log10(p.lr) + 3) ** 2 + 0.05 * (Math.log2(p.units) - 7) ** 2 + 1.5 * (p.dropout - 0.3) ** 2;
    },
  },
  {
    name: 'conditional-nested',
    kind: 'two levels of conditions, a discrete parent',
    space: searchSpace({
      encoder: categorical(['cnn', 'rnn'], {
        when: [
          {
            parentValues: ['cnn'],
            parameters: {
              layers: discrete([1, 2, 3, 4], { when: [{ parentValues: [3, 4], parameters: { residual_scale: double(0, 1) } }] }),
              filters: integer(8, 256, { scale: 'log' }),
            },
          },
          { parentValues: ['rnn'], parameters: { hidden: integer(16, 512, { scale: 'log' }), cell: categorical(['lstm', 'gru']) } },
        ],
      }),
      x: double(-1, 1),
    }),
    minimum: 0,
    evaluate: (p) => {
      const shared = 0.5 * (p.x - 0.3) ** 2;
      if (p.encoder === 'rnn') return shared + 0.1 + 0.1 * (Math.log2(p.hidden) - 7) ** 2 / 4 + (p.cell === 'gru' ? 0 : 0.03);
      const depth = { 1: 0.3, 2: 0.12, 3: 0.05, 4: 0.08 }[p.layers];
      const residual = p.layers >= 3 ? 0.4 * (p.residual_scale - 0.6) ** 2 : 0;
      return shared + depth - 0.05 + residual + 0.05 * (Math.log2(p.filters) - 6) ** 2 / 4;
    },
  },
];

const byName = (list, name) => list.find((problem) => problem.name === name);
const noisy = (problem, sd) => ({ ...problem, name: `${problem.name}+noise`, family: 'noisy', kind: `${problem.name} + N(0, ${sd}^2)`, noise: sd });

const table = JSON.parse(readFileSync(join(here, 'lenet5-table.json'), 'utf8'));
const tableKey = (p) => `${p.activation}/${p.optimizer}/${p.batch_size}/${p.learning_rate}`;
const tableRows = new Map(table.rows.map((row) => [`${row.activation}/${row.optimizer}/${row.batchSize}/${row.learningRate}`, row.accuracy]));
const meanError = (accuracies) => 100 - accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
const lenet5Space = searchSpace({
  activation: categorical([...table.activations]),
  optimizer: categorical([...table.optimizers]),
  batch_size: discrete([...table.batchSizes], { scale: 'log' }),
  learning_rate: discrete([...table.learningRates], { scale: 'log' }),
});
const lenet5Minimum = Math.min(...[...tableRows.values()].map(meanError));
const lenet5Error = (p) => meanError(tableRows.get(tableKey(p)));

const ALL = [
  ...continuous.map((problem) => ({ ...problem, family: 'continuous' })),
  ...mixed.map((problem) => ({ ...problem, family: 'mixed' })),
  ...conditional.map((problem) => ({ ...problem, family: 'conditional' })),
  noisy(byName(continuous, 'hartmann-6d'), 0.1),
  noisy(byName(continuous, 'branin-2d'), 2),
  noisy(byName(continuous, 'levy-6d'), 1),
  noisy(byName(mixed, 'mixed-slight-batch'), 0.01),
  noisy(byName(conditional, 'conditional-model-choice'), 0.05),
  {
    name: 'lenet5-table',
    family: 'lenet5',
    kind: `test error % (mean of seeds ${table.seeds.join(', ')}), ${table.rows.length} configurations`,
    space: lenet5Space,
    minimum: lenet5Minimum,
    evaluate: lenet5Error,
  },
  {
    name: 'lenet5-table-seed-noise',
    family: 'lenet5',
    kind: 'the sampler sees one seed\'s error, drawn at random; regret on the mean',
    space: lenet5Space,
    minimum: lenet5Minimum,
    evaluate: lenet5Error,
    observe: (p, random) => {
      const accuracies = tableRows.get(tableKey(p));
      return 100 - accuracies[Math.floor(random() * accuracies.length)];
    },
  },
];
const HALVES = splitHalves(ALL);
/** Every problem of the suite, each with its family, its half and whether it is all doubles (for CMA-ES). */
export const PROBLEMS = ALL.map((problem) => ({ ...problem, half: HALVES.get(problem.name), continuous: Object.values(problem.space.parameters).every((spec) => spec.kind === 'double' && !spec.conditions) }));

/** The LeNet-5 table's facts, for the report. */
export const LENET5_TABLE = { trainSize: table.trainSize, testSize: table.testSize, seeds: table.seeds, rows: table.rows.length, bestError: lenet5Minimum };

/** A seeded uniform [0, 1) stream (mulberry32), for noise. */
export function noiseStream(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Evaluates trial `index` of a study (`study`: sampler name and seed): the noiseless value and
 * what the sampler sees. The noise depends only on (problem, seed, index), never on the sampler,
 * so every sampler meets the same noise at its n-th trial.
 */
export function evaluateProblem(problem, parameters, seed, index) {
  const clean = problem.evaluate(parameters);
  if (problem.observe === undefined && problem.noise === undefined) return { observed: clean, clean };
  const random = noiseStream(fnv1a(`${problem.name}/${seed}/${index}`));
  if (problem.observe !== undefined) return { observed: problem.observe(parameters, random), clean };
  const u1 = Math.max(random(), 1e-12);
  const u2 = random();
  return { observed: clean + problem.noise * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2), clean };
}
