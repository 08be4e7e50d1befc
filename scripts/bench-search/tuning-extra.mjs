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

const noisy = (problem, sd) => ({ ...problem, name: `${problem.name}+noise`, kind: `${problem.kind}, Gaussian noise sd ${sd}`, noise: sd });

/** The extra tuning problems, each with its family, `half: 'extra'` and whether it is all doubles. */
export const EXTRA_PROBLEMS = [
  ...continuous.map((problem) => ({ ...problem, family: 'continuous' })),
  ...mixed.map((problem) => ({ ...problem, family: 'mixed' })),
  ...conditional.map((problem) => ({ ...problem, family: 'conditional' })),
  { ...noisy(continuous[2], 0.5), family: 'noisy' },
  { ...noisy(mixed[0], 0.01), family: 'noisy' },
  { ...noisy(conditional[3], 0.03), family: 'noisy' },
].map((problem) => ({ ...problem, half: 'extra', continuous: Object.values(problem.space.parameters).every((spec) => spec.kind === 'double' && !spec.conditions) }));
