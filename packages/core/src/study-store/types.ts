/**
 * The storage contract every study store honours (the SQLite store and the in-memory one).
 *
 * - **One writer per study.** A coordinator acquires the study's lease ({@link StudyLease}) before it
 *   writes anything, and passes the lease's token to every write. A write whose token is not the
 *   study's current lease is refused (`LEASE_LOST`), so a coordinator that lost its lease cannot
 *   corrupt the study. Acquiring a lease held by a live coordinator is refused (`STUDY_LOCKED`); a
 *   lease whose holder is known to be dead (same host, process gone) is taken over. Reads need no
 *   lease and may run in other processes at any time.
 * - **Atomic operations.** Each method is one transaction: it happens entirely or not at all, even
 *   if the process is killed in the middle. `createStudy` creates the study and grants its lease
 *   together; `interruptTrials` (`interruptTrial`) marks a dead coordinator's trials (one trial) and
 *   queues their re-runs together.
 * - **Finished trials are immutable.** Once a trial is SUCCEEDED or INFEASIBLE, nothing about it
 *   changes; finishing it again or adding a measurement is refused (`TRIAL_FINISHED`).
 * - **Every measurement is kept**, in the order it was added, and never rewritten. Once an
 *   early-stopping rule's decision is recorded (`stopTrial` with `stoppedAtStep`), measurements added
 *   after it are kept apart, as reported after the decision (`FrozenTrial.measurementsAfterStop`).
 * - Trial ids are `"1"`, `"2"`, ... per study, in creation order, never reused.
 * - Methods are synchronous: a store is used by one thread; SQLite serializes processes.
 */
import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial, Measurement, StudyState, TrialFailure, TrialSummary } from '../study/types.js';
import type { StudyDefinition } from '../study/definition.js';

/** Who holds, or wants, a study's lease: a coordinator process. */
export interface LeaseOwner {
  /** A random token that identifies this coordinator run; every write carries it. */
  readonly token: string;
  /** The coordinator's process id. */
  readonly pid: number;
  /** The host the coordinator runs on (`os.hostname()`). */
  readonly hostname: string;
  /**
   * When the process started, as the operating system tells it (Linux: `/proc/<pid>/stat`
   * start time in clock ticks since boot), so a reused pid is not mistaken for the holder.
   */
  readonly processStart?: string;
}

/** A study's lease as stored: its holder and since when. */
export interface StudyLease extends LeaseOwner {
  /** ISO 8601 time the lease was acquired. */
  readonly acquiredAt: string;
}

/** What {@link StudyStore.acquireLease} did. */
export interface LeaseGrant {
  readonly lease: StudyLease;
  /** The lease that was taken over because its holder was dead, if any. */
  readonly takenOver?: StudyLease;
}

/**
 * Options of {@link StudyStore.acquireLease}. Whether a holder is gone is the caller's knowledge
 * (the local backend checks its process), never the store's.
 */
export interface AcquireLeaseOptions {
  /**
   * Called, inside the store's transaction, when another owner holds the lease: `true` takes it
   * over; throw (`STUDY_LOCKED`) to refuse.
   */
  readonly takeOver: (held: StudyLease) => boolean;
}

/** A study as stored. */
export interface StudyRecord {
  readonly definition: StudyDefinition;
  readonly state: StudyState;
  /** ISO 8601 timestamps. */
  readonly createTime: string;
  readonly updateTime: string;
  /** The current lease, if a coordinator holds (or held and died holding) one. */
  readonly lease?: StudyLease;
}

/** The process that runs a trial, so a resumed study can stop an orphan left by a dead coordinator. */
export interface TrialProcess {
  readonly pid: number;
  readonly hostname: string;
  /** As {@link LeaseOwner.processStart}. */
  readonly processStart?: string;
}

/** How a trial ended, for {@link StudyStore.finishTrial}. */
export type TrialOutcome =
  | { readonly state: 'SUCCEEDED'; readonly finalMeasurement: Measurement; readonly endTime: string; readonly stoppedEarly?: boolean }
  | { readonly state: 'INFEASIBLE'; readonly failure: TrialFailure; readonly endTime: string };

/** An early-stopping rule's decision, for {@link StudyStore.stopTrial}. */
export interface StopDecision {
  /** The step whose measurement the rule rejected. */
  readonly stoppedAtStep: number;
}

/** A trial a dead coordinator left running, as {@link StudyStore.interruptTrials} found it. */
export interface InterruptedTrial {
  /** The old trial, now INFEASIBLE with failure kind `interrupted`. */
  readonly trial: FrozenTrial;
  /** Its process as recorded when it started, to stop it if it still runs. */
  readonly process?: TrialProcess;
  /** The new REQUESTED trial with the same parameters that runs it again. */
  readonly retry: FrozenTrial;
}

/** Stores studies, their trials and every measurement. See the module comment for the contract. */
export interface StudyStore {
  /**
   * Creates a study in state ACTIVE and grants its lease to `owner`, atomically.
   * @throws HptuneError `STUDY_EXISTS` when a study of that name exists.
   */
  createStudy(definition: StudyDefinition, owner: LeaseOwner): StudyRecord;
  /** The study, or `undefined`. */
  getStudy(name: string): StudyRecord | undefined;
  /** Every study, oldest first. */
  listStudies(): StudyRecord[];
  /**
   * Grants the study's lease to `owner`, taking it over from a dead holder.
   * @throws HptuneError `STUDY_NOT_FOUND`; `STUDY_LOCKED` naming the live holder and what to do.
   */
  acquireLease(name: string, owner: LeaseOwner, options: AcquireLeaseOptions): LeaseGrant;
  /** Releases the lease if `token` holds it; a no-op otherwise. */
  releaseLease(name: string, token: string): void;
  /** Sets the study's state. */
  setStudyState(name: string, state: StudyState, token: string): void;
  /** Creates a REQUESTED trial with the next id. */
  createTrial(name: string, trial: { readonly parameters: TrialParameters; readonly retryOf?: string }, token: string): FrozenTrial;
  /** REQUESTED to ACTIVE: the trial's process runs. */
  startTrial(name: string, trialId: string, start: { readonly startTime: string; readonly process?: TrialProcess }, token: string): FrozenTrial;
  /**
   * ACTIVE to STOPPING: hptune asked the trial's process to stop; with `stoppedAtStep`, because the
   * study's early-stopping rule rejected its measurement at that step (the decision is stored, so a
   * resumed study finishes the trial as stopped early instead of running it again).
   */
  stopTrial(name: string, trialId: string, token: string, decision?: StopDecision): TrialSummary;
  /**
   * Appends measurements to an unfinished trial, in one transaction. After an early-stopping
   * decision they are stored as reported after it (`FrozenTrial.measurementsAfterStop`).
   */
  addMeasurements(name: string, trialId: string, measurements: readonly Measurement[], token: string): void;
  /**
   * Ends a trial, SUCCEEDED (`stoppedEarly` when a stopping rule ended it) or INFEASIBLE; refused for
   * a finished trial. A trial with an early-stopping decision that ends otherwise (its trainer had
   * finished first) loses the decision: its measurements after it become ordinary ones.
   */
  finishTrial(name: string, trialId: string, outcome: TrialOutcome, token: string): TrialSummary;
  /**
   * After taking over from a dead coordinator: every ACTIVE or STOPPING trial becomes INFEASIBLE
   * (kind `interrupted`, its measurements kept) and gets a new REQUESTED trial with the same
   * parameters (`retryOf` its id), atomically. REQUESTED trials are left as they are: they never ran.
   */
  interruptTrials(name: string, endTime: string, token: string): InterruptedTrial[];
  /**
   * The same for one ACTIVE or STOPPING trial, atomically: a trial a resumed study adopted (see
   * {@link StudyStore.getTrialProcess}) whose trainer ended without completing its run.
   */
  interruptTrial(name: string, trialId: string, endTime: string, token: string): InterruptedTrial;
  /**
   * The process recorded when the trial started (`startTrial`), if any: a resumed study checks
   * whether a dead coordinator's trainer still runs, to adopt it rather than run it again.
   */
  getTrialProcess(name: string, trialId: string): TrialProcess | undefined;
  /** Every trial of the study, by id. */
  getTrials(name: string): FrozenTrial[];
  /** Every trial of the study, by id, without reading a single measurement: what a list of studies needs. */
  getTrialSummaries(name: string): TrialSummary[];
  /** One trial, or `undefined`. */
  getTrial(name: string, trialId: string): FrozenTrial | undefined;
  /**
   * Deletes the study with its trials and measurements, atomically; the caller must hold its lease
   * (take it with {@link StudyStore.acquireLease} first, so a running coordinator is never pulled
   * out from under). The name is free again afterwards.
   * @throws HptuneError `STUDY_NOT_FOUND`; `LEASE_LOST` when `token` does not hold the lease.
   */
  deleteStudy(name: string, token: string): void;
  /**
   * Checks that the store is still the one opened: for a file, that the file under its path is the
   * same file (not deleted, replaced or truncated since it was opened) and, with `thorough`, that
   * SQLite's `quick_check` passes. A store with nothing under it to lose (in memory) may leave it out.
   * @throws HptuneError `STORE_REPLACED` or `STORE_CORRUPT`, saying what happened and what to do.
   */
  verify?(options?: { readonly thorough?: boolean }): void;
  /** Closes the store; further calls fail. */
  close(): void;
}
