import type { TrialParameters } from '../space/types.js';

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

/** Why a trial ended INFEASIBLE. */
export interface TrialFailure {
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
  /** The final measurement: the last one reported, set when the trial SUCCEEDED. */
  readonly finalMeasurement?: Measurement;
  readonly failure?: TrialFailure;
  /** ISO 8601 timestamps. */
  readonly startTime?: string;
  readonly endTime?: string;
}

/**
 * The program that runs one trial: any executable that speaks the trial contract
 * (`--<param>=<value>` arguments, `AIP_*`/`CLOUD_ML_*` environment, metrics to
 * `CLOUD_ML_HP_METRIC_FILE`). Started without a shell; the trial's parameters are appended to `args`.
 */
export interface TrainerCommand {
  /** The executable, e.g. `process.execPath` or `python3`. */
  readonly command: string;
  /** Arguments before the trial's parameters, e.g. the script path and fixed flags. */
  readonly args: readonly string[];
  /** Extra environment variables for every trial. */
  readonly env?: Readonly<Record<string, string>>;
  /** The working directory. @default the trial's directory */
  readonly cwd?: string;
}
