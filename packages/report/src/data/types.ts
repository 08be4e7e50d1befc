import type { EarlyStoppingSpec, FrozenTrial, MetricSpec, ParameterValue, SearchSpaceJSON, TrialState } from '@hptune/core';

/**
 * A study as a report needs it, from any source: a local study (`reportSourceFromStudy`) or a
 * Vertex AI HyperparameterTuningJob (`reportSourceFromVertexJob`).
 */
export interface ReportSource {
  /** The study's name (or the job's display name). */
  readonly name: string;
  /** Where it ran. */
  readonly backend: 'local' | 'vertex';
  /** The study's state as its backend names it, e.g. `COMPLETED` or `JOB_STATE_SUCCEEDED`. */
  readonly state: string;
  /** Whether the study may still change: the dashboard keeps following it. */
  readonly running: boolean;
  /** Absent for a job that declares no metric. */
  readonly metric?: MetricSpec;
  /** `grid`, `random`, `tpe`, `gp`, `bayesian`, or a custom sampler's name. */
  readonly algorithm: string;
  /** The study's early-stopping settings as stored; absent: none. */
  readonly earlyStopping?: EarlyStoppingSpec;
  readonly maxTrials: number;
  readonly parallelTrials: number;
  /** The search space, when the source records it (parameters then appear in its order, with their scales). */
  readonly space?: SearchSpaceJSON;
  readonly trials: readonly FrozenTrial[];
  /** ISO 8601. */
  readonly createTime?: string;
  readonly updateTime?: string;
  /** Lines for the summary, e.g. `["directory", "/home/me/hptune/seed"]`, shown as text. */
  readonly details?: readonly (readonly [label: string, value: string])[];
}

/** How a parameter is drawn: numbers on a (possibly logarithmic) value axis, or named categories. */
export type ReportParameter =
  | { readonly id: string; readonly kind: 'numeric'; readonly scale: 'linear' | 'log' }
  | { readonly id: string; readonly kind: 'categorical'; readonly values: readonly string[] };

/** One trial as the page shows it. */
export interface ReportTrial {
  readonly id: string;
  readonly state: TrialState;
  /** True when an early-stopping rule ended this SUCCEEDED trial before its last step. */
  readonly stoppedEarly: boolean;
  /** The step at which the rule stopped it (its curve ends there); `null` when not stopped or not stored. */
  readonly stoppedAtStep: number | null;
  /** Parameter values by id; a conditional parameter a trial did not take is absent. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** The final value of the study's metric, when the trial SUCCEEDED with one. */
  readonly value: number | null;
  /** Seconds from start (or creation) to end; `null` while it runs or when the source has no times. */
  readonly durationSeconds: number | null;
  /** Why it failed, in one line: `timeout: killed by SIGKILL after the 600 s timeout`. */
  readonly failure: string | null;
  /** The last lines the trial wrote to stderr, when it failed and the backend kept them. */
  readonly failureDetail: string | null;
  /** The metric at each reported step: `[step, value]`, in the order reported. */
  readonly curve: readonly (readonly [step: number, value: number])[];
}

/** A point of the optimization history: a SUCCEEDED trial's value and the best value so far. */
export interface HistoryPoint {
  readonly trialId: string;
  readonly value: number;
  readonly bestSoFar: number;
}

/** How much of the metric's variance each parameter explains on its own (see `parameterImportance`). */
export interface ParameterImportance {
  readonly id: string;
  /** Share of the explained variance, between 0 and 1; the shares of all parameters add up to 1. */
  readonly share: number;
  /** Fraction of the metric's total variance this parameter alone explains (epsilon squared), 0 to 1. */
  readonly explained: number;
  /** Trials that took this parameter. */
  readonly trials: number;
  /** Groups compared: the parameter's values, or quantile bins of a continuous one. */
  readonly groups: number;
}

/** Per-trial durations of the finished trials, in seconds. */
export interface DurationSummary {
  /** From the first trial's start to the last one's end (or to now's latest time while it runs). */
  readonly wallSeconds: number | null;
  /** Summed over finished trials: the compute the study used. */
  readonly trialSeconds: number;
  readonly count: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** Everything the report page draws, as plain JSON: built by `buildReportData`. */
export interface ReportData {
  /** The format of this object, for pages built by another hptune version. */
  readonly version: 1;
  /** ISO 8601: when the data was read. */
  readonly generatedAt: string;
  readonly study: {
    readonly name: string;
    readonly backend: 'local' | 'vertex';
    readonly state: string;
    readonly running: boolean;
    readonly metric: MetricSpec | null;
    readonly algorithm: string;
    /** One line describing the early-stopping rule, or `null` for none. */
    readonly earlyStopping: string | null;
    readonly maxTrials: number;
    readonly parallelTrials: number;
    readonly createTime: string | null;
    readonly updateTime: string | null;
    readonly details: readonly (readonly [string, string])[];
  };
  readonly parameters: readonly ReportParameter[];
  readonly trials: readonly ReportTrial[];
  /** Trials by state, plus how many were stopped early. */
  readonly counts: Readonly<Record<TrialState, number>> & { readonly stoppedEarly: number };
  /**
   * The study's trials counted and worded as the CLI and the dashboard count them (`countTrials`,
   * `describeTrialCounts` in @hptune/core): `done` ran to their end (succeeded or failed), and
   * `text` reads `27 succeeded, 0 failed, 2 cancelled, 29 trials`.
   */
  readonly trialCounts: { readonly done: number; readonly text: string };
  readonly durations: DurationSummary;
  readonly best: { readonly trialId: string; readonly value: number; readonly parameters: Readonly<Record<string, ParameterValue>> } | null;
  readonly history: readonly HistoryPoint[];
  /** Sorted by share, largest first; empty when `importanceNote` says why. */
  readonly importance: readonly ParameterImportance[];
  /** Why there is no importance yet (too few trials, no variance), or `null`. */
  readonly importanceNote: string | null;
}

/** A study in the dashboard's list. */
export interface StudyListEntry {
  readonly name: string;
  readonly state: string;
  readonly running: boolean;
  readonly metric: MetricSpec;
  /** Trials created so far, and finished ones (SUCCEEDED or failed). */
  readonly trials: number;
  readonly finished: number;
  readonly maxTrials: number;
  /** The best trial's final value, or `null` before any trial succeeded. */
  readonly best: number | null;
  /** ISO 8601. */
  readonly updateTime: string;
}
