#!/usr/bin/env node
// The conditional spaces made up for tuning TPE's conditional parents (issue 22; defined in
// tuning-extra.mjs, never in the evaluation half), plus the tuning half's conditional-optimizer. For each space:
// the median of the best value of `trials` trials over `seeds` seeds (the minimum is 0), how many
// seeds' best trial is under the better branch, and per seed how many of the suggestions after
// start-up chose that branch.
//
//   pnpm --filter @hptune/core build && node scripts/bench-search/conditional-synthetic.mjs [two-branch,three-branch,harsh-branch,kernel-choice,conditional-optimizer] [seeds 10] [trials 60]
import { createSampler } from '../../packages/core/dist/index.js';
import { PROBLEMS } from './problems.mjs';
import { EXTRA_PROBLEMS } from './tuning-extra.mjs';
const METRIC = { id: 'value', goal: 'minimize' };
/** Each space, with its parent and the branch that holds the minimum. */
const GOOD = { 'two-branch': ['kind', 'tuned'], 'three-branch': ['algo', 'c'], 'harsh-branch': ['family', 'r'], 'kernel-choice': ['kernel', 'rbf'], 'conditional-optimizer': ['optimizer', 'adam'] };
const synth = Object.fromEntries(
  Object.entries(GOOD).map(([name, [parent, good]]) => {
    const problem = [...EXTRA_PROBLEMS, ...PROBLEMS.filter((p) => p.half === 'tuning')].find((p) => p.name === name);
    return [name, { space: problem.space, f: problem.evaluate, parent, good }];
  }),
);
const names = (process.argv[2] ?? Object.keys(synth).join(',')).split(',');
const seeds = Number(process.argv[3] ?? 10), trials = Number(process.argv[4] ?? 60);
for (const name of names) {
  const { space, f, parent, good } = synth[name];
  const parentOf = (p) => p[parent];
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
