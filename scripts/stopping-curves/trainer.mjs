#!/usr/bin/env node
// The stand-in trainer of `pnpm bench:stopping --curves`: trial N (CLOUD_ML_TRIAL_ID) trains for
// --step-ms per step and reports the N-th known curve's accuracy after each of its 9 steps, as
// cloudml-hypertune does (rewrite the metric file with the last 100 reports: temporary file, rename),
// then writes the completion marker. SIGTERM ends it at once (Node's default).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CURVES } from './curves.mjs';

const stepMs = Number(process.argv.find((arg) => arg.startsWith('--step-ms='))?.slice('--step-ms='.length) ?? 100);
const trial = process.env.CLOUD_ML_TRIAL_ID ?? '1';
const metricFile = process.env.CLOUD_ML_HP_METRIC_FILE;
const curve = CURVES[Number(trial) - 1];
if (!metricFile || !curve) {
  console.error(`curve-trainer: no curve for trial ${trial} or no CLOUD_ML_HP_METRIC_FILE`);
  process.exit(2);
}
mkdirSync(dirname(metricFile), { recursive: true });
const lines = [];
for (let step = 1; step <= curve.length; step += 1) {
  await sleep(stepMs);
  lines.push(JSON.stringify({ accuracy: String(curve[step - 1]), global_step: String(step), timestamp: Date.now() / 1000, trial }));
  writeFileSync(`${metricFile}.tmp`, lines.slice(-100).join('\n') + '\n');
  renameSync(`${metricFile}.tmp`, metricFile);
}
if (process.env.AIP_MODEL_DIR) {
  mkdirSync(process.env.AIP_MODEL_DIR, { recursive: true });
  writeFileSync(join(process.env.AIP_MODEL_DIR, 'hptune-complete.json'), JSON.stringify({ version: 1, exitCode: 0, completedAt: new Date().toISOString() }) + '\n');
}
