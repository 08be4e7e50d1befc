import type { EChartsOption } from 'echarts';
import type { ReportData, ReportParameter, ReportTrial } from '../../data/types.js';
import { formatParameter, formatParameters, formatValue } from '../format.js';

/**
 * A chart as the page draws it: the ECharts option, and the lines of text a tooltip shows for a
 * point (`undefined`: no tooltip). Tooltips are built as text by the page, never as HTML.
 */
export interface ChartSpec {
  /** Short id, used as the chart element's `data-chart`. */
  readonly id: string;
  readonly title: string;
  readonly option: EChartsOption;
  readonly describe: (seriesIndex: number, dataIndex: number) => readonly string[] | undefined;
  /** Why there is nothing to draw yet; the page shows it in the chart's place. */
  readonly empty?: string;
}

/** Colours the page uses for states and marks (colour-blind safe: Okabe-Ito). */
const COLORS = { value: '#0072B2', best: '#D55E00', stopped: '#CC79A7', failed: '#999999', completed: '#0072B2' } as const;

/** Points above which a scatter draws in ECharts' large mode (one path for all symbols: far faster to paint). */
const LARGE_SCATTER = 300;

const BASE = { animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' } } satisfies EChartsOption;

/** A trial's position on a "trial" axis: its id when numeric (ids count up from 1), else its place in the list. */
function trialNumber(data: ReportData, trial: ReportTrial): number {
  const id = Number(trial.id);
  return Number.isFinite(id) ? id : data.trials.indexOf(trial) + 1;
}

function metricName(data: ReportData): string {
  return data.study.metric?.id ?? 'value';
}

function trialLines(data: ReportData, trial: ReportTrial): string[] {
  return [
    `trial ${trial.id}${trial.stoppedEarly ? ' (stopped early)' : ''}`,
    `${metricName(data)} = ${trial.value === null ? '-' : formatValue(trial.value)}`,
    formatParameters(trial.parameters),
  ];
}

/** Optimization history: each SUCCEEDED trial's value by trial number, and the best value so far as a step line. */
export function historyChart(data: ReportData): ChartSpec {
  const byId = new Map(data.trials.map((trial) => [trial.id, trial]));
  const points = data.history.map((point) => ({ point, trial: byId.get(point.trialId) as ReportTrial }));
  const metric = metricName(data);
  return {
    id: 'history',
    title: 'Optimization history',
    ...(points.length === 0 ? { empty: 'no trial has a final value yet' } : {}),
    option: {
      ...BASE,
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      legend: { top: 0 },
      tooltip: { trigger: 'item', confine: true },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 28, minInterval: 1 },
      yAxis: { type: 'value', name: metric, scale: true },
      series: [
        {
          type: 'scatter',
          name: `${metric} of the trial`,
          large: points.length > LARGE_SCATTER,
          symbolSize: 7,
          color: COLORS.value,
          data: points.map(({ point, trial }) => [trialNumber(data, trial), point.value]),
        },
        {
          type: 'line',
          name: 'best so far',
          step: 'end',
          showSymbol: false,
          color: COLORS.best,
          data: points.map(({ point, trial }) => [trialNumber(data, trial), point.bestSoFar]),
        },
      ],
    },
    describe: (seriesIndex, dataIndex) => {
      const entry = points[dataIndex];
      if (!entry) return undefined;
      return seriesIndex === 0 ? trialLines(data, entry.trial) : [`best ${metric} after trial ${entry.trial.id}: ${formatValue(entry.point.bestSoFar)}`];
    },
  };
}

function parameterAxis(parameter: ReportParameter, dim: number) {
  return parameter.kind === 'categorical'
    ? { dim, name: parameter.id, type: 'category' as const, data: [...parameter.values] }
    : { dim, name: parameter.id, type: parameter.scale === 'log' ? ('log' as const) : ('value' as const), scale: true };
}

/** Parallel coordinates: one axis per parameter and one for the metric; each finished trial a line, coloured by its value. */
export function parallelChart(data: ReportData): ChartSpec {
  const finished = data.trials.filter((trial) => trial.value !== null);
  const values = finished.map((trial) => trial.value as number);
  const metricDim = data.parameters.length;
  const maximize = data.study.metric?.goal !== 'minimize';
  const palette = ['#f0f9e8', '#7bccc4', '#2b8cbe', '#08306b'];
  return {
    id: 'parallel',
    title: 'Parallel coordinates',
    ...(finished.length === 0 ? { empty: 'no trial has a final value yet' } : {}),
    option: {
      ...BASE,
      tooltip: { trigger: 'item', confine: true },
      // Category labels sit on the axes where the lines cross them: drawn above the lines, on a
      // background, so every value stays readable.
      parallel: {
        left: 48,
        right: 110,
        top: 48,
        bottom: 32,
        parallelAxisDefault: { z: 3, axisLabel: { backgroundColor: 'rgba(255, 255, 255, 0.85)', padding: [1, 4], borderRadius: 3 } },
      },
      parallelAxis: [
        ...data.parameters.map((parameter, dim) => parameterAxis(parameter, dim)),
        { dim: metricDim, name: metricName(data), type: 'value', scale: true },
      ],
      visualMap: {
        type: 'continuous',
        dimension: metricDim,
        min: values.length > 0 ? Math.min(...values) : 0,
        max: values.length > 0 ? Math.max(...values) : 1,
        right: 8,
        top: 'middle',
        itemHeight: 160,
        text: maximize ? ['better', 'worse'] : ['worse', 'better'],
        inRange: { color: maximize ? palette : [...palette].reverse() },
      },
      series: [
        {
          type: 'parallel',
          z: 1,
          lineStyle: { width: 1.5, opacity: 0.7 },
          data: finished.map((trial) => [...data.parameters.map((parameter) => trial.parameters[parameter.id] ?? '-'), trial.value as number]),
        },
      ],
    },
    describe: (_seriesIndex, dataIndex) => {
      const trial = finished[dataIndex];
      return trial ? trialLines(data, trial) : undefined;
    },
  };
}

/** Most points of the intermediate-values chart drawn with a (hoverable) symbol each; above it, plain lines. */
const MAX_CURVE_SYMBOLS = 2000;

/** The three kinds of curve in the intermediate-values chart. */
const CURVES = [
  { name: 'completed', color: COLORS.completed, test: (trial: ReportTrial) => trial.state === 'SUCCEEDED' && !trial.stoppedEarly },
  { name: 'stopped early', color: COLORS.stopped, test: (trial: ReportTrial) => trial.stoppedEarly },
  { name: 'failed or running', color: COLORS.failed, test: (trial: ReportTrial) => trial.state !== 'SUCCEEDED' },
] as const;

/**
 * Intermediate values: each trial's metric over its steps, one line per trial (grouped into three
 * series: completed, stopped early, failed or running), with a mark where each stopped trial stopped.
 */
export function intermediateChart(data: ReportData): ChartSpec {
  const withCurves = data.trials.filter((trial) => trial.curve.length > 0);
  // Points of every trial of a series, a gap ('-') between trials; `owners` maps each point back to its trial.
  const series = CURVES.map((kind) => {
    const points: ([number, number] | '-')[] = [];
    const owners: (ReportTrial | undefined)[] = [];
    for (const trial of withCurves.filter(kind.test)) {
      for (const [step, value] of trial.curve) {
        points.push([step, value]);
        owners.push(trial);
      }
      points.push('-');
      owners.push(undefined);
    }
    return { kind, points, owners };
  });
  const stopped = withCurves.filter((trial) => trial.stoppedEarly);
  const metric = metricName(data);
  // A symbol per point makes each step hoverable, but thousands of them take long to paint.
  const showSymbol = series.reduce((sum, entry) => sum + entry.points.length, 0) <= MAX_CURVE_SYMBOLS;
  return {
    id: 'intermediate',
    title: 'Intermediate values',
    ...(withCurves.length === 0 ? { empty: 'no trial has reported an intermediate value yet' } : {}),
    option: {
      ...BASE,
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      legend: { top: 0 },
      tooltip: { trigger: 'item', confine: true },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 28, minInterval: 1, scale: true },
      yAxis: { type: 'value', name: metric, scale: true },
      series: [
        ...series.map(({ kind, points }) => ({
          type: 'line' as const,
          name: kind.name,
          color: kind.color,
          showSymbol,
          symbolSize: 4,
          lineStyle: { width: 1, opacity: 0.6 },
          connectNulls: false,
          data: points,
        })),
        {
          type: 'scatter' as const,
          name: 'stopped here',
          symbol: 'diamond',
          symbolSize: 12,
          z: 5,
          color: COLORS.best,
          itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
          data: stopped.map((trial) => [...(trial.curve.at(-1) as readonly [number, number])]),
        },
      ],
    },
    describe: (seriesIndex, dataIndex) => {
      if (seriesIndex === series.length) {
        const trial = stopped[dataIndex];
        const last = trial?.curve.at(-1);
        return trial && last ? [`trial ${trial.id} stopped early at step ${last[0]}`, `${metric} = ${formatValue(last[1])}`, formatParameters(trial.parameters)] : undefined;
      }
      const entry = series[seriesIndex];
      const trial = entry?.owners[dataIndex];
      const point = entry?.points[dataIndex];
      if (!trial || !point || point === '-') return undefined;
      return [`trial ${trial.id} (${trial.stoppedEarly ? 'stopped early' : trial.state}), step ${point[0]}`, `${metric} = ${formatValue(point[1])}`, formatParameters(trial.parameters)];
    },
  };
}

/** Parameter importance: each parameter's share of the variance explained, largest on top. */
export function importanceChart(data: ReportData): ChartSpec {
  const ordered = [...data.importance].reverse();
  return {
    id: 'importance',
    title: 'Parameter importance',
    ...(data.importance.length === 0 ? { empty: data.importanceNote ?? 'no parameters' } : {}),
    option: {
      ...BASE,
      grid: { left: 120, right: 48, top: 16, bottom: 40 },
      tooltip: { trigger: 'item', confine: true },
      xAxis: { type: 'value', min: 0, max: 1, name: 'share of explained variance', nameLocation: 'middle', nameGap: 26, axisLabel: { formatter: (value: number) => `${Math.round(value * 100)}%` } },
      yAxis: { type: 'category', data: ordered.map((entry) => entry.id) },
      series: [
        {
          type: 'bar',
          color: COLORS.value,
          data: ordered.map((entry) => entry.share),
          label: { show: true, position: 'right', formatter: (params: { value?: unknown }) => `${Math.round(Number(params.value) * 100)}%` },
        },
      ],
    },
    describe: (_seriesIndex, dataIndex) => {
      const entry = ordered[dataIndex];
      if (!entry) return undefined;
      return [
        entry.id,
        `${Math.round(entry.share * 100)}% of the variance the parameters explain`,
        `alone explains ${(entry.explained * 100).toFixed(1)}% of the ${metricName(data)}'s variance`,
        `${entry.trials} trials in ${entry.groups} groups`,
      ];
    },
  };
}

/** A slice plot: the final metric of every finished trial against one parameter's value. */
export function sliceChart(data: ReportData, parameter: ReportParameter): ChartSpec {
  const finished = data.trials.filter((trial) => trial.value !== null && trial.parameters[parameter.id] !== undefined);
  const xAxis =
    parameter.kind === 'categorical'
      ? { type: 'category' as const, data: [...parameter.values], name: parameter.id, nameLocation: 'middle' as const, nameGap: 28 }
      : { type: parameter.scale === 'log' ? ('log' as const) : ('value' as const), scale: true, name: parameter.id, nameLocation: 'middle' as const, nameGap: 28 };
  return {
    id: `slice-${parameter.id}`,
    title: `Slice: ${parameter.id}`,
    ...(finished.length === 0 ? { empty: 'no trial has a final value yet' } : {}),
    option: {
      ...BASE,
      grid: { left: 64, right: 16, top: 24, bottom: 48 },
      tooltip: { trigger: 'item', confine: true },
      xAxis,
      yAxis: { type: 'value', name: metricName(data), scale: true },
      series: [
        {
          type: 'scatter',
          large: finished.length > LARGE_SCATTER,
          symbolSize: 7,
          color: COLORS.value,
          itemStyle: { opacity: 0.7 },
          data: finished.map((trial) => [trial.parameters[parameter.id] as string | number, trial.value as number]),
        },
      ],
    },
    describe: (_seriesIndex, dataIndex) => {
      const trial = finished[dataIndex];
      return trial ? [`${parameter.id} = ${formatParameter(trial.parameters[parameter.id])}`, ...trialLines(data, trial)] : undefined;
    },
  };
}

/** Every chart of a report, in the order the page shows them. */
export function reportCharts(data: ReportData): ChartSpec[] {
  return [historyChart(data), parallelChart(data), intermediateChart(data), importanceChart(data), ...data.parameters.map((parameter) => sliceChart(data, parameter))];
}
