// Metric intake under a flood: a trainer that writes 100,000 metric lines (8 MB), as fast as it
// can, and exits, beside a trial whose 2 s timeout must fire on time. Every line is recorded once and
// soon after its trainer's exit, the coordinator's memory stays bounded, and its event loop never
// stalls long enough to make another trial's timer late (issue 24, item 2).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CaseResult, problemList } from './lib/cases.mjs';
import { importCore, scratchDir } from './lib/env.mjs';

const LINES = 100_000;
const TIMEOUT_SECONDS = 5;
/** The most the coordinator's RSS may grow while it records the flood (issue 24 item 2: under 50 MB). */
const MAX_RSS_GROWTH_MIB = 50;

// Appends its lines in blocks of 5,000, writes done.json (when it finished writing), exits 0; `hang` waits for SIGTERM.
const TRAINER = `
const { mkdirSync, openSync, writeSync, closeSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const mode = process.argv.find((arg) => arg.startsWith('--mode=')).slice('--mode='.length);
if (mode === 'hang') setInterval(() => {}, 1000);
else {
  const file = process.env.CLOUD_ML_HP_METRIC_FILE;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  const started = Date.now() / 1000;
  let block = [];
  for (let step = 1; step <= ${LINES}; step += 1) {
    block.push('{"accuracy": "' + (step / ${LINES}).toFixed(6) + '", "global_step": "' + step + '", "timestamp": ' + (started + step / 1e6) + ', "trial": "' + process.env.CLOUD_ML_TRIAL_ID + '"}');
    if (block.length === 5000) {
      writeSync(fd, block.join('\\n') + '\\n');
      block = [];
    }
  }
  closeSync(fd);
  writeFileSync('done.json', JSON.stringify({ doneAt: Date.now() }));
}
`;

export async function run() {
  const core = await importCore();
  const dir = scratchDir('metric-intake');
  const trainer = join(dir, 'flood-trainer.cjs');
  writeFileSync(trainer, TRAINER);
  const row = new CaseResult(
    `metric intake: a trainer writing ${LINES.toLocaleString('en')} metric lines (8 MB) at once, beside a trial with a ${TIMEOUT_SECONDS} s timeout`,
    `the flood recorded whole (every line once) within 3 s of its trainer's last line; the other trial's timeout fires under 1 s late; coordinator RSS grows under ${MAX_RSS_GROWTH_MIB} MiB (peak, sampled every 25 ms)`,
  );
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  const studyDir = join(dir, 'studies');
  const handle = await core.launchStudy({
    name: 'flood',
    space: core.searchSpace({ mode: core.categorical(['flood', 'hang']) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trialTimeoutSeconds: TIMEOUT_SECONDS,
    trainer: { command: process.execPath, args: [trainer] },
    studyDir,
    backend: core.local({ pollIntervalMs: 500, stopGracePeriodSeconds: 1 }),
  });
  const result = await handle.wait().catch((error) => ({ error }));
  clearInterval(sampler);
  loop.disable();
  const { user, system } = process.cpuUsage(cpu);
  const grown = (peak - baseline) / 1024 / 1024;
  const stall = loop.max / 1e6;
  if (result.error) {
    row.record('the study', [`ended with ${result.error.code}: ${result.error.message}`]);
    return [row];
  }
  const figures = [];
  for (const trial of result.trials) {
    const { problems, expect } = problemList();
    const mode = trial.parameters.mode;
    const trialDir = join(studyDir, 'flood', trial.id);
    if (mode === 'hang') {
      expect(trial.state === 'INFEASIBLE' && trial.failure?.kind === 'timeout', `expected a timeout, got ${trial.state} ${JSON.stringify(trial.failure)}`);
      // endTime - startTime: the timeout, the grace of a trainer that exits on SIGTERM at once, and the recording.
      const late = (Date.parse(trial.endTime) - Date.parse(trial.startTime)) / 1000 - TIMEOUT_SECONDS;
      figures.push(`timeout ${late.toFixed(2)} s late`);
      expect(late < 1, `its ${TIMEOUT_SECONDS} s timeout ended it ${late.toFixed(2)} s late`);
    } else {
      const steps = trial.measurements.map((measurement) => measurement.step);
      expect(trial.state === 'SUCCEEDED', `${trial.state} ${JSON.stringify(trial.failure)}`);
      expect(steps.length === LINES && steps.every((step, index) => step === index + 1), `${steps.length} measurements, not steps 1..${LINES} once each`);
      let doneAt;
      try {
        doneAt = JSON.parse((await import('node:fs')).readFileSync(join(trialDir, 'done.json'), 'utf8')).doneAt;
      } catch {
        doneAt = undefined;
      }
      const after = doneAt === undefined ? undefined : (Date.parse(trial.endTime) - doneAt) / 1000;
      figures.push(`${mode} recorded ${after === undefined ? '?' : after.toFixed(2)} s after its last line`);
      expect(after !== undefined && after < 3, `recorded ${after} s after its trainer's last line`);
    }
    row.record(`trial ${trial.id} (${mode})`, problems);
  }
  row.record('coordinator memory', grown < MAX_RSS_GROWTH_MIB ? [] : [`RSS grew ${grown.toFixed(0)} MiB, not under ${MAX_RSS_GROWTH_MIB}`]);
  row.checked += ` (this run: ${figures.join(', ')}; RSS +${grown.toFixed(0)} MiB; longest event-loop stall ${stall.toFixed(0)} ms; coordinator CPU ${((user + system) / 1e6).toFixed(1)} s)`;
  return [row];
}
