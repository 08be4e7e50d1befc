// The vocabulary every layer of core shares (samplers and stopping rules see FrozenTrials and the
// MetricSpec): a leaf, importing only the search space's value types. What a stored study is, which
// also names the stopping and algorithm settings, is `definition.ts`, one layer up.
import type { TrialParameters } from '../space/types.js';
import type { TrainerCommand } from '@hptune/trial';

export type { TrainerCommand };

/** Whether a larger or a smaller metric is better (Vertex `MetricSpec.GoalType`). */
export type MetricGoal = 'maximize' | 'minimize';

/** The metric a study optimizes. @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#MetricSpec */
export interface MetricSpec {
  /** The metric tag the trainer reports, e.g. `accuracy`. */
  readonly id: string;
  readonly goal: MetricGoal;
}

/**
 * A trial's state, named as Vertex AI names them.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.studies.trials#State
 */
export type TrialState = 'REQUESTED' | 'ACTIVE' | 'STOPPING' | 'SUCCEEDED' | 'INFEASIBLE';

/**
 * Which of a trial's measurements is its result, as Vertex AI's `StudySpec.MeasurementSelectionType`:
 * `best`, the measurement with the best value of the study's metric (by its goal; the earliest on a
 * tie); `last`, the last one reported.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#MeasurementSelectionType
 */
export type MeasurementSelection = 'best' | 'last';

/** A study's state. */
export type StudyState = 'ACTIVE' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** One metric value reported by a trial at a step. */
export interface Measurement {
  /** The step (the trainer reports once per epoch: step = epoch). */
  readonly step: number;
  /** Metric values by metric id. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Seconds since the trial started. */
  readonly elapsedSeconds: number;
}

/**
 * What kind of failure ended a trial:
 * - `exit-code`: the trainer exited with a non-zero code;
 * - `signal`: the trainer was killed by a signal hptune did not send;
 * - `timeout`: the trial ran past the study's trial timeout and was stopped;
 * - `malformed-metric-file`: the metric file could not be read;
 * - `no-metric`: the trainer exited 0 without reporting the study's metric;
 * - `spawn-error`: the trainer could not be started;
 * - `cancelled`: the study was cancelled, or stopped after too many failures, while the trial ran;
 * - `interrupted`: the coordinator died while the trial ran and its trainer did not complete its run
 *   (no completion marker), or ran on another host; a resumed study runs it again.
 *
 * `cancelled` and `interrupted` trials say nothing about their parameters: they count towards
 * neither `maxTrials` nor `maxFailedTrials`.
 */
export type TrialFailureKind =
  | 'exit-code'
  | 'signal'
  | 'timeout'
  | 'malformed-metric-file'
  | 'no-metric'
  | 'spawn-error'
  | 'cancelled'
  | 'interrupted';

/** Why a trial ended INFEASIBLE. */
export interface TrialFailure {
  /** The kind of failure; set by the local backend, absent where a service gives only a reason. */
  readonly kind?: TrialFailureKind;
  /** What went wrong in one line: `exited with code 1`, `killed by SIGKILL after the 600 s timeout`, `malformed metric file`. */
  readonly reason: string;
  readonly exitCode?: number;
  readonly signal?: string;
  /** The last lines the trial wrote to stderr. */
  readonly stderrTail?: string;
}

/**
 * A trial as samplers, stopping rules and users see it: an immutable snapshot.
 * Finished trials (SUCCEEDED or INFEASIBLE) never change.
 */
export interface FrozenTrial<P extends TrialParameters = TrialParameters> {
  /** The trial id, `"1"`, `"2"`, ... in the order trials were created (as Vertex numbers them). */
  readonly id: string;
  readonly state: TrialState;
  readonly parameters: P;
  /** Every measurement, in the order reported. */
  readonly measurements: readonly Measurement[];
  /** The final measurement, set when the trial SUCCEEDED: the best or the last one, by the study's `measurementSelection`. */
  readonly finalMeasurement?: Measurement;
  readonly failure?: TrialFailure;
  /** The trial this one runs again, when that one was interrupted (its coordinator died). */
  readonly retryOf?: string;
  /**
   * True on a SUCCEEDED trial that the study's early-stopping rule ended before its last step (as
   * Vertex AI ends the trials its stopping rule stops): its final measurement is its last one.
   */
  readonly stoppedEarly?: boolean;
  /**
   * The step at which the early-stopping rule stopped the trial: set from the decision on (a
   * STOPPING trial) and kept on a trial `stoppedEarly`. Its `measurements` end at that step.
   */
  readonly stoppedAtStep?: number;
  /**
   * What the trainer reported after the rule's decision, before it took the signal: kept, but not
   * part of the trial's curve (`measurements`), its value or any rule's view of it.
   */
  readonly measurementsAfterStop?: readonly Measurement[];
  /** ISO 8601 timestamps: when the trial was created, its process started, and it finished. */
  readonly createTime?: string;
  readonly startTime?: string;
  readonly endTime?: string;
}

/**
 * A trial without its measurements: its state, parameters, final measurement and failure, what a
 * list of trials shows. A trial may hold 100,000 measurements; a list of studies reads none, and a
 * store's writes that stop or end a trial return this (its writer holds the measurements already).
 */
export type TrialSummary<P extends TrialParameters = TrialParameters> = Omit<FrozenTrial<P>, 'measurements' | 'measurementsAfterStop'>;

/** Where a study's trials run: `local` (child processes on this machine) or `vertex` (a Vertex AI HyperparameterTuningJob). */
export type StudyBackendKind = 'local' | 'vertex';
