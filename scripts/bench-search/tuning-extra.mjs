// Extra problems for choosing samplers' constants, made up or taken from the standard test-function
// lists for this purpose and never part of the evaluation half: `pnpm bench:search --half extra`.
// The tuning half alone (13 problems) is a narrow base for a default; these widen it with the kinds
// of problem a default must not be fitted away from (additive multimodal functions in 4-8
// dimensions, long valleys, branches that pay only once their children are tuned, noise), while
// the evaluation half stays held out. None of them is a copy or a shift of an evaluation problem.
import { categorical, discrete, double, integer, searchSpace } from '../../packages/core/dist/index.js';

const doubles = (count, min, max) => searchSpace(Object.fromEntries(Array.from({ length: count }, (_, i) => [`x${i + 1}`, double(min, max)])));
const vector = (p) => Object.keys(p).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((key) => p[key]);

const dixonPrice = (p) => {
  const x = vector(p);
  let total = (x[0] - 1) ** 2;
  for (let i = 1; i < x.length; i += 1) total += (i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2;
  return total;
};
const schwefel = (p) => {
  const x = vector(p);
  return 418.9828872724338 * x.length - x.reduce((sum, v) => sum + v * Math.sin(Math.sqrt(Math.abs(v))), 0);
};
const alpine = (p) => vector(p).reduce((sum, v) => sum + Math.abs(v * Math.sin(v) + 0.1 * v), 0);
const powell = (p) => {
  const x = vector(p);
  let total = 0;
  for (let i = 0; i < x.length; i += 4) {
    total += (x[i] + 10 * x[i + 1]) ** 2 + 5 * (x[i + 2] - x[i + 3]) ** 2 + (x[i + 1] - 2 * x[i + 2]) ** 4 + 10 * (x[i] - x[i + 3]) ** 4;
  }
  return total;
};
const differentPowers = (p) => vector(p).reduce((sum, v, i) => sum + Math.abs(v) ** (i + 2), 0);
const qing = (p) => vector(p).reduce((sum, v, i) => sum + (v * v - (i + 1)) ** 2, 0);

// Added for issue 23 (the GP against CMA-ES): two kinds the tuning half had little of, each a
// standard test function of its own family, none a copy or a shift of an evaluation problem.
// Multimodal with a global trend: Salomon (rings around the optimum on a linear radial trend) and
// the chained Schaffer F7 (ripples on a square-root trend). Unimodal, coupled, with a large
// dynamic range: Trid (coupled quadratic; minimum -d(d+4)(d-1)/6) and a rotated quartic (the
// quartic of each prefix sum: ill-conditioned, flat at the optimum, 1e7 at the box's far corner).
const salomon = (p) => {
  const norm = Math.sqrt(vector(p).reduce((sum, v) => sum + v * v, 0));
  return 1 - Math.cos(2 * Math.PI * norm) + 0.1 * norm;
};
const schafferF7 = (p) => {
  const x = vector(p);
  let total = 0;
  for (let i = 0; i < x.length - 1; i += 1) {
    const s = Math.sqrt(x[i] ** 2 + x[i + 1] ** 2);
    total += Math.sqrt(s) * (1 + Math.sin(50 * s ** 0.2) ** 2);
  }
  return (total / (x.length - 1)) ** 2;
};
const trid = (p) => {
  const x = vector(p);
  let total = 0;
  for (let i = 0; i < x.length; i += 1) total += (x[i] - 1) ** 2 - (i > 0 ? x[i] * x[i - 1] : 0);
  return total;
};
const rotatedQuartic = (p) => {
  let prefix = 0;
  let total = 0;
  for (const v of vector(p)) {
    prefix += v;
    total += prefix ** 4;
  }
  return total;
};
const issue23Continuous = [
  { name: 'salomon-5d', kind: 'multimodal, rings on a radial trend', space: doubles(5, -10, 10), minimum: 0, evaluate: salomon },
  { name: 'schaffer-f7-3d', kind: 'multimodal, ripples on a square-root trend', space: doubles(3, -100, 100), minimum: 0, evaluate: schafferF7 },
  { name: 'trid-6d', kind: 'unimodal, coupled quadratic', space: doubles(6, -36, 36), minimum: -50, evaluate: trid },
  { name: 'rotated-quartic-5d', kind: 'unimodal, coupled quartic, large dynamic range', space: doubles(5, -5, 10), minimum: 0, evaluate: rotatedQuartic },
];

const continuous = [
  { name: 'dixon-price-6d', kind: 'unimodal valley', space: doubles(6, -10, 10), minimum: 0, evaluate: dixonPrice },
  { name: 'schwefel-4d', kind: 'multimodal, deceptive', space: doubles(4, -500, 500), minimum: 0, evaluate: schwefel },
  { name: 'alpine-6d', kind: 'multimodal, additive', space: doubles(6, -10, 10), minimum: 0, evaluate: alpine },
  { name: 'powell-8d', kind: 'unimodal, coupled quartets', space: doubles(8, -4, 5), minimum: 0, evaluate: powell },
  { name: 'different-powers-6d', kind: 'unimodal, uneven curvature', space: doubles(6, -1, 1), minimum: 0, evaluate: differentPowers },
  { name: 'qing-5d', kind: 'multimodal, additive', space: doubles(5, -5, 5), minimum: 0, evaluate: qing },
  ...issue23Continuous,
];

const conditional = [
  {
    name: 'two-branch',
    kind: 'a safe branch (floor 0.2) beside one that reaches 0 with two children tuned',
    space: searchSpace({ kind: categorical(['safe', 'tuned'], { when: [
      { parentValues: ['safe'], parameters: { s: double(0, 1) } },
      { parentValues: ['tuned'], parameters: { t1: double(1e-4, 1, { scale: 'log' }), t2: double(0, 1) } }] }) }),
    minimum: 0,
    evaluate: (p) => (p.kind === 'safe' ? 0.2 + 0.1 * (p.s - 0.5) ** 2 : 0.4 * (Math.log10(p.t1) + 2) ** 2 + 2 * (p.t2 - 0.6) ** 2),
  },
  {
    name: 'three-branch',
    kind: 'three algorithms with 1-3 children each, and a shared double',
    space: searchSpace({ algo: categorical(['a', 'b', 'c'], { when: [
      { parentValues: ['a'], parameters: { a1: double(0, 1) } },
      { parentValues: ['b'], parameters: { b1: integer(1, 100, { scale: 'log' }), b2: integer(1, 10) } },
      { parentValues: ['c'], parameters: { c1: double(1e-4, 1, { scale: 'log' }), c2: discrete([8, 16, 32, 64]), c3: double(0, 1) } }] }),
      shared: double(0, 1) }),
    minimum: 0,
    evaluate: (p) => 0.1 * (p.shared - 0.4) ** 2 + (p.algo === 'a' ? 0.5 + 0.1 * p.a1 : p.algo === 'b' ? 0.12 + 0.05 * (Math.log10(p.b1) - 1) ** 2 + 0.004 * (p.b2 - 5) ** 2
      : 0.25 * (Math.log10(p.c1) + 2.5) ** 2 + 0.05 * (Math.log2(p.c2) - 5) ** 2 + 1.2 * (p.c3 - 0.3) ** 2),
  },
  {
    name: 'harsh-branch',
    kind: 'a branch that is best only with its four children tuned, beside two easy mediocre ones',
    space: searchSpace({ family: categorical(['p', 'q', 'r'], { when: [
      { parentValues: ['p'], parameters: { p1: integer(1, 50) } },
      { parentValues: ['q'], parameters: { q1: double(1e-3, 1e3, { scale: 'log' }), q2: double(-1, 1) } },
      { parentValues: ['r'], parameters: { r1: double(1e-6, 1, { scale: 'log' }), r2: integer(1, 12), r3: double(0, 1), r4: discrete([2, 4, 8, 16, 32]) } }] }) }),
    minimum: 0,
    evaluate: (p) => (p.family === 'p' ? 0.3 + 0.001 * Math.abs(p.p1 - 20) : p.family === 'q' ? 0.1 + 0.02 * Math.log10(p.q1) ** 2 + 0.05 * p.q2 ** 2
      : 0.2 * (Math.log10(p.r1) + 3.5) ** 2 + 0.01 * (p.r2 - 7) ** 2 + (p.r3 - 0.2) ** 2 + 0.03 * (Math.log2(p.r4) - 3) ** 2),
  },
  {
    name: 'kernel-choice',
    kind: 'four kernels with 0-2 children and a shared log tolerance',
    space: searchSpace({ kernel: categorical(['lin', 'poly', 'rbf', 'sig'], { when: [
      { parentValues: ['poly'], parameters: { degree: integer(2, 6), coef: double(0, 10) } },
      { parentValues: ['rbf'], parameters: { gamma: double(1e-5, 10, { scale: 'log' }), cost: double(1e-2, 1e4, { scale: 'log' }) } },
      { parentValues: ['sig'], parameters: { slope: double(0.01, 5, { scale: 'log' }) } }] }), tol: double(1e-5, 1e-1, { scale: 'log' }) }),
    minimum: 0,
    evaluate: (p) => 0.01 * (Math.log10(p.tol) + 3) ** 2 + (p.kernel === 'lin' ? 0.25 : p.kernel === 'poly' ? 0.12 + 0.01 * (p.degree - 3) ** 2 + 0.002 * (p.coef - 4) ** 2
      : p.kernel === 'rbf' ? 0.12 * (Math.log10(p.gamma) + 2.2) ** 2 + 0.04 * (Math.log10(p.cost) - 1.5) ** 2 : 0.35 + 0.05 * Math.log10(p.slope) ** 2),
  },
];

const mixed = [
  {
    name: 'mixed-augmentation',
    kind: 'three categoricals, 6-valued log discrete, log integer, double',
    space: searchSpace({
      augment: categorical(['none', 'flip', 'crop', 'mixup']),
      norm: categorical(['batch', 'layer', 'none']),
      schedule: categorical(['constant', 'cosine', 'step']),
      batch_size: discrete([8, 16, 32, 64, 128, 256], { scale: 'log' }),
      warmup: integer(1, 1000, { scale: 'log' }),
      weight_decay: double(0, 0.3),
    }),
    minimum: 0,
    evaluate: (p) =>
      ({ none: 0.06, flip: 0.02, crop: 0, mixup: 0.01 })[p.augment] + ({ batch: 0, layer: 0.005, none: 0.05 })[p.norm] +
      ({ constant: 0.03, cosine: 0, step: 0.008 })[p.schedule] + 0.004 * (Math.log2(p.batch_size) - 5) ** 2 +
      0.02 * (Math.log10(p.warmup) - 2) ** 2 + 0.5 * (p.weight_decay - 0.05) ** 2,
  },
];

// Issue 22, fifth round: more problems of the kinds the evaluation half's last run left hptune's TPE
// behind on (6-dimensional multimodal functions with a global trend, 6-dimensional coupled unimodal
// ones, a table replayed with one training seed's noise), so that a change aimed at those kinds is
// judged here and not there. Standard test functions that are not in the suite (Pintér, Salomon,
// Trid, Brown) on ranges that keep the optimum off the centre, and a made-up table. Salomon and
// Trid are the functions issue 23's block above defines (written the same in both blocks, merged
// into one); trid-6d is that block's problem, the same range and minimum as this round's.
const pinter = (p) => {
  const x = vector(p);
  const n = x.length;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    const before = x[(i + n - 1) % n];
    const after = x[(i + 1) % n];
    const a = before * Math.sin(x[i]) + Math.sin(after);
    const b = before ** 2 - 2 * x[i] + 3 * after - Math.cos(x[i]) + 1;
    total += (i + 1) * x[i] ** 2 + 20 * (i + 1) * Math.sin(a) ** 2 + (i + 1) * Math.log10(1 + (i + 1) * b ** 2);
  }
  return total;
};
const brown = (p) => {
  const x = vector(p);
  let total = 0;
  for (let i = 0; i + 1 < x.length; i += 1) total += (x[i] ** 2) ** (x[i + 1] ** 2 + 1) + (x[i + 1] ** 2) ** (x[i] ** 2 + 1);
  return total;
};

/**
 * A made-up table of a gradient-boosting run's validation error (%), 3 boosters x 6 depths x 8 log
 * learning rates x 4 subsample rates, for two training seeds: a smooth surface (each booster has
 * its own best learning rate and depth) plus a fixed per-seed deviation of each configuration.
 */
const BOOSTERS = ['gbtree', 'dart', 'linear'];
const DEPTHS = [2, 3, 4, 6, 8, 12];
const RATES = [0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.6];
const SUBSAMPLES = [0.5, 0.7, 0.85, 1];
const seedDeviation = (key, seed) => {
  // A fixed pseudo-random deviation per (configuration, seed): FNV-1a of the key, two uniforms, Box-Muller.
  let hash = 0x811c9dc5;
  for (const char of `${key}#${seed}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  const u1 = ((hash & 0xffff) + 1) / 65537;
  const u2 = (hash >>> 16) / 65536;
  return 0.35 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
};
const boostingSurface = ({ booster, depth, rate, subsample }) => {
  const best = { gbtree: { rate: 0.05, depth: 6, floor: 8.2 }, dart: { rate: 0.1, depth: 4, floor: 8.0 }, linear: { rate: 0.2, depth: 3, floor: 10.5 } }[booster];
  const depthCost = booster === 'linear' ? 0.05 * Math.abs(Math.log2(depth / best.depth)) : 0.9 * Math.log2(depth / best.depth) ** 2;
  return best.floor + 2.2 * Math.log10(rate / best.rate) ** 2 + depthCost + 1.5 * (subsample - 0.8) ** 2 + (booster === 'dart' ? 0.6 * Math.log10(rate / best.rate) * Math.log2(depth / best.depth) : 0);
};
const boostingKey = (p) => `${p.booster}/${p.depth}/${p.rate}/${p.subsample}`;
const boostingSeeds = (p) => [0, 1].map((seed) => boostingSurface(p) + seedDeviation(boostingKey(p), seed));
const boostingMean = (p) => boostingSeeds(p).reduce((a, b) => a + b, 0) / 2;
const boostingMinimum = Math.min(...BOOSTERS.flatMap((booster) => DEPTHS.flatMap((depth) => RATES.flatMap((rate) => SUBSAMPLES.map((subsample) => boostingMean({ booster, depth, rate, subsample }))))));

const trendAndCoupled = [
  { name: 'pinter-6d', family: 'continuous', kind: 'multimodal with a global quadratic trend, coupled neighbours', space: doubles(6, -6, 10), minimum: 0, evaluate: pinter },
  { name: 'salomon-6d', family: 'continuous', kind: 'multimodal rings around a linear trend', space: doubles(6, -40, 60), minimum: 0, evaluate: salomon },
  { name: 'brown-6d', family: 'continuous', kind: 'unimodal, neighbours coupled through the exponents', space: doubles(6, -1, 4), minimum: 0, evaluate: brown },
  {
    name: 'boosting-table-seed-noise',
    family: 'table',
    kind: 'a made-up table; the sampler sees one seed\'s error, drawn at random; regret on the mean',
    space: searchSpace({
      booster: categorical(BOOSTERS),
      depth: discrete(DEPTHS, { scale: 'log' }),
      rate: discrete(RATES, { scale: 'log' }),
      subsample: discrete(SUBSAMPLES),
    }),
    minimum: boostingMinimum,
    evaluate: boostingMean,
    observe: (p, random) => boostingSeeds(p)[Math.floor(random() * 2)],
  },
];

// Issue 23, fifth round: one more problem of each of the two kinds the GP still trails CMA-ES on,
// standard test functions not in the suite, each on a range whose centre is not the optimum (CMA-ES
// starts at the centre). A rotated high-conditioned elliptic (CEC 2005's F3 form: condition 1e3 here,
// a fixed rotation made of Givens rotations in every plane, a fixed shift): unimodal, coupled, a
// large dynamic range. The deflected corrugated spring (Jamil and Yang's list, alpha 5, K 5): rings
// around the optimum on a quadratic trend, on [0, 14] instead of [0, 10] so the centre is off it.
const ELLIPTIC_SHIFT = [2.1, -1.3, 0.8, -2.6, 1.7, -0.4];
const ellipticRotation = (() => {
  const n = ELLIPTIC_SHIFT.length;
  const rotation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const angle = 0.4 + 0.3 * i + 0.2 * j;
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      for (const row of rotation) [row[i], row[j]] = [c * row[i] - s * row[j], s * row[i] + c * row[j]];
    }
  }
  return rotation;
})();
const rotatedElliptic = (p) => {
  const x = vector(p).map((v, i) => v - ELLIPTIC_SHIFT[i]);
  const n = x.length;
  return ellipticRotation.reduce((sum, row, i) => sum + 1e3 ** (i / (n - 1)) * row.reduce((z, r, j) => z + r * x[j], 0) ** 2, 0);
};
const corrugatedSpring = (p) => {
  const r2 = vector(p).reduce((sum, v) => sum + (v - 5) ** 2, 0);
  return 0.1 * r2 - Math.cos(5 * Math.sqrt(r2));
};
const issue23Round5 = [
  { name: 'rotated-elliptic-6d', family: 'continuous', kind: 'unimodal, rotated, condition 1e3', space: doubles(6, -5, 5), minimum: 0, evaluate: rotatedElliptic },
  { name: 'corrugated-spring-5d', family: 'continuous', kind: 'multimodal rings on a quadratic trend', space: doubles(5, 0, 14), minimum: -1, evaluate: corrugatedSpring },
];

const noisy = (problem, sd) => ({ ...problem, name: `${problem.name}+noise`, kind: `${problem.kind}, Gaussian noise sd ${sd}`, noise: sd });

/** The extra tuning problems, each with its family, `half: 'extra'` and whether it is all doubles. */
export const EXTRA_PROBLEMS = [
  ...continuous.map((problem) => ({ ...problem, family: 'continuous' })),
  ...mixed.map((problem) => ({ ...problem, family: 'mixed' })),
  ...conditional.map((problem) => ({ ...problem, family: 'conditional' })),
  { ...noisy(continuous[2], 0.5), family: 'noisy' },
  { ...noisy(mixed[0], 0.01), family: 'noisy' },
  { ...noisy(conditional[3], 0.03), family: 'noisy' },
  ...trendAndCoupled,
  ...issue23Round5,
].map((problem) => ({ ...problem, half: 'extra', continuous: Object.values(problem.space.parameters).every((spec) => spec.kind === 'double' && !spec.conditions) }));
