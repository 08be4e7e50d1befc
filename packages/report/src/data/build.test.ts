import { describe, expect, it } from 'vitest';
import { HOSTILE, smallStudy, trial } from '../../test/fixtures/trials.js';
import { buildReportData } from './build.js';

const now = new Date('2026-12-02T06:00:00.000Z');

describe('buildReportData', () => {
  it('gives one row per trial in id order, with values, failures, stopped-early marks and curves', () => {
    const source = smallStudy();
    const data = buildReportData({ ...source, trials: [...source.trials].reverse() }, { now });
    expect(data.trials.map((row) => [row.id, row.state, row.value, row.stoppedEarly, row.stoppedAtStep])).toEqual([
      ['1', 'SUCCEEDED', 0.8, false, null],
      ['2', 'SUCCEEDED', 0.9, false, null],
      ['3', 'INFEASIBLE', null, false, null],
      ['4', 'SUCCEEDED', 0.3, true, 2],
      ['5', 'SUCCEEDED', 0.65, false, null],
      ['6', 'SUCCEEDED', 0.91, false, null],
    ]);
    expect(data.trials[2]).toMatchObject({ failure: 'exit-code: exited with code 3', failureDetail: 'out of <memory>', curve: [[1, 0.1]] });
    expect(data.trials[1]?.parameters).toEqual({ activation: HOSTILE, lr: 0.01 });
    expect(data.trials[0]?.curve).toEqual([
      [1, 0.5],
      [2, 0.7],
      [3, 0.8],
    ]);
  });

  it('summarises the study: counts by state, durations, the best trial, the early-stopping rule', () => {
    const data = buildReportData({ ...smallStudy(), earlyStopping: { kind: 'median', startupTrials: 5, warmupSteps: 2 } }, { now });
    expect(data.counts).toEqual({ REQUESTED: 0, ACTIVE: 0, STOPPING: 0, SUCCEEDED: 5, INFEASIBLE: 1, stoppedEarly: 1 });
    // The CLI's count and words: a failed trial is "failed", never "INFEASIBLE".
    expect(data.trialCounts).toEqual({ done: 6, text: '5 succeeded, 1 failed, 6 trials' });
    const cancelled = buildReportData(
      { ...smallStudy(), trials: smallStudy().trials.slice(0, 2).map((each) => ({ ...each, state: 'INFEASIBLE' as const, finalMeasurement: undefined, failure: { kind: 'cancelled' as const, reason: 'cancelled' } })) },
      { now },
    );
    expect(cancelled.trialCounts).toEqual({ done: 0, text: '0 succeeded, 0 failed, 2 cancelled, 2 trials' });
    // Trial i runs 10 i seconds, starting at minute i.
    expect(data.durations).toEqual({ wallSeconds: 360, trialSeconds: 210, count: 6, mean: 35, median: 35, min: 10, max: 60 });
    expect(data.best).toEqual({ trialId: '6', value: 0.91, parameters: { activation: 'relu', lr: 0.02 } });
    expect(data.study).toMatchObject({ name: 'small', state: 'COMPLETED', earlyStopping: 'median (startupTrials 5, warmupSteps 2)', metric: { id: 'accuracy', goal: 'maximize' } });
    expect(data.generatedAt).toBe(now.toISOString());
  });

  it('draws the history with the best value so far, for either goal', () => {
    const maximize = buildReportData(smallStudy(), { now });
    expect(maximize.history.map((point) => [point.trialId, point.value, point.bestSoFar])).toEqual([
      ['1', 0.8, 0.8],
      ['2', 0.9, 0.9],
      ['4', 0.3, 0.9],
      ['5', 0.65, 0.9],
      ['6', 0.91, 0.91],
    ]);
    const minimize = buildReportData(smallStudy({ metric: { id: 'accuracy', goal: 'minimize' } }), { now });
    expect(minimize.history.map((point) => point.bestSoFar)).toEqual([0.8, 0.8, 0.3, 0.3, 0.3]);
    expect(minimize.best?.trialId).toBe('4');
  });

  it('takes parameters from the search space, in its order and with its scales', () => {
    const data = buildReportData(smallStudy(), { now });
    expect(data.parameters).toEqual([
      { id: 'activation', kind: 'categorical', values: ['relu', HOSTILE] },
      { id: 'lr', kind: 'numeric', scale: 'log' },
    ]);
  });

  it('infers parameters from the trials when the source has no space (a Vertex AI job)', () => {
    const data = buildReportData(
      smallStudy({
        space: undefined,
        trials: [trial(1, 'SUCCEEDED', { optimizer: 'adam', batch_size: 32 }, [0.5]), trial(2, 'SUCCEEDED', { optimizer: 'sgd', batch_size: 64 }, [0.6])],
      }),
      { now },
    );
    expect(data.parameters).toEqual([
      { id: 'optimizer', kind: 'categorical', values: ['adam', 'sgd'] },
      { id: 'batch_size', kind: 'numeric', scale: 'linear' },
    ]);
  });

  it('counts a running study\'s wall time up to now, and leaves running trials without a duration', () => {
    const data = buildReportData(
      smallStudy({ state: 'ACTIVE', running: true, trials: [trial(1, 'SUCCEEDED', { activation: 'relu', lr: 0.01 }, [0.5]), trial(2, 'ACTIVE', { activation: 'relu', lr: 0.02 }, [0.4])] }),
      { now },
    );
    // The first trial started at 05:01; now is 06:00.
    expect(data.durations.wallSeconds).toBe(59 * 60);
    expect(data.trials.map((row) => row.durationSeconds)).toEqual([10, null]);
    expect(data.importanceNote).toMatch(/at least 3 finished trials/);
  });

  it('shows a job without a metric: no values, no history', () => {
    const data = buildReportData(smallStudy({ metric: undefined }), { now });
    expect(data.study.metric).toBeNull();
    expect(data.trials.every((row) => row.value === null && row.curve.length === 0)).toBe(true);
    expect(data.history).toEqual([]);
    expect(data.best).toBeNull();
  });
});
