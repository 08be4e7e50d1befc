import type { HptuneError } from '../errors.js';
import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial, Measurement, StudyDefinition, StudyState } from './types.js';

/**
 * When the coordinator did what for one trial, in milliseconds on its monotonic clock
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
  /** The process was seen exiting. */
  readonly exitedAt?: number;
  /** The outcome was committed to the store. */
  readonly recordedAt?: number;
}

/** A study as it stands: its definition, state and where its files are. */
export interface StudyInfo extends StudyDefinition {
  readonly state: StudyState;
  /** The study's folder, `<study dir>/<name>`, absolute: one sub-folder per trial. */
  readonly directory: string;
  /** The SQLite file that stores it. */
  readonly storeFile: string;
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
  readonly timings: TrialTimings;
}

/** A running trial reported a measurement (already stored). */
export interface MeasurementEvent<P extends TrialParameters = TrialParameters> {
  /** The trial, its measurements including this one. */
  readonly trial: FrozenTrial<P>;
  readonly measurement: Measurement;
}

/** The study stopped before it completed: cancelled, too many failed trials, or a coordinator error. */
export interface StudyStoppedEvent<P extends TrialParameters = TrialParameters> extends StudyResult<P> {
  /** The error `wait()` rejects with. */
  readonly error: HptuneError;
}

/** Something went wrong that does not stop the study, e.g. TensorBoard logs the coordinator could not write. */
export interface StudyWarningEvent {
  /** What it is about, e.g. `TENSORBOARD_WRITE_FAILED`. */
  readonly code: string;
  /** One line naming the file or trial and what was lost. */
  readonly message: string;
  /** The trial concerned, if any. */
  readonly trialId?: string;
  readonly cause?: unknown;
}

/** The events of a running study, by name, with what each listener receives. */
export interface StudyEvents<P extends TrialParameters = TrialParameters> {
  /** A trial's process runs (state ACTIVE). */
  trialStarted: TrialEvent<P>;
  /** A running trial reported a measurement. */
  measurement: MeasurementEvent<P>;
  /** A trial ended, SUCCEEDED or INFEASIBLE, and is stored. */
  trialCompleted: TrialEvent<P>;
  /** Every trial ran: the study is COMPLETED. */
  studyCompleted: StudyResult<P>;
  /** The study ended FAILED or CANCELLED. */
  studyStopped: StudyStoppedEvent<P>;
  /** Something went wrong that does not stop the study (TensorBoard logs that could not be written). */
  warning: StudyWarningEvent;
}

/** A listener of one study event. */
export type StudyListener<P extends TrialParameters, E extends keyof StudyEvents<P>> = (event: StudyEvents<P>[E]) => void;

/**
 * A study being run, as `launchStudy` and `resumeStudy` return it.
 *
 * Events are delivered through {@link StudyHandle.on}, synchronously, in the order things happen;
 * the first event comes no sooner than the task after `launchStudy` resolves, so listeners added
 * right away miss nothing. A listener that throws stops the study (as a coordinator error).
 */
export interface StudyHandle<P extends TrialParameters = TrialParameters> {
  /** The study: its definition, and its state as of this run's start (updated when the run ends). */
  readonly study: StudyInfo;
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof StudyEvents<P>>(event: E, listener: StudyListener<P, E>): () => void;
  /**
   * Settles when the study ends: resolves with the result when it COMPLETED; rejects with an
   * HptuneError `STUDY_FAILED` (too many failed trials, naming them and why), `STUDY_CANCELLED`
   * ({@link StudyHandle.cancel} or the abort signal), or the coordinator's error.
   */
  wait(): Promise<StudyResult<P>>;
  /**
   * Stops the study: no new trial starts, running ones get SIGTERM then SIGKILL after the grace
   * period and are recorded INFEASIBLE (`cancelled`), the study is CANCELLED and can be resumed.
   */
  cancel(): void;
  /** Every trial so far, by id. */
  trials(): readonly FrozenTrial<P>[];
  /** The best trial so far. */
  best(): FrozenTrial<P> | undefined;
  /** The coordinator's timings of each trial it ran in this run; see {@link TrialTimings}. */
  timings(): readonly TrialTimings[];
}
