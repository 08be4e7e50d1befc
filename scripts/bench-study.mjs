#!/usr/bin/env node
// The local coordinator's own overhead per trial: the seed study's 27-combination grid run with a
// stand-in trainer that reports its metric at once, so what is measured is hptune, not training.
// Prints, per trial, the time from deciding to start a trial to its process running, and from its
// exit to the trial being recorded. Run: pnpm --filter @hptune/core build && node scripts/bench-study.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchStudy } from '../packages/core/dist/index.js';
import { coordinatorOverhead } from '../packages/core/dist/local.js';
import { lenet5SearchSpace } from '../packages/trainer/dist/settings.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const fakeTrainer = join(root, 'packages/core/test/fixtures/study/fake-trainer.mjs');
const format = (stats) => `median ${stats.median.toFixed(1)} ms, mean ${stats.mean.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms, max ${stats.max.toFixed(1)} ms (${stats.count} trials)`;

for (const parallelTrials of [1, 2]) {
  const studyDir = mkdtempSync(join(tmpdir(), 'hptune-bench-study-'));
  try {
    const started = performance.now();
    const study = await launchStudy({
      name: 'overhead',
      space: lenet5SearchSpace,
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials,
      trainer: { command: process.execPath, args: [fakeTrainer, '--epochs=1', '--sleep-ms=0'] },
      studyDir,
    });
    await study.wait();
    const wall = (performance.now() - started) / 1000;
    const overhead = coordinatorOverhead(study.backend.timings());
    console.log(`coordinator overhead, 27 trials, ${parallelTrials} in parallel (study wall time ${wall.toFixed(1)} s):`);
    console.log(`  start  (decided -> process running):  ${format(overhead.start)}`);
    console.log(`  record (process exited -> recorded): ${format(overhead.record)}`);
  } finally {
    rmSync(studyDir, { recursive: true, force: true });
  }
}
