#!/usr/bin/env node
// The report of a 1,000-trial study: how long the page takes to open and draw every view in
// headless Chromium (goal: under 2 s), and how large the file is. The study is synthetic (4
// parameters, 10 steps per trial, a quarter stopped early, some failed) so no trainer runs.
// Run: pnpm bench:report   (builds @hptune/core and @hptune/report first)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReportData, renderReportHtml } from '../dist/index.js';
import { browserCpuSeconds, launchChromium, openReport } from './chromium.mjs';

const TRIALS = Number(process.env.TRIALS ?? 1000);
const RUNS = Number(process.env.RUNS ?? 5);

let state = 42;
const random = () => (state = (state * 16807) % 2147483647) / 2147483647;
const activations = ['relu', 'softmax', 'leakyrelu'];
const trials = [];
for (let id = 1; id <= TRIALS; id += 1) {
  const parameters = { activation: activations[Math.floor(random() * 3)], learning_rate: 10 ** (-4 + 3 * random()), batch_size: [32, 64, 128][Math.floor(random() * 3)], dropout: random() * 0.5 };
  const target = 0.6 + 0.3 * (1 - Math.abs(Math.log10(parameters.learning_rate) + 2) / 2) - (parameters.activation === 'softmax' ? 0.2 : 0) + random() * 0.05;
  const failed = random() < 0.05;
  const stopped = !failed && random() < 0.25;
  const steps = failed ? 1 : stopped ? 2 + Math.floor(random() * 5) : 10;
  const measurements = Array.from({ length: steps }, (_, index) => ({ step: index + 1, metrics: { accuracy: target * (1 - Math.exp(-(index + 1) / 3)) }, elapsedSeconds: (index + 1) * 3 }));
  const start = Date.UTC(2026, 11, 2) + id * 7000;
  trials.push({
    id: String(id),
    state: failed ? 'INFEASIBLE' : 'SUCCEEDED',
    parameters,
    measurements,
    ...(failed ? { failure: { kind: 'exit-code', reason: 'exited with code 1' } } : { finalMeasurement: measurements.at(-1) }),
    ...(stopped ? { stoppedEarly: true } : {}),
    createTime: new Date(start).toISOString(),
    startTime: new Date(start).toISOString(),
    endTime: new Date(start + steps * 3000).toISOString(),
  });
}
const source = {
  name: 'bench',
  backend: 'local',
  state: 'COMPLETED',
  running: false,
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'random',
  maxTrials: TRIALS,
  parallelTrials: 8,
  space: {
    version: 1,
    parameters: {
      activation: { kind: 'categorical', values: activations },
      learning_rate: { kind: 'double', min: 1e-4, max: 1e-1, scale: 'log' },
      batch_size: { kind: 'discrete', values: [32, 64, 128], scale: 'linear' },
      dropout: { kind: 'double', min: 0, max: 0.5, scale: 'linear' },
    },
  },
  trials,
};

const built = performance.now();
const html = renderReportHtml(buildReportData(source));
const buildMs = performance.now() - built;
const scratch = mkdtempSync(join(tmpdir(), 'hptune-bench-report-'));
const file = join(scratch, 'report.html');
writeFileSync(file, html);
// KEEP_REPORT=<file> keeps a copy, to open or profile it.
if (process.env.KEEP_REPORT) writeFileSync(process.env.KEEP_REPORT, html);
const browser = await launchChromium();
try {
  const rendered = [];
  const painted = [];
  const cpu = [];
  for (let run = 0; run < RUNS; run += 1) {
    const before = browserCpuSeconds(browser);
    const result = await openReport(browser, pathToFileURL(file).href);
    const after = browserCpuSeconds(browser);
    rendered.push(result.rendered);
    painted.push(result.painted);
    if (before !== undefined && after !== undefined) cpu.push((after - before) * 1000);
    await result.page.close();
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`report of ${TRIALS} trials: ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, built in ${buildMs.toFixed(0)} ms (data + HTML, Node)`);
  console.log(`open to every view drawn, headless Chromium, median of ${RUNS}: ${median(rendered).toFixed(0)} ms (painted: ${median(painted).toFixed(0)} ms); runs: ${rendered.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  if (cpu.length > 0) console.log(`CPU time of Chromium's processes for that, median: ${median(cpu).toFixed(0)} ms (CPU time shifts less with other load than wall time does)`);
  console.log(`load average (1, 5, 15 min): ${loadavg().map((load) => load.toFixed(2)).join(', ')} on ${(await import('node:os')).cpus().length} cores`);
} finally {
  await browser.close();
  rmSync(scratch, { recursive: true, force: true });
}
