import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricReporter, type MetricReport } from '@hptune/trial';
import type { Measurement } from '../../study/types.js';
import { MeasurementTracker } from './measurements.js';
import { MetricFileReader, MetricIntake, STEP_COMPLETION_MIN_WAIT_MS } from './metric-intake.js';

const root = mkdtempSync(join(tmpdir(), 'hptune-intake-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const fresh = () => {
  const dir = join(root, String((folders += 1)));
  mkdirSync(dir);
  return join(dir, 'output.metrics');
};
const line = (step: number, value = step / 100) => `{"accuracy": "${value}", "global_step": "${step}", "timestamp": ${1700000000 + step / 1000}, "trial": "1"}\n`;
const steps = (reports: readonly MetricReport[]) => reports.map((report) => report.globalStep);

/** Resolves once `check` holds, polling every 2 ms; rejects after `ms` (a bound, not a sleep). */
async function within(ms: number, check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - started;
}

describe('MetricFileReader', () => {
  it('reads only what was appended since the last read, and leaves an unterminated line for the end', () => {
    const file = fresh();
    const reader = new MetricFileReader(file);
    expect(reader.read({ final: false })).toEqual({ reports: [], more: false });
    writeFileSync(file, line(1) + line(2));
    expect(steps(reader.read({ final: false }).reports)).toEqual([1, 2]);
    appendFileSync(file, line(3) + line(4).slice(0, 20));
    expect(steps(reader.read({ final: false }).reports)).toEqual([3]);
    expect(steps(reader.read({ final: false }).reports)).toEqual([]);
    appendFileSync(file, line(4).slice(20, -1));
    expect(steps(reader.read({ final: true }).reports)).toEqual([4]);
  });

  it('gives each report of a rolling window exactly once, however reads and rewrites interleave', () => {
    const file = fresh();
    const reporter = createMetricReporter({ metricFile: file, maxReports: 3, trialId: '1' });
    const reader = new MetricFileReader(file);
    const seen: number[] = [];
    // Reads after 1, 2, ... reports: up to 3 fit the window, so none is lost.
    let step = 0;
    for (const burst of [1, 1, 2, 3, 1, 3, 2, 1]) {
      for (let index = 0; index < burst; index += 1) reporter.report({ tag: 'accuracy', value: (step += 1) / 100, globalStep: step });
      seen.push(...steps(reader.read({ final: false }).reports));
    }
    seen.push(...steps(reader.read({ final: true }).reports));
    expect(seen).toEqual(Array.from({ length: step }, (_, index) => index + 1));
  });

  it('takes nothing from an in-place rewrite caught half written, then only the new lines once it is whole', () => {
    const file = fresh();
    const reader = new MetricFileReader(file);
    writeFileSync(file, line(1) + line(2) + line(3));
    expect(steps(reader.read({ final: false }).reports)).toEqual([1, 2, 3]);
    // cloudml-hypertune truncates and writes the last reports: the first half of the new window...
    writeFileSync(file, line(2));
    expect(steps(reader.read({ final: false }).reports)).toEqual([]);
    // ...then the rest, in place (same inode, the file grows after what was read).
    appendFileSync(file, line(3) + line(4));
    expect(steps(reader.read({ final: false }).reports)).toEqual([4]);
    writeFileSync(file, line(3) + line(4) + line(5));
    expect(steps(reader.read({ final: true }).reports)).toEqual([5]);
  });

  it('reports a malformed line with its file and number, takes the lines before it, and reads it again next time', () => {
    const file = fresh();
    const reader = new MetricFileReader(file);
    writeFileSync(file, line(1) + 'not json\n' + line(3));
    const first = reader.read({ final: false });
    expect(steps(first.reports)).toEqual([1]);
    expect(first.error?.message).toMatch(/line 2 is not JSON/);
    expect(reader.read({ final: true }).error?.message).toMatch(/line 2 is not JSON/);
    // Rewritten properly: the lines after the one taken come through.
    writeFileSync(file, line(1) + line(2) + line(3));
    expect(steps(reader.read({ final: true }).reports)).toEqual([2, 3]);
  });

  it('reads a 100,000-line file in bounded chunks, each line once', () => {
    const file = fresh();
    writeFileSync(file, Array.from({ length: 100_000 }, (_, index) => line(index + 1)).join(''));
    const reader = new MetricFileReader(file);
    const seen: number[] = [];
    let reads = 0;
    for (;;) {
      const read = reader.read({ final: true, maxBytes: 256 * 1024 });
      reads += 1;
      for (const report of read.reports) seen.push(report.globalStep);
      if (!read.more) break;
    }
    expect(seen.length).toBe(100_000);
    expect(seen.every((step, index) => step === index + 1)).toBe(true);
    expect(reads).toBeGreaterThan(20);
  });
});

describe('MetricIntake', () => {
  const follow = (file: string, pollIntervalMs: number) => {
    const batches: (readonly Measurement[])[] = [];
    const intake = new MetricIntake({ metricFile: file, tracker: new MeasurementTracker(Date.now() / 1000), onMeasurements: (batch) => batches.push(batch), pollIntervalMs });
    intake.start();
    return { intake, batches, measured: () => batches.flat() };
  };

  it('sees each report through the folder watch, without waiting for the poll', async () => {
    const file = fresh();
    // A poll an hour apart: whatever arrives came from the watch.
    const { intake, measured } = follow(file, 3_600_000);
    const reporter = createMetricReporter({ metricFile: file, trialId: '1' });
    const lags: number[] = [];
    for (let step = 1; step <= 5; step += 1) {
      reporter.report({ tag: 'accuracy', value: step / 10, globalStep: step });
      reporter.report({ tag: 'loss', value: 1 / step, globalStep: step });
      lags.push(await within(2_000, () => measured().length === step));
    }
    intake.close();
    expect(measured().map((measurement) => [measurement.step, Object.keys(measurement.metrics).sort()])).toEqual(
      [1, 2, 3, 4, 5].map((step) => [step, ['accuracy', 'loss']]),
    );
    // Each arrived well inside the bound: a lag of a poll interval would have failed above.
    expect(Math.max(...lags)).toBeLessThan(2_000);
  });

  // A 2 s poll bounds the wait far beyond the gap below; a 20 ms poll (as a test or an impatient
  // user sets it) still waits STEP_COMPLETION_MIN_WAIT_MS, not one poll interval.
  it.each([2_000, 20])('waits for the rest of a step whose step before had more tags, rather than split it (poll %i ms)', async (pollIntervalMs) => {
    const file = fresh();
    const { intake, measured } = follow(file, pollIntervalMs);
    const reporter = createMetricReporter({ metricFile: file, trialId: '1' });
    reporter.report({ tag: 'accuracy', value: 0.1, globalStep: 1 });
    reporter.report({ tag: 'loss', value: 1, globalStep: 1 });
    await within(2_000, () => measured().length === 1);
    reporter.report({ tag: 'accuracy', value: 0.2, globalStep: 2 });
    // A trainer held up between its two reports of step 2 for 100 ms: five times the settle window, five 20 ms polls.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(measured()).toHaveLength(1);
    reporter.report({ tag: 'loss', value: 0.5, globalStep: 2 });
    await within(2_000, () => measured().length === 2);
    intake.close();
    expect(STEP_COMPLETION_MIN_WAIT_MS).toBeGreaterThan(100);
    expect(measured()[1]).toMatchObject({ step: 2, metrics: { accuracy: 0.2, loss: 0.5 } });
  });

  it('still reads the file by polling when no watch can be set', async () => {
    // The folder does not exist yet, so the watch fails: only the poll can see the file.
    const file = join(root, `later-${(folders += 1)}`, 'output.metrics');
    const { intake, measured } = follow(file, 20);
    mkdirSync(join(file, '..'));
    writeFileSync(file, line(1));
    await within(2_000, () => measured().length === 1);
    intake.close();
    expect(measured()[0]?.step).toBe(1);
  });

  it('reads the rest at the end in chunks, and gives it all', async () => {
    const file = fresh();
    writeFileSync(file, Array.from({ length: 30_000 }, (_, index) => line(index + 1)).join(''));
    const counted: number[] = [];
    const ending = new MetricIntake({ metricFile: file, tracker: new MeasurementTracker(0), onMeasurements: (batch) => counted.push(batch.length), pollIntervalMs: 3_600_000 });
    expect(await ending.finish()).toBeUndefined();
    expect(counted.reduce((sum, count) => sum + count, 0)).toBe(30_000);
    // 2.6 MB in chunks of 128 KiB: the event loop was given back in between.
    expect(counted.length).toBeGreaterThan(2);
  });
});
