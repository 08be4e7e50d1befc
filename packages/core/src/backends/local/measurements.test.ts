import { describe, expect, it } from 'vitest';
import type { MetricReport } from '@hptune/trial';
import { MeasurementTracker } from './measurements.js';

const report = (tag: string, value: number, globalStep: number, timestamp: number): MetricReport => ({ tag, value, globalStep, timestamp, trial: '1' });

describe('MeasurementTracker', () => {
  it('turns each epoch\'s reports into one measurement, and only new reports on each read', () => {
    const tracker = new MeasurementTracker(100);
    // A read between the two reports of epoch 1 holds the measurement back...
    const epoch1 = [report('accuracy', 0.5, 1, 101), report('loss', 0.9, 1, 101.5)];
    expect(tracker.update(epoch1.slice(0, 1))).toEqual([]);
    expect(tracker.update(epoch1)).toEqual([]);
    // ...until a read finds nothing new.
    expect(tracker.update(epoch1)).toEqual([{ step: 1, metrics: { accuracy: 0.5, loss: 0.9 }, elapsedSeconds: 1.5 }]);
    expect(tracker.update(epoch1)).toEqual([]);
    const epoch3 = [...epoch1, report('accuracy', 0.7, 2, 103), report('loss', 0.4, 2, 103), report('accuracy', 0.8, 3, 104)];
    expect(tracker.update(epoch3)).toEqual([{ step: 2, metrics: { accuracy: 0.7, loss: 0.4 }, elapsedSeconds: 3 }]);
    expect(tracker.flush()).toEqual([{ step: 3, metrics: { accuracy: 0.8 }, elapsedSeconds: 4 }]);
  });

  it('keeps a tag reported twice at the same step as two measurements, and survives a rolling window', () => {
    const tracker = new MeasurementTracker(0);
    const first = [report('accuracy', 0.1, 0, 1), report('accuracy', 0.2, 0, 2)];
    expect(tracker.update(first).map((measurement) => measurement.metrics.accuracy)).toEqual([0.1]);
    // The file kept only the last report, then a new one came.
    expect(tracker.update([report('accuracy', 0.2, 0, 2), report('accuracy', 0.3, 0, 3)]).map((measurement) => measurement.metrics.accuracy)).toEqual([0.2]);
    expect(tracker.flush().map((measurement) => measurement.metrics.accuracy)).toEqual([0.3]);
    expect(tracker.reports).toHaveLength(3);
  });

  it('gives the final measurement at the last report of the metric, with every tag at that step', () => {
    const tracker = new MeasurementTracker(10);
    tracker.update([report('accuracy', 0.5, 1, 11), report('loss', 0.8, 1, 11), report('accuracy', 0.6, 2, 12), report('loss', 0.3, 2, 12), report('lr', 0.01, 3, 13)]);
    expect(tracker.finalMeasurement('accuracy')).toEqual({ step: 2, metrics: { accuracy: 0.6, loss: 0.3 }, elapsedSeconds: 2 });
    expect(tracker.finalMeasurement('f1')).toBeUndefined();
  });
});
