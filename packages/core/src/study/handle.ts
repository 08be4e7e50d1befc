import type { HptuneError } from '../errors.js';
import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial, Measurement, StudyState } from './types.js';
import type { StudyDefinition } from './definition.js';

/**
 * When the local coordinator did what for one trial, in milliseconds on its monotonic clock
 * (`performance.now()`): the coordinator's own overhead is `runningAt - decidedAt` (choose
 * parameters, record the trial, create its directories, spawn) and `recordedAt - exitedAt` (read
 * the metric file, record the outcome).
 */
export interface TrialTimings {
  readonly trialId: string;
  /** The coordinator decided to start a trial (a slot was free). */
  readonly decidedAt: number;
  /** The trial's process runs (Node's `spawn` event). */
  readonly runningAt?: number;
  /** The trial's first measurement was stored (local backend). */
  readonly firstMeasurementAt?: number;
  /**
   * Milliseconds from the trainer's first report (its timestamp) to its measurement being stored:
   * how late the coordinator saw it (local backend; wall clock, so millisecond resolution).
   */
  readonly firstMeasurementLagMs?: number;
  /** The early-stopping rule stopped the trial and SIGTERM went to its trainer (local backend). */
  readonly stopRequestedAt?: number;
  /** Milliseconds from the report the rule rejected (its timestamp) to SIGTERM (local backend; wall clock). */
  readonly stopLagMs?: number;
  /** The process was seen exiting. */
  readonly exitedAt?: number;
  /** The outcome was committed to the store. */
  readonly recordedAt?: number;
}

/** A study as it stands: its definition and state, on any backend. */
export interface StudyInfo extends StudyDefinition {
  readonly state: StudyState;
  /** ISO 8601 timestamps. */
  readonly createTime: string;
  readonly updateTime: string;
}

/** What a study ends with: all its trials and the best. */
export interface StudyResult<P extends TrialParameters = TrialParameters> {
  readonly study: StudyInfo;
  /** Every trial, by id, including failed, cancelled and interrupted ones. */
  readonly trials: readonly FrozenTrial<P>[];
  /** The SUCCEEDED trial with the best final value of the study's metric (the earliest on a tie). */
  readonly best: FrozenTrial<P> | undefined;
}

/** A trial started or finished. */
export interface TrialEvent<P extends TrialParameters = TrialParameters> {
  readonly trial: FrozenTrial<P>;
  /** The local coordinator's timings of the trial so far; absent on backends that run trials elsewhere. */
  readonly timings?: TrialTimings;
}

/** A running trial reported a measurement. */
export interface MeasurementEvent<P extends TrialParameters = TrialParameters> {
  /** The trial, its measurements including this one. */
  readonly trial: FrozenTrial<P>;
  readonly measurement: Measurement;
}

/**
 * The study stopped before it completed: cancelled, too many failed trials, a backend error, or
 * (state still ACTIVE) this process stopped following a study that runs elsewhere.
 */
export interface StudyStoppedEvent<P extends TrialParameters = TrialParameters> extends StudyResult<P> {
  /** The error `wait()` rejects with. */
  readonly error: HptuneError;
}

/** Something went wrong that does not stop the study: TensorBoard logs not written, a listener that threw. */
export interface StudyWarningEvent {
  /** What it is about, e.g. `TENSORBOARD_WRITE_FAILED` or `LISTENER_FAILED`. */
  readonly code: string;
  /** One line naming the file, trial or event and what was lost. */
  readonly message: string;
  /** The trial concerned, if any. */
  readonly trialId?: string;
  readonly cause?: unknown;
}

/** The events of a running study on every backend, by name, with what each listener receives. */
export interface StudyEvents<P extends TrialParameters = TrialParameters> {
  /** A trial runs (state ACTIVE). */
  trialStarted: TrialEvent<P>;
  /** A running trial reported a measurement. */
  measurement: MeasurementEvent<P>;
  /** A trial ended, SUCCEEDED or INFEASIBLE. */
  trialCompleted: TrialEvent<P>;
  /** Every trial ran: the study is COMPLETED. */
  studyCompleted: StudyResult<P>;
  /** The study ended FAILED or CANCELLED, or this process stopped following it. */
  studyStopped: StudyStoppedEvent<P>;
  /** Something went wrong that does not stop the study. */
  warning: StudyWarningEvent;
}

/** A listener of one event of an event map. */
export type StudyListener<Events, E extends keyof Events> = (event: Events[E]) => void;

/**
 * A study being run, as `launchStudy` and `resumeStudy` return it, whatever the backend.
 *
 * Events are delivered through {@link StudyHandle.on}, synchronously, in the order things happen;
 * the first event comes no sooner than the task after `launchStudy` resolves, so listeners added
 * right away miss nothing. A listener that throws does not stop the study nor the other listeners:
 * its error is delivered as a `warning` event (`LISTENER_FAILED`).
 *
 * @typeParam P the trials' parameters, typed from the search space.
 * @typeParam Details what only this backend has (`LocalStudyDetails`, `VertexStudyDetails`).
 * @typeParam Extra events only this backend emits (Vertex AI: `jobState`).
 */
export interface StudyHandle<P extends TrialParameters = TrialParameters, Details = unknown, Extra extends object = object> {
  /** The study: its definition, and its state as of this run's start (updated when the run ends). */
  readonly study: StudyInfo;
  /** What only this backend has: the local study folder, the Vertex AI job and its console URL, ... */
  readonly backend: Details;
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof (StudyEvents<P> & Extra)>(event: E, listener: StudyListener<StudyEvents<P> & Extra, E>): () => void;
  /**
   * Settles when the study ends: resolves with the result when it COMPLETED; rejects with an
   * HptuneError: `STUDY_FAILED` (too many failed trials), `STUDY_CANCELLED` ({@link StudyHandle.cancel}
   * or the abort signal), a backend's own error (e.g. `VertexJobError`), or why it stopped being followed.
   */
  wait(): Promise<StudyResult<P>>;
  /**
   * Stops the study: no new trial starts, running ones are stopped, the study ends CANCELLED.
   * Resolves once the backend has taken the request; `wait()` settles when the study has ended.
   */
  cancel(): Promise<void>;
  /**
   * Stops the study gracefully, as Optuna's `Study.stop()`: no new trial starts, the running ones
   * finish and are recorded, then the study ends: COMPLETED when nothing was left to run, else
   * CANCELLED (`wait()` rejects with `STUDY_CANCELLED`; `resumeStudy` runs the rest). Call
   * {@link StudyHandle.cancel} afterwards to end the running trials too (a second Ctrl-C).
   * Vertex AI has no such request: there it rejects with `STUDY_STOP_UNSUPPORTED` and the job runs on.
   */
  stop(): Promise<void>;
  /** Every trial so far, by id. */
  trials(): readonly FrozenTrial<P>[];
  /** The best trial so far (see {@link StudyResult.best}). */
  best(): FrozenTrial<P> | undefined;
}
