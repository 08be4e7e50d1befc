import { describe, expect, it } from 'vitest';
import { bestMeasurement } from '../../study/best.js';
import type { FrozenTrial, Measurement, MetricSpec, TrialSummary } from '../../study/types.js';
import { TrialCurve } from './trial-curve.js';

const summary = (overrides: Partial<TrialSummary> = {}): TrialSummary => ({ id: '1', state: 'ACTIVE', parameters: { x: 1 }, ...overrides });
const at = (step: number, metrics: Record<string, number>, elapsedSeconds = step / 10): Measurement => ({ step, metrics, elapsedSeconds });
const recorded = (measurements: readonly Measurement[]) => {
  const curve = new TrialCurve();
  curve.stage(measurements);
  curve.commit(measurements.length);
  return curve;
};
const maximize: MetricSpec = { id: 'accuracy', goal: 'maximize' };

describe('TrialCurve', () => {
  it('gives back every measurement as reported: several metrics, missing ones, non-finite values, frozen', () => {
    const reported = [
      at(1, { accuracy: 0.5, loss: 2 }),
      at(1, { loss: 1.5 }),
      at(2, { accuracy: Number.NaN, 'test/accuracy': Number.POSITIVE_INFINITY }),
      at(3, {}),
      at(2 ** 40, { accuracy: -0 }, 1e6),
    ];
    const trial = recorded(reported).snapshot(summary());
    expect(trial.measurements).toEqual(reported);
    expect(Object.is(trial.measurements[4]?.metrics.accuracy, -0)).toBe(true);
    expect(Object.isFrozen(trial.measurements)).toBe(true);
    expect(Object.isFrozen(trial.measurements[0])).toBe(true);
    expect(Object.isFrozen(trial.measurements[0]?.metrics)).toBe(true);
    expect(Object.isFrozen(trial)).toBe(true);
    expect(trial).toEqual({ ...summary(), measurements: reported });
    expect(JSON.parse(JSON.stringify(recorded(reported.slice(0, 2)).snapshot(summary())))).toEqual({ ...summary(), measurements: reported.slice(0, 2) });
  });

  it('hands out the same array while a reader holds it, and never changes a snapshot', () => {
    const curve = recorded([at(1, { accuracy: 0.1 })]);
    const before = curve.snapshot(summary());
    const read = before.measurements;
    expect(before.measurements).toBe(read);
    curve.stage([at(2, { accuracy: 0.2 })]);
    curve.commit(1);
    expect(before.measurements).toHaveLength(1);
    expect(curve.snapshot(summary()).measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
  });

  it('reads nothing of the trial it is given but its fields (a snapshot\'s curve is never built by copying it)', () => {
    const given = { ...summary() } as FrozenTrial;
    Object.defineProperty(given, 'measurements', { enumerable: true, get: () => expect.fail('measurements were read') });
    const trial = new TrialCurve().snapshot(given);
    expect(trial).toEqual({ ...summary(), measurements: [] });
  });

  it('shows staged measurements to the rule alone, and replaces those the store did not take', () => {
    const curve = recorded([at(1, { accuracy: 0.1 })]);
    curve.stage([at(2, { accuracy: 0.2 }), at(3, { accuracy: 0.3 })]);
    expect(curve.judged(summary(), 2).measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
    expect(curve.judged(summary(), 3).measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3]);
    expect(curve.snapshot(summary()).measurements.map((measurement) => measurement.step)).toEqual([1]);
    // The write failed: the next read's measurements take the staged ones' place.
    curve.stage([at(4, { accuracy: 0.4 })]);
    curve.commit(1);
    expect(curve.snapshot(summary()).measurements.map((measurement) => measurement.step)).toEqual([1, 4]);
    expect(() => curve.commit(1)).toThrow(RangeError);
    expect(() => curve.judged(summary(), 3)).toThrow(RangeError);
  });

  it('keeps what came after an early-stopping decision apart while the trial keeps the decision, as stores do', () => {
    const curve = recorded([at(1, { accuracy: 0.1 }), at(2, { accuracy: 0.2 })]);
    curve.decide();
    curve.stage([at(3, { accuracy: 0.3 })]);
    curve.commit(1);
    const stopping = curve.snapshot(summary({ state: 'STOPPING', stoppedAtStep: 2 }));
    expect(stopping.measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
    expect(stopping.measurementsAfterStop?.map((measurement) => measurement.step)).toEqual([3]);
    // Its trainer finished first: the decision is dropped and everything is its curve.
    const finished = curve.snapshot(summary({ state: 'SUCCEEDED' }));
    expect(finished.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3]);
    expect('measurementsAfterStop' in finished).toBe(false);
    expect(TrialCurve.of(stopping).snapshot(stopping)).toEqual(stopping);
    expect(curve.curveLength(stopping)).toBe(2);
    expect(curve.curveLength(finished)).toBe(3);
  });

  it('finds the best and the last value of the metric as bestMeasurement and findLast do', () => {
    const measurements = [at(1, { loss: 3 }), at(2, { accuracy: 0.5 }), at(3, { accuracy: Number.NaN }), at(4, { accuracy: 0.7 }), at(5, { accuracy: 0.7 }), at(6, { accuracy: 0.2 }), at(7, { loss: 1 })];
    const curve = recorded(measurements);
    for (const metric of [maximize, { id: 'accuracy', goal: 'minimize' } as const, { id: 'loss', goal: 'minimize' } as const, { id: 'absent', goal: 'maximize' } as const]) {
      for (const rows of [0, 1, 3, 5, 7]) {
        expect(curve.best(metric, rows)).toEqual(bestMeasurement(measurements.slice(0, rows), metric));
        expect(curve.lastWith(metric, rows)).toEqual(measurements.slice(0, rows).findLast((measurement) => Number.isFinite(measurement.metrics[metric.id])));
      }
    }
  });

  it('thins the metric\'s points evenly to the limit, the last kept, building only those', () => {
    const measurements = Array.from({ length: 2_500 }, (_, index) => at(index + 1, index % 5 === 4 ? { loss: 1 } : { accuracy: index }));
    const curve = recorded(measurements);
    const points = curve.metricPoints('accuracy', 2_500, 1_000);
    expect(points).toHaveLength(1_000);
    expect(points.every((point) => point.metrics.accuracy !== undefined)).toBe(true);
    expect(points.at(-1)?.step).toBe(2_499);
    const gaps = points.slice(1).map((point, index) => point.step - (points[index] as Measurement).step);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(2);
    expect(curve.metricPoints('accuracy', 10, 1_000).map((point) => point.step)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(curve.metricPoints('absent', 2_500, 1_000)).toEqual([]);
  });
});
