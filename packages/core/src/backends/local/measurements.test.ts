import { describe, expect, it } from 'vitest';
import type { MetricReport } from '@hptune/trial';
import { MeasurementTracker } from './measurements.js';

const report = (tag: string, value: number, globalStep: number, timestamp: number): MetricReport => ({ tag, value, globalStep, timestamp, trial: '1' });

describe('MeasurementTracker', () => {
  it("turns each step's reports into one measurement, holding the newest until it is known complete", () => {
    const tracker = new MeasurementTracker(100);
    // Epoch 1's accuracy alone: loss may follow, so it is held...
    expect(tracker.update([report('accuracy', 0.5, 1, 101)])).toEqual([]);
    expect(tracker.holding).toBe(true);
    expect(tracker.update([report('loss', 0.9, 1, 101.5)])).toEqual([]);
    // ...until the file is quiet (the intake's settle timer flushes it).
    expect(tracker.flush()).toEqual([{ step: 1, metrics: { accuracy: 0.5, loss: 0.9 }, elapsedSeconds: 1.5 }]);
    expect(tracker.holding).toBe(false);
    // From then on a step is complete once it has the tags the step before had: released at once.
    expect(tracker.update([report('accuracy', 0.7, 2, 103)])).toEqual([]);
    expect(tracker.expectingMore).toBe(true);
    expect(tracker.update([report('loss', 0.4, 2, 103)])).toEqual([{ step: 2, metrics: { accuracy: 0.7, loss: 0.4 }, elapsedSeconds: 3 }]);
    // Several steps at once come out in order; a later step releases the one before.
    expect(tracker.update([report('accuracy', 0.8, 3, 104), report('loss', 0.3, 3, 104), report('accuracy', 0.9, 4, 105)])).toEqual([
      { step: 3, metrics: { accuracy: 0.8, loss: 0.3 }, elapsedSeconds: 4 },
    ]);
    expect(tracker.flush()).toEqual([{ step: 4, metrics: { accuracy: 0.9 }, elapsedSeconds: 5 }]);
    expect(tracker.flush()).toEqual([]);
  });

  it('keeps a tag reported twice at the same step as two measurements', () => {
    const tracker = new MeasurementTracker(0);
    expect(tracker.update([report('accuracy', 0.1, 0, 1), report('accuracy', 0.2, 0, 2)]).map((measurement) => measurement.metrics.accuracy)).toEqual([0.1, 0.2]);
    expect(tracker.update([report('accuracy', 0.3, 0, 3)]).map((measurement) => measurement.metrics.accuracy)).toEqual([0.3]);
  });

  it('gives the final measurement at the last report of the metric, with every tag at that step', () => {
    const tracker = new MeasurementTracker(10);
    tracker.update([report('accuracy', 0.5, 1, 11), report('loss', 0.8, 1, 11), report('accuracy', 0.6, 2, 12), report('loss', 0.3, 2, 12), report('lr', 0.01, 3, 13)]);
    expect(tracker.finalMeasurement('accuracy')).toEqual({ step: 2, metrics: { accuracy: 0.6, loss: 0.3 }, elapsedSeconds: 2 });
    expect(tracker.finalMeasurement('f1')).toBeUndefined();
  });

  it('skips the reports an adopted trial had measured before', () => {
    const tracker = new MeasurementTracker(0, [{ step: 1, metrics: { accuracy: 0.5 }, elapsedSeconds: 1 }]);
    expect(tracker.update([report('accuracy', 0.5, 1, 1), report('accuracy', 0.6, 2, 2)])).toEqual([]);
    expect(tracker.flush()).toEqual([{ step: 2, metrics: { accuracy: 0.6 }, elapsedSeconds: 2 }]);
  });

  it('holds no more than one step, however many reports pass through it', () => {
    const tracker = new MeasurementTracker(0);
    let measured = 0;
    for (let step = 1; step <= 20_000; step += 1) measured += tracker.update([report('accuracy', step / 20_000, step, step)]).length;
    // The first step waited for quiet; every later one completed the tag set the one before had.
    expect(measured + tracker.flush().length).toBe(20_000);
    expect(tracker.finalMeasurement('accuracy')?.step).toBe(20_000);
  });
});
