#!/usr/bin/env node
// `pnpm bench:stopping --curves`: every early-stopping rule on a stand-in grid with known learning
// curves (27 trials of 9 steps, `scripts/stopping-curves/`), through the real local coordinator
// (trainer processes, metric files, SIGTERM), against Optuna 3.1's pruners given the same curves in
// the same order (Debian's python3-optuna, run by this command). Both one trial at a time and 2 in
// parallel, at 100 ms and 1 s per step. Prints each run's decisions (trial@step) beside the
// reference's, the steps trained (and those trained after a decision), whether the true best ended
// as the study's best, and the coordinator's own cost per trial.
//
//   node scripts/bench-stopping-curves.mjs [--rules asha,median,hyperband] [--step-ms 100,1000] [--parallel 1,2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asha, bestTrial, hyperband, launchStudy, local, median } from '../packages/core/dist/index.js';
import { seedSearchSpace } from '../packages/trainer/dist/settings.js';
import { BEST, CURVES, STEPS, TRIALS } from './stopping-curves/curves.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TRAINER = join(here, 'stopping-curves/trainer.mjs');
const REFERENCE = join(here, 'stopping-curves/optuna_reference.py');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--curves'),
  options: { rules: { type: 'string', default: 'asha,median,hyperband' }, 'step-ms': { type: 'string', default: '100,1000' }, parallel: { type: 'string', default: '1,2' } },
});
const rules = values.rules.split(',');
const stepLengths = values['step-ms'].split(',').map(Number);
const parallels = values.parallel.split(',').map(Number);
const RULES = {
  asha: () => asha({ maxStep: STEPS }),
  median: () => median(),
  hyperband: () => hyperband({ maxStep: STEPS }),
};
const REFERENCE_NAME = { asha: 'SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)', median: 'MedianPruner() (defaults)', hyperband: 'HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)' };
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
const studyName = (rule) => `curves-${rule}`;

// The reference: one Python process for every run, decisions only (its time model needs no clock).
const request = { curves: CURVES, runs: rules.flatMap((rule) => parallels.map((parallel) => ({ rule, parallel, studyName: studyName(rule) }))) };
const python = spawnSync(PYTHON, [REFERENCE], { input: JSON.stringify(request), encoding: 'utf8' });
if (python.status !== 0) {
  console.error(`the Optuna reference failed (${PYTHON} ${REFERENCE}; apt-get install -y python3-optuna): ${python.stderr.trim().split('\n').at(-1)}`);
  process.exit(1);
}
const reference = JSON.parse(python.stdout);
const referenceOf = (rule, parallel) => reference.runs.find((run) => run.rule === rule && run.parallel === parallel);

const decisions = (prunedAt) => prunedAt.flatMap((step, index) => (step === null ? [] : [`${index + 1}@${step}`])).join(' ');
const percentile = (values, p) => {
  const sorted = values.filter((value) => value !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => (value === undefined ? '-' : `${value.toFixed(0)}`);

async function runOne(rule, stepMs, parallel) {
  const studyDir = mkdtempSync(join(tmpdir(), 'hptune-bench-curves-'));
  const loadBefore = load();
  const started = performance.now();
  try {
    const handle = await launchStudy({
      name: studyName(rule),
      space: seedSearchSpace,
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: parallel,
      trainer: { command: process.execPath, args: [TRAINER, `--step-ms=${stepMs}`] },
      studyDir,
      backend: local({ stopGracePeriodSeconds: 5 }),
      earlyStopping: RULES[rule](),
    });
    const { trials, study } = await handle.wait();
    const wall = (performance.now() - started) / 1000;
    const timings = handle.backend.timings();
    const byId = new Map(trials.map((trial) => [trial.id, trial]));
    const prunedAt = Array.from({ length: TRIALS }, (_, index) => {
      const trial = byId.get(String(index + 1));
      return trial?.stoppedEarly ? trial.stoppedAtStep : null;
    });
    const trained = trials.reduce((sum, trial) => sum + trial.measurements.length + (trial.measurementsAfterStop?.length ?? 0), 0);
    const afterDecision = trials.map((trial) => trial.measurementsAfterStop?.length ?? 0);
    const best = bestTrial(trials, study.metric);
    return {
      rule,
      stepMs,
      parallel,
      wall,
      loadBefore,
      loadAfter: load(),
      prunedAt,
      trained,
      afterDecision: afterDecision.reduce((sum, count) => sum + count, 0),
      afterDecisionMax: Math.max(0, ...afterDecision),
      stopped: prunedAt.filter((step) => step !== null).length,
      best: best ? Number(best.id) : undefined,
      failed: trials.filter((trial) => trial.state !== 'SUCCEEDED').length,
      cost: {
        start: timings.map((timing) => (timing.runningAt === undefined ? undefined : timing.runningAt - timing.decidedAt)),
        firstReport: timings.map((timing) => timing.firstMeasurementLagMs),
        decision: timings.map((timing) => timing.stopLagMs),
        end: timings.map((timing) => (timing.recordedAt === undefined || timing.exitedAt === undefined ? undefined : timing.recordedAt - timing.exitedAt)),
      },
    };
  } finally {
    rmSync(studyDir, { recursive: true, force: true });
  }
}

console.log(`pnpm bench:stopping --curves: ${TRIALS} trials x ${STEPS} steps (true best: trial ${BEST + 1}); reference: Optuna ${reference.optuna} (${PYTHON}); load average at start: ${load()}`);
const results = [];
for (const rule of rules) {
  for (const stepMs of stepLengths) {
    for (const parallel of parallels) {
      const result = await runOne(rule, stepMs, parallel);
      results.push(result);
      const ref = referenceOf(rule, parallel);
      const same = result.prunedAt.every((step, index) => step === ref.prunedAt[index]);
      console.log(`\n${rule} (reference ${REFERENCE_NAME[rule]}), ${stepMs} ms steps, ${parallel} at a time: ${result.wall.toFixed(1)} s, load average ${result.loadBefore} -> ${result.loadAfter}`);
      console.log(`  hptune   stopped (trial@step): ${decisions(result.prunedAt) || '-'}`);
      console.log(`  optuna   pruned  (trial@step): ${decisions(ref.prunedAt) || '-'}`);
      console.log(`  ${same ? 'same decisions' : `DIFFERENT: ${result.prunedAt.flatMap((step, index) => (step === ref.prunedAt[index] ? [] : [`trial ${index + 1} hptune ${step ?? 'ran'} / optuna ${ref.prunedAt[index] ?? 'ran'}`])).join(', ')}`}`);
      console.log(`  steps trained ${result.trained} (optuna ${ref.stepsTrained}), ${result.afterDecision} of them after a decision (at most ${result.afterDecisionMax} per trial, ${result.stopped} trials stopped); best trial ${result.best} (optuna ${ref.best}, true best ${BEST + 1}); ${result.failed} not SUCCEEDED`);
      const { cost } = result;
      console.log(
        `  coordinator per trial, median / max ms: start ${ms(percentile(cost.start, 50))} / ${ms(percentile(cost.start, 100))}, first report seen ${ms(percentile(cost.firstReport, 50))} / ${ms(percentile(cost.firstReport, 100))}, ` +
          `decision to SIGTERM ${ms(percentile(cost.decision, 50))} / ${ms(percentile(cost.decision, 100))}, exit to recorded ${ms(percentile(cost.end, 50))} / ${ms(percentile(cost.end, 100))}`,
      );
    }
  }
}

console.log('\n| rule | step | at a time | stopped: same as Optuna | steps trained (Optuna) | after a decision (max per trial) | best (true best 21) | wall s |');
console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
for (const result of results) {
  const ref = referenceOf(result.rule, result.parallel);
  const differing = result.prunedAt.filter((step, index) => step !== ref.prunedAt[index]).length;
  console.log(
    `| ${result.rule} | ${result.stepMs} ms | ${result.parallel} | ${differing === 0 ? 'yes' : `no (${differing} of ${TRIALS} differ)`} | ${result.trained} (${ref.stepsTrained}) | ${result.afterDecision} (${result.afterDecisionMax}) | ${result.best} (Optuna ${ref.best}) | ${result.wall.toFixed(1)} |`,
  );
}
console.log(`\nload average at end: ${load()}`);
