import { describe, expect, it } from 'vitest';
import { smallStudy } from '../../../test/fixtures/trials.js';
import { buildReportData } from '../../data/build.js';
import { historyChart, intermediateChart, parallelChart, reportCharts } from './options.js';

const data = buildReportData(smallStudy(), { now: new Date('2026-12-02T06:00:00Z') });
type Series = { name?: string; data: unknown[] };
const seriesOf = (option: { series?: unknown }) => option.series as Series[];

describe('the chart options', () => {
  it('draws one chart per view and one slice per parameter', () => {
    expect(reportCharts(data).map((chart) => chart.id)).toEqual(['history', 'parallel', 'intermediate', 'importance', 'slice-activation', 'slice-lr']);
  });

  it('plots the history by trial number, the best so far beside it', () => {
    const [values, best] = seriesOf(historyChart(data).option);
    expect(values?.data).toEqual([[1, 0.8], [2, 0.9], [4, 0.3], [5, 0.65], [6, 0.91]]);
    expect(best?.data).toEqual([[1, 0.8], [2, 0.9], [4, 0.9], [5, 0.9], [6, 0.91]]);
    expect(historyChart(data).describe(0, 2)).toEqual(['trial 4 (stopped early)', 'accuracy = 0.3000', 'activation=relu lr=0.0001']);
  });

  it('marks each stopped trial where it stopped, and keeps each trial\'s curve apart', () => {
    const chart = intermediateChart(data);
    const series = seriesOf(chart.option);
    expect(series.map((entry) => entry.name)).toEqual(['completed', 'stopped early', 'failed or running', 'stopped here']);
    expect(series[1]?.data).toEqual([[1, 0.2], [2, 0.3], '-']);
    expect(series[2]?.data).toEqual([[1, 0.1], '-']);
    expect(series[3]?.data).toEqual([[2, 0.3]]);
    expect(chart.describe(3, 0)?.[0]).toBe('trial 4 stopped early at step 2');
    expect(chart.describe(0, 3)).toBeUndefined();
  });

  it('gives parallel coordinates an axis per parameter (categories, log scale) and one for the metric', () => {
    const option = parallelChart(data).option as { parallelAxis: { name: string; type: string }[] };
    expect(option.parallelAxis.map((axis) => [axis.name, axis.type])).toEqual([
      ['activation', 'category'],
      ['lr', 'log'],
      ['accuracy', 'value'],
    ]);
    expect(seriesOf(parallelChart(data).option)[0]?.data).toHaveLength(5);
  });

  it('says why a chart is empty instead of drawing nothing', () => {
    const none = buildReportData(smallStudy({ trials: [] }));
    expect(reportCharts(none).map((chart) => chart.empty)).toEqual([
      'no trial has a final value yet',
      'no trial has a final value yet',
      'no trial has reported an intermediate value yet',
      'needs at least 3 finished trials with a value (has 0)',
      'no trial has a final value yet',
      'no trial has a final value yet',
    ]);
  });
});
