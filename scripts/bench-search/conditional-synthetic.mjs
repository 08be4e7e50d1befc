#!/usr/bin/env node
// Synthetic conditional spaces, made up for tuning TPE's conditional parents (issue 22) and kept
// apart from the bench's halves, plus the tuning half's conditional-optimizer. For each space:
// the median of the best value of `trials` trials over `seeds` seeds (the minimum is 0), how many
// seeds' best trial is under the better branch, and per seed how many of the suggestions after
// start-up chose that branch.
//
//   pnpm --filter @hptune/core build && node scripts/bench-search/conditional-synthetic.mjs [names] [seeds 10] [trials 60]
import { categorical, createSampler, discrete, double, integer, searchSpace } from '../../packages/core/dist/index.js';
import { PROBLEMS } from './problems.mjs';
const METRIC = { id: 'value', goal: 'minimize' };
const synth = {
  // safe branch: floor 0.2, flat-ish; tuned branch: 0 at its optimum, bad when random
  'two-branch': {
    space: searchSpace({ kind: categorical(['safe', 'tuned'], { when: [
      { parentValues: ['safe'], parameters: { s: double(0, 1) } },
      { parentValues: ['tuned'], parameters: { t1: double(1e-4, 1, { scale: 'log' }), t2: double(0, 1) } }] }) }),
    f: (p) => p.kind === 'safe' ? 0.2 + 0.1 * (p.s - 0.5) ** 2 : 0.4 * (Math.log10(p.t1) + 2) ** 2 + 2 * (p.t2 - 0.6) ** 2,
    good: 'tuned',
  },
  'three-branch': {
    space: searchSpace({ algo: categorical(['a', 'b', 'c'], { when: [
      { parentValues: ['a'], parameters: { a1: double(0, 1) } },
      { parentValues: ['b'], parameters: { b1: integer(1, 100, { scale: 'log' }), b2: integer(1, 10) } },
      { parentValues: ['c'], parameters: { c1: double(1e-4, 1, { scale: 'log' }), c2: discrete([8, 16, 32, 64]), c3: double(0, 1) } }] }),
      shared: double(0, 1) }),
    f: (p) => 0.1 * (p.shared - 0.4) ** 2 + (p.algo === 'a' ? 0.5 + 0.1 * p.a1 : p.algo === 'b' ? 0.12 + 0.05 * (Math.log10(p.b1) - 1) ** 2 + 0.004 * (p.b2 - 5) ** 2
      : 0.25 * (Math.log10(p.c1) + 2.5) ** 2 + 0.05 * (Math.log2(p.c2) - 5) ** 2 + 1.2 * (p.c3 - 0.3) ** 2),
    good: 'c',
  },
  // a branch that is good only once its four children are tuned, beside two easy mediocre ones
  'harsh': {
    space: searchSpace({ family: categorical(['p', 'q', 'r'], { when: [
      { parentValues: ['p'], parameters: { p1: integer(1, 50) } },
      { parentValues: ['q'], parameters: { q1: double(1e-3, 1e3, { scale: 'log' }), q2: double(-1, 1) } },
      { parentValues: ['r'], parameters: { r1: double(1e-6, 1, { scale: 'log' }), r2: integer(1, 12), r3: double(0, 1), r4: discrete([2, 4, 8, 16, 32]) } }] }) }),
    f: (p) => p.family === 'p' ? 0.3 + 0.001 * Math.abs(p.p1 - 20) : p.family === 'q' ? 0.1 + 0.02 * Math.log10(p.q1) ** 2 + 0.05 * p.q2 ** 2
      : 0.2 * (Math.log10(p.r1) + 3.5) ** 2 + 0.01 * (p.r2 - 7) ** 2 + 1.0 * (p.r3 - 0.2) ** 2 + 0.03 * (Math.log2(p.r4) - 3) ** 2,
    good: 'r',
  },
};
const opt = PROBLEMS.find((p) => p.name === 'conditional-optimizer');
synth['conditional-optimizer'] = { space: opt.space, f: opt.evaluate, good: 'adam' };
const names = (process.argv[2] ?? Object.keys(synth).join(',')).split(',');
const seeds = Number(process.argv[3] ?? 10), trials = Number(process.argv[4] ?? 60);
const parentOf = (p) => p.kind ?? p.algo ?? p.optimizer ?? p.family;
for (const name of names) {
  const { space, f, good } = synth[name];
  const regrets = [], hits = [], shares = [];
  for (let seed = 0; seed < seeds; seed += 1) {
    const s = createSampler({ algorithm: 'tpe', space, metric: METRIC, seed });
    const hist = []; let best = Infinity, bestP;
    for (let i = 0; i < trials; i += 1) {
      const p = s.suggest(hist); const v = f(p);
      const m = { step: 1, metrics: { value: v }, elapsedSeconds: 0 };
      hist.push({ id: String(i + 1), state: 'SUCCEEDED', parameters: p, measurements: [m], finalMeasurement: m });
      if (v < best) { best = v; bestP = p; }
    }
    regrets.push(best); hits.push(parentOf(bestP) === good ? 1 : 0);
    shares.push(hist.slice(10).filter((t) => parentOf(t.parameters) === good).length);
  }
  const med = [...regrets].sort((a, b) => a - b)[Math.floor(seeds / 2)];
  console.log(`${name}: median best ${med.toPrecision(3)}, good branch best in ${hits.reduce((a, b) => a + b)}/${seeds}, good-branch suggestions after startup ${shares.join(' ')}`);
}
