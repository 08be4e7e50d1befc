import { bestTrial, countTrials, describeTrialCounts, finalMetricValue, type FrozenTrial, type MetricSpec, type TrialState } from '@hptune/core';
import { describeEarlyStopping } from './early-stopping.js';
import { parameterImportance } from './importance.js';
import { reportParameters } from './parameters.js';
import type { DurationSummary, HistoryPoint, ReportData, ReportSource, ReportTrial } from './types.js';

const STATES: readonly TrialState[] = ['REQUESTED', 'ACTIVE', 'STOPPING', 'SUCCEEDED', 'INFEASIBLE'];

/** Options of {@link buildReportData}. */
export interface BuildReportOptions {
  /** The time the data is read at: the end of a running study's wall time. @default new Date() */
  readonly now?: Date;
}

/**
 * Shapes a study into what the report page draws: the summary, one row per trial, the
 * optimization history with the best value so far, each trial's curve, and parameter importance.
 * Pure: the same source and `now` give the same data.
 */
export function buildReportData(source: ReportSource, options: BuildReportOptions = {}): ReportData {
  const now = options.now ?? new Date();
  const metric = source.metric;
  const parameters = reportParameters(source.space, source.trials);
  const trials = [...source.trials].sort(byId).map((trial) => reportTrial(trial, metric));
  const best = metric ? bestTrial(source.trials, metric) : undefined;
  const bestValue = best && metric ? finalMetricValue(best, metric) : undefined;
  const finished = trials.flatMap((trial) => (trial.value === null ? [] : [{ parameters: trial.parameters, value: trial.value }]));
  const importance = parameterImportance(parameters, finished);
  const counts = Object.fromEntries(STATES.map((state) => [state, trials.filter((trial) => trial.state === state).length])) as Record<TrialState, number>;
  return {
    version: 1,
    generatedAt: now.toISOString(),
    study: {
      name: source.name,
      backend: source.backend,
      state: source.state,
      running: source.running,
      metric: metric ?? null,
      algorithm: source.algorithm,
      earlyStopping: describeEarlyStopping(source.earlyStopping),
      maxTrials: source.maxTrials,
      parallelTrials: source.parallelTrials,
      createTime: source.createTime ?? null,
      updateTime: source.updateTime ?? null,
      details: (source.details ?? []).map(([label, value]) => [label, value] as const),
    },
    parameters,
    trials,
    counts: { ...counts, stoppedEarly: trials.filter((trial) => trial.stoppedEarly).length },
    trialCounts: { done: countTrials(source.trials).done, text: describeTrialCounts(countTrials(source.trials)) },
    durations: durationSummary(source.trials, source.running ? now : undefined),
    best: best && bestValue !== undefined ? { trialId: best.id, value: bestValue, parameters: { ...best.parameters } } : null,
    history: metric ? optimizationHistory(trials, metric) : [],
    importance: importance.importance,
    importanceNote: importance.note,
  };
}

/** Trials in the order they were created: numeric ids by number, others as text. */
function byId(a: FrozenTrial, b: FrozenTrial): number {
  const [x, y] = [Number(a.id), Number(b.id)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.id.localeCompare(b.id);
}

function reportTrial(trial: FrozenTrial, metric: MetricSpec | undefined): ReportTrial {
  const curve = metric
    ? trial.measurements.flatMap((measurement) => {
        const value = measurement.metrics[metric.id];
        return typeof value === 'number' && Number.isFinite(value) ? [[measurement.step, value] as const] : [];
      })
    : [];
  const value = metric ? finalMetricValue(trial, metric) : undefined;
  const failure = trial.failure;
  return {
    id: trial.id,
    state: trial.state,
    stoppedEarly: trial.stoppedEarly === true,
    stoppedAtStep: trial.stoppedEarly === true ? (trial.stoppedAtStep ?? null) : null,
    parameters: { ...trial.parameters },
    value: value ?? null,
    durationSeconds: durationOf(trial) ?? null,
    failure: failure ? (failure.kind ? `${failure.kind}: ${failure.reason}` : failure.reason) : null,
    failureDetail: failure?.stderrTail ?? null,
    curve,
  };
}

function durationOf(trial: FrozenTrial): number | undefined {
  const start = timeOf(trial.startTime ?? trial.createTime);
  const end = timeOf(trial.endTime);
  return start !== undefined && end !== undefined && end >= start ? (end - start) / 1000 : undefined;
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const time = Date.parse(iso);
  return Number.isFinite(time) ? time : undefined;
}

/** Durations of the finished trials, and the study's wall time (to `runningUntil` while it runs). */
function durationSummary(trials: readonly FrozenTrial[], runningUntil: Date | undefined): DurationSummary {
  const durations = trials.flatMap((trial) => {
    const duration = durationOf(trial);
    return duration === undefined ? [] : [duration];
  });
  const starts = trials.flatMap((trial) => timeOf(trial.startTime ?? trial.createTime) ?? []);
  const ends = trials.flatMap((trial) => timeOf(trial.endTime) ?? []);
  const last = runningUntil ? runningUntil.getTime() : ends.length > 0 ? Math.max(...ends) : undefined;
  const first = starts.length > 0 ? Math.min(...starts) : undefined;
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = sorted.reduce((total, duration) => total + duration, 0);
  const middle = sorted.length / 2;
  return {
    wallSeconds: first !== undefined && last !== undefined && last >= first ? (last - first) / 1000 : null,
    trialSeconds: sum,
    count: sorted.length,
    mean: sorted.length > 0 ? sum / sorted.length : null,
    median: sorted.length === 0 ? null : sorted.length % 2 === 1 ? (sorted[Math.floor(middle)] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2,
    min: sorted[0] ?? null,
    max: sorted.at(-1) ?? null,
  };
}

/** Each SUCCEEDED trial's value in trial order, with the best value up to and including it. */
function optimizationHistory(trials: readonly ReportTrial[], metric: MetricSpec): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  let best: number | undefined;
  for (const trial of trials) {
    if (trial.value === null) continue;
    best = best === undefined || (metric.goal === 'maximize' ? trial.value > best : trial.value < best) ? trial.value : best;
    points.push({ trialId: trial.id, value: trial.value, bestSoFar: best });
  }
  return points;
}
