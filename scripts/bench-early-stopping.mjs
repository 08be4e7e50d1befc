#!/usr/bin/env node
// The seed study with early stopping, on full MNIST: `hptune study run --name seed-asha --num-epochs 9
// --early-stopping asha`, 2 trials in parallel, through the built CLI. Prints the wall time, the
// epochs trained in all, the best trial and its test accuracy (the metric the trainer reports),
// and the machine's load before and after. The same study without stopping runs only with
// --baseline (it takes about 27 x 9 epochs); without it, its cost is the measured time per
// epoch multiplied out to 27 x 9 epochs, printed as an estimate.
//
//   pnpm bench:stopping [--baseline] [--rule asha|median|hyperband|decay-curve] [-- more hptune study run flags]
//   pnpm bench:stopping --curves [...]   the stand-in grid with known curves against Optuna's pruners: see bench-stopping-curves.mjs
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestTrial, finalMetricValue, openStudy } from '../packages/core/dist/index.js';

if (process.argv.includes('--curves')) {
  await import('./bench-stopping-curves.mjs');
  process.exit(process.exitCode ?? 0);
}

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'packages/cli/dist/bin.js');
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash === -1 ? argv : argv.slice(0, dash);
const extra = dash === -1 ? [] : argv.slice(dash + 1);
const rule = own.includes('--rule') ? own[own.indexOf('--rule') + 1] : 'asha';
const EPOCHS = 9;
const GRID = 27;
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

function run(name, earlyStopping) {
  const studyDir = mkdtempSync(join(tmpdir(), 'hptune-bench-stopping-'));
  const flags = ['study', 'run', '--name', name, '--num-epochs', String(EPOCHS), '--early-stopping', earlyStopping, '--max-parallel-trial-count', '2', '--study-dir', studyDir, '--json', ...extra];
  console.log(`$ hptune ${flags.join(' ')}   (load average before: ${load()})`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...flags], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = (performance.now() - started) / 1000;
  try {
    if (result.status !== 0) throw new Error(`hptune exited ${result.status}: ${result.stderr.trim().split('\n').at(-1)}`);
    const { study, trials } = openStudy(name, { studyDir });
    const epochs = trials.reduce((sum, trial) => sum + trial.measurements.reduce((last, measurement) => Math.max(last, measurement.step), 0), 0);
    const best = bestTrial(trials, study.metric);
    const stopped = trials.filter((trial) => trial.stoppedEarly).length;
    console.log(`  wall time ${(wall / 60).toFixed(1)} min, ${epochs} epochs trained in all (${trials.length} trials, ${stopped} stopped early), load average after: ${load()}`);
    if (best) console.log(`  best trial ${best.id} (${Object.entries(best.parameters).map(([id, value]) => `${id}=${value}`).join(' ')}): test accuracy ${((finalMetricValue(best, study.metric) ?? 0) * 100).toFixed(2)}%`);
    return { wall, epochs };
  } finally {
    rmSync(studyDir, { recursive: true, force: true });
  }
}

const stopping = run(`seed-${rule}`, rule);
if (own.includes('--baseline')) {
  const full = run('seed', 'none');
  console.log(`without stopping: ${(full.wall / 60).toFixed(1)} min for ${full.epochs} epochs, ${(full.wall / stopping.wall).toFixed(2)}x the time with ${rule}`);
} else {
  const perEpoch = stopping.wall / stopping.epochs;
  console.log(
    `without stopping (estimate, not measured: ${perEpoch.toFixed(1)} s of wall time per epoch in the run above, times ${GRID} x ${EPOCHS} epochs): ` +
      `${((perEpoch * GRID * EPOCHS) / 60).toFixed(1)} min, ${((GRID * EPOCHS) / stopping.epochs).toFixed(2)}x the epochs`,
  );
}
