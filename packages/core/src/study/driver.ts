import type { HptuneError } from '../errors.js';
import type { Sampler } from '../samplers/types.js';
import type { CheckedSearchSpace } from '../space/checked.js';
import type { StoppingRule } from '../stopping/types.js';
import type { StudyInfo, StudyWarningEvent, TrialEvent, MeasurementEvent } from './handle.js';
import type { FrozenTrial, StudyBackendKind, TrainerCommand } from './types.js';
import type { StudyDefinition } from './definition.js';

/**
 * How a study's run ended, as a driver reports it: COMPLETED; FAILED or CANCELLED with the error
 * `wait()` rejects with; or ACTIVE with an error when this process stopped following a study that
 * goes on elsewhere (a Vertex AI job after `detach()`).
 */
export type StudyOutcome = { readonly state: 'COMPLETED' } | { readonly state: 'FAILED' | 'CANCELLED' | 'ACTIVE'; readonly error: HptuneError };

/** Where a driver reports what happens while its study runs; the shared run turns it into handle events. */
export interface StudyEventSink<Extra extends object = object> {
  trialStarted(event: TrialEvent): void;
  measurement(event: MeasurementEvent): void;
  trialCompleted(event: TrialEvent): void;
  warning(event: StudyWarningEvent): void;
  /** An event only this backend emits. */
  extra<E extends keyof Extra>(event: E, payload: Extra[E]): void;
}

/**
 * One study being run by a driver. The shared run (`study/run.ts`) owns the listeners, the abort
 * signal and the end of the study; the driver owns the trials.
 */
export interface StudyExecution<Details = unknown, Extra extends object = object> {
  /** The study as it stands now (its state is updated by the driver when the run ends). */
  info(): StudyInfo;
  /** What only this backend has, as the handle shows it (`handle.backend`). */
  readonly details: Details;
  /** Every trial so far, by id. */
  trials(): readonly FrozenTrial[];
  /** Runs the study to its end, reporting through `events`; never rejects: failures are outcomes. */
  run(events: StudyEventSink<Extra>): Promise<StudyOutcome>;
  /** Asks the study to stop: no new trials, running ones ended; `run` then resolves CANCELLED. */
  cancel(): Promise<void>;
  /**
   * Asks the study to start no new trial and to end once its running trials have finished (and
   * been recorded); `run` then resolves COMPLETED when nothing was left to run, CANCELLED
   * otherwise. A `cancel()` afterwards ends the running trials too. A backend that cannot let
   * running trials finish without starting others rejects (`STUDY_STOP_UNSUPPORTED`) and runs on.
   */
  stop(): Promise<void>;
}

/** A launch as the driver receives it: the definition checked by the shared checks, and the options only some backends take. */
export interface DriverLaunch {
  readonly definition: Omit<StudyDefinition, 'trainer' | 'backend'>;
  /** The search space the definition's `space` was written from, validated once for the launch (check it again for free). */
  readonly space: CheckedSearchSpace;
  /** `launchStudy`'s `trainer`, unchecked: the local backend requires it, Vertex AI refuses it. */
  readonly trainer: TrainerCommand | undefined;
  /** `launchStudy`'s `studyDir`, unchecked: where the local backend keeps studies. */
  readonly studyDir: string | undefined;
  /** The sampler the user brought (checked; only the local backend gets one); absent: the algorithm's own. */
  readonly sampler?: Sampler | undefined;
  /** `launchStudy`'s `earlyStopping`, checked; its settings are `definition.earlyStopping`. */
  readonly stoppingRule?: StoppingRule;
}

/** The settings of a resume that apply to that run only, checked by the shared checks. */
export interface DriverResume {
  readonly name: string;
  readonly studyDir: string | undefined;
  readonly parallelTrials?: number;
  readonly maxFailedTrials?: number;
  readonly trialTimeoutSeconds?: number;
  readonly forceUnlock: boolean;
  /** The sampler the user brought again, for a study launched with one (checked). */
  readonly sampler?: Sampler | undefined;
  /** `resumeStudy`'s `earlyStopping`, checked: the rule, when hptune cannot rebuild it from the stored settings. */
  readonly stoppingRule?: StoppingRule;
}

/**
 * The contract every backend implements; `launchStudy` and `resumeStudy` call it without knowing
 * which backend it is. A backend value (`local()`, `vertex()`) is its own driver.
 *
 * Drivers check their own options before anything is spent, and throw `ValidationError` naming
 * the option in SDK terms (`backend.containerUri`, never a CLI flag).
 */
export interface StudyDriver<Details = unknown, Extra extends object = object> {
  readonly kind: StudyBackendKind;
  /** Search algorithms this backend runs (`launchStudy` refuses the others before anything runs). */
  readonly algorithms: readonly string[];
  /** Trials run at once when the study does not say. */
  defaultParallelTrials(maxTrials: number): number;
  /** Creates the study where its trials run and returns it, ready to run. */
  launch(launch: DriverLaunch): Promise<StudyExecution<Details, Extra>>;
  /** Takes up a study launched before (after a crash, a cancel, or from another process) and returns it, ready to run. */
  resume(resume: DriverResume): Promise<StudyExecution<Details, Extra>>;
}

/** The details type of a driver. */
export type DetailsOf<D> = D extends StudyDriver<infer Details, object> ? Details : never;

/** The backend-only events of a driver. */
export type ExtraEventsOf<D> = D extends StudyDriver<unknown, infer Extra> ? Extra : never;
