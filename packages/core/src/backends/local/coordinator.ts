import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HptuneError } from '../../errors.js';
import type { Sampler } from '../../samplers/types.js';
import type { StoppingRule } from '../../stopping/types.js';
import type { TrialParameters } from '../../space/types.js';
import type { InterruptedTrial, StudyRecord, StudyStore } from '../../study-store/types.js';
import { countsAsFailed, countsForSearch } from '../../study/best.js';
import type { StudyEventSink, StudyExecution, StudyOutcome } from '../../study/driver.js';
import type { StudyInfo, TrialTimings } from '../../study/handle.js';
import type { FrozenTrial, Measurement, TrainerCommand, TrialSummary } from '../../study/types.js';
import { adoptTrialProcess, type AdoptedTrial, type DecidedTrial } from './adopt.js';
import { inheritCheckpoints, sharedEnvironment, trialPaths } from './contract.js';
import { processLiveness } from './liveness.js';
import { addRecordedHParams, completeTrialRun, MAX_COMPLETED_SCALARS, readTrialRuns, writeStudyExperiment, type RecordedHParams } from './tensorboard.js';
import { TrialCurve } from './trial-curve.js';
import { isAccessDenied, startTrialProcess, type RunningTrialProcess, type TrialProcessWatching } from './trial-process.js';
import type { StopRequest as TrialStopRequest } from './trial-stop.js';
import { TrialHostPool } from './trial-host.js';
import { metricValue } from '../../stopping/values.js';
import { formatParameters } from '@hptune/trial/format';

/** What the local coordinator needs: a study whose lease it holds, and this run's settings. */
export interface LocalStudyRunOptions {
  /** The open store; the run closes it when the study ends. */
  readonly store: StudyStore;
  /** The lease token this coordinator holds. */
  readonly token: string;
  /** The study as stored when the run begins. */
  readonly record: StudyRecord;
  /** The study's folder, absolute. */
  readonly directory: string;
  /** The store's file. */
  readonly storeFile: string;
  /** The program each trial runs. */
  readonly trainer: TrainerCommand;
  /**
   * Chooses new trials' parameters. It is shown the trials that count for the search
   * (`countsForSearch`): cancelled and interrupted ones are left out, as their parameters are run
   * again, so a random search draws what it would have drawn without the interruption.
   */
  readonly sampler: Sampler;
  /** Trials run at once. */
  readonly parallelTrials: number;
  /** Consulted after each measurement of a running trial, in order; absent: trials run to their end. */
  readonly stoppingRule?: StoppingRule;
  /** Failed trials that stop the study; absent: no limit. */
  readonly maxFailedTrials?: number;
  /** Seconds before a trial is stopped; absent: no limit. */
  readonly trialTimeoutSeconds?: number;
  /** How often running trials' metric files are read without a change notice, in milliseconds (a file watch reads them at once). */
  readonly pollIntervalMs: number;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped. */
  readonly stopGracePeriodSeconds: number;
  /** Whether a reusable trainer runs the trials in one process per slot (see `LocalBackendOptions.reuseTrainerProcesses`). */
  readonly reuseTrainerProcesses: boolean;
  /** Trials a dead coordinator left running that are run again: their processes are stopped before anything starts. */
  readonly interrupted?: readonly InterruptedTrial[];
  /** Trials a dead coordinator was stopping by the rule's stored decision, now finished: their trainers are ended before anything starts. */
  readonly decided?: readonly DecidedTrial[];
  /** Trials a dead coordinator left ACTIVE whose trainers ran on this host: followed to their end, not run again. */
  readonly adopted?: readonly AdoptedTrial[];
}

/** What only the local backend has, as `handle.backend` shows it. */
export interface LocalStudyDetails {
  readonly kind: 'local';
  /** The study's folder, `<study dir>/<name>`, absolute: one sub-folder per trial. */
  readonly directory: string;
  /** The SQLite file that stores the study. */
  readonly storeFile: string;
  /** The coordinator's timings of each trial it ran in this run; see {@link TrialTimings}. */
  timings(): readonly TrialTimings[];
}

/** Trial starts refused by the study folder's permissions, in a row, before the study stops. */
const START_RETRIES = 5;
/** The wait before the first such retry, in milliseconds; it doubles each time (about 15 s in all). */
const START_RETRY_DELAY_MS = 500;

/** How often a running study checks that its store file is still the one it opened, in milliseconds. */
const STORE_CHECK_INTERVAL_MS = 1000;

type MutableTimings = { -readonly [K in keyof TrialTimings]: TrialTimings[K] };

/** Why the study stops: `drain` lets running trials finish (`stop()`); the others end them. */
type StopRequest = { readonly kind: 'drain' | 'cancelled' | 'failed' | 'error'; readonly error: HptuneError };

/**
 * A study run on this machine: up to `parallelTrials` trial processes at once, parameters from the
 * sampler (trials left REQUESTED, such as a resumed study's re-runs, go first), every change stored
 * as it happens. The shared study run (`runStudy`) drives it.
 */
export class LocalStudyRun implements StudyExecution<LocalStudyDetails> {
  readonly details: LocalStudyDetails;
  readonly #options: LocalStudyRunOptions;
  readonly #name: string;
  /** Every trial as last stored, its measurements read from its curve when asked for. */
  readonly #trials = new Map<string, FrozenTrial>();
  /** Each trial's measurements, in columns: a trial may report 100,000, too many to hold as objects. */
  readonly #curves = new Map<string, TrialCurve>();
  readonly #running = new Map<string, RunningTrialProcess>();
  readonly #timings: MutableTimings[] = [];
  #events: StudyEventSink | undefined;
  #info: StudyInfo;
  /** Consecutive trial starts the study folder's permissions refused, and the timer of the next try. */
  #deniedStarts = 0;
  #startRetry: NodeJS.Timeout | undefined;
  #stop: StopRequest | undefined;
  #wake: () => void = () => {};
  /** Scalar tags of the trials' runs, the experiment's metrics. */
  readonly #scalarTags = new Set<string>();
  /** Hyperparameters the trials' sessions record, with their values: the experiment declares them all. */
  readonly #recordedHParams: RecordedHParams = new Map();
  /** The metrics and hyperparameters the experiment was last written with. */
  #experimentKey: string | undefined;
  /** The processes that run the trials when the trainer is reusable; absent: a process per trial. */
  readonly #hosts: TrialHostPool | undefined;

  constructor(options: LocalStudyRunOptions) {
    this.#options = options;
    this.#name = options.record.definition.name;
    this.#info = toInfo(options.record);
    const { trainer } = options;
    this.#hosts =
      trainer.reusable === true && options.reuseTrainerProcesses
        ? new TrialHostPool({ trainer, studyFolder: options.directory, env: sharedEnvironment(trainer), gracePeriodSeconds: options.stopGracePeriodSeconds })
        : undefined;
    for (const trial of options.store.getTrials(this.#name)) {
      this.#curves.set(trial.id, TrialCurve.of(trial));
      this.#hold(trial);
    }
    this.details = {
      kind: 'local',
      directory: options.directory,
      storeFile: options.storeFile,
      timings: () => this.#timings.map((timing) => ({ ...timing })),
    };
  }

  info(): StudyInfo {
    return this.#info;
  }

  trials(): readonly FrozenTrial[] {
    return [...this.#trials.values()];
  }

  async cancel(): Promise<void> {
    this.#requestStop({ kind: 'cancelled', error: new HptuneError('STUDY_CANCELLED', `study ${JSON.stringify(this.#name)} was cancelled; resumeStudy(${JSON.stringify(this.#name)}) finishes it`) });
  }

  async stop(): Promise<void> {
    this.#requestStop({
      kind: 'drain',
      error: new HptuneError('STUDY_CANCELLED', `study ${JSON.stringify(this.#name)} was stopped after its running trials finished; resumeStudy(${JSON.stringify(this.#name)}) runs the rest`),
    });
  }

  async run(events: StudyEventSink): Promise<StudyOutcome> {
    this.#events = events;
    return this.#run();
  }

  /** Stops the study because something went wrong in the coordinator itself. */
  #fail(error: unknown, context: string): void {
    const wrapped =
      error instanceof HptuneError
        ? error
        : new HptuneError('COORDINATOR_FAILED', `${context}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    this.#requestStop({ kind: 'error', error: wrapped });
  }

  #requestStop(request: StopRequest): void {
    // The first reason wins, except that any other overrides a drain (ending the trials it let run),
    // and a coordinator error overrides a cancel or a failure.
    const current = this.#stop;
    if (current && current.kind !== 'drain' && !(request.kind === 'error' && current.kind !== 'error')) return;
    if (current && request.kind === 'drain') return;
    this.#stop = request;
    if (request.kind !== 'drain' && (!current || current.kind === 'drain')) {
      const reason =
        request.kind === 'cancelled' ? 'the study was cancelled' : request.kind === 'failed' ? 'the study failed: too many failed trials' : `the coordinator failed: ${request.error.message}`;
      for (const trial of this.#running.values()) trial.stop(reason);
    }
    this.#wake();
  }

  async #run(): Promise<StudyOutcome> {
    // The store is checked between writes too: a deleted or replaced file stops the study even while no trial reports.
    const storeWatch = setInterval(() => {
      try {
        this.#options.store.verify?.();
      } catch (error) {
        this.#fail(error, 'checking the study store');
      }
    }, STORE_CHECK_INTERVAL_MS);
    try {
      const existing = readTrialRuns([...this.#trials.keys()].map((id) => trialPaths(this.#options.directory, id).logDir), this.#options.record.definition);
      for (const tag of existing.scalarTags) this.#scalarTags.add(tag);
      for (const [name, values] of existing.hparams) this.#recordedHParams.set(name, values);
      this.#writeExperiment();
      await this.#stopOrphans();
      for (const adopted of this.#options.adopted ?? []) this.#adopt(adopted);
      for (;;) {
        if (this.#stop && this.#startRetry) {
          clearTimeout(this.#startRetry);
          this.#startRetry = undefined;
        }
        if (!this.#stop) this.#fill();
        if (this.#running.size === 0 && this.#startRetry === undefined) break;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } catch (error) {
      this.#fail(error, 'the coordinator failed');
      // Trials may still run if the failure came while starting one: wait for them to end.
      while (this.#running.size > 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    } finally {
      clearInterval(storeWatch);
      await this.#hosts?.close();
    }
    return this.#finish();
  }

  /** Stops trial processes a dead coordinator left behind, so no combination runs twice at once. */
  async #stopOrphans(): Promise<void> {
    const orphans = [...(this.#options.interrupted ?? []), ...(this.#options.decided ?? [])].flatMap((entry) => (entry.process && processLiveness(entry.process) === 'alive' ? [entry.process] : []));
    if (orphans.length === 0) return;
    const signal = (sig: NodeJS.Signals) => {
      for (const orphan of orphans) {
        try {
          process.kill(-orphan.pid, sig);
        } catch {
          // Gone already.
        }
      }
    };
    signal('SIGTERM');
    const deadline = performance.now() + this.#options.stopGracePeriodSeconds * 1000;
    while (performance.now() < deadline && orphans.some((orphan) => processLiveness(orphan) === 'alive')) await sleep(50);
    signal('SIGKILL');
  }

  /** Whether a trial is left to start: one REQUESTED, or one more the search would suggest. */
  #hasTrialsToStart(): boolean {
    return [...this.#trials.values()].some((trial) => trial.state === 'REQUESTED') || this.#nextParameters() !== undefined;
  }

  /** The search's next suggestion, or `undefined` when the study has all its trials or the search is done. */
  #nextParameters(): TrialParameters | undefined {
    const searched = [...this.#trials.values()].filter(countsForSearch);
    return searched.length < this.#options.record.definition.maxTrials ? this.#options.sampler.suggest(searched) : undefined;
  }

  /** Starts trials until every slot is busy or nothing is left to start. */
  #fill(): void {
    while (!this.#stop && this.#startRetry === undefined && this.#running.size < this.#options.parallelTrials) {
      const decidedAt = performance.now();
      let trial = [...this.#trials.values()].find((candidate) => candidate.state === 'REQUESTED' && !this.#running.has(candidate.id));
      if (!trial) {
        const parameters = this.#nextParameters();
        if (!parameters) return;
        trial = this.#hold(this.#options.store.createTrial(this.#name, { parameters }, this.#options.token));
      }
      try {
        this.#start(trial, decidedAt);
        this.#deniedStarts = 0;
      } catch (error) {
        this.#retryDeniedStart(trial, error);
      }
    }
  }

  /**
   * A trial whose folder could not be prepared because the study folder denied access (a
   * permission changed for a moment) stays REQUESTED and is started again after a growing wait;
   * after {@link START_RETRIES} denials in a row the study stops, the trial still REQUESTED, so
   * resume runs it. Any other error is the coordinator's failure.
   */
  #retryDeniedStart(trial: FrozenTrial, error: unknown): void {
    if (!isAccessDenied(error)) throw error;
    this.#deniedStarts += 1;
    if (this.#deniedStarts > START_RETRIES) {
      throw new HptuneError(
        'STUDY_DIR_UNWRITABLE',
        `cannot prepare the folder of trial ${trial.id} in ${this.#options.directory} (${(error as Error).message}), ${START_RETRIES} times in a row; ` +
          `check the permissions of ${this.#options.directory}, then resumeStudy(${JSON.stringify(this.#name)}): trial ${trial.id} runs then`,
        { cause: error },
      );
    }
    this.#events?.warning({
      code: 'STUDY_DIR_DENIED',
      message: `cannot prepare the folder of trial ${trial.id} (${(error as Error).message}); trying again in ${(START_RETRY_DELAY_MS * 2 ** (this.#deniedStarts - 1)) / 1000} s`,
      trialId: trial.id,
      cause: error,
    });
    this.#startRetry = setTimeout(() => {
      this.#startRetry = undefined;
      this.#wake();
    }, START_RETRY_DELAY_MS * 2 ** (this.#deniedStarts - 1));
  }

  #start(trial: FrozenTrial, decidedAt: number): void {
    const { store, token } = this.#options;
    const timings: MutableTimings = { trialId: trial.id, decidedAt };
    this.#timings.push(timings);
    const id = trial.id;
    inheritCheckpoints(this.#options.directory, trial);
    const trialProcess = startTrialProcess({
      trainer: this.#options.trainer,
      studyName: this.#name,
      trialId: id,
      parameters: trial.parameters,
      ...this.#processOptions(id, timings),
      ...(this.#hosts ? { hosts: this.#hosts } : {}),
      onRunning: (child, at) =>
        this.#guard(id, 'recording a started trial', () => {
          timings.runningAt = at;
          const started = this.#hold(store.startTrial(this.#name, id, { startTime: new Date().toISOString(), process: child }, token));
          this.#events?.trialStarted({ trial: started, timings: { ...timings } });
        }),
    });
    this.#watch(id, trialProcess, timings);
  }

  /** What a trial's process needs from the study, whether this coordinator starts it or adopts it. */
  #processOptions(id: string, timings: MutableTimings): TrialProcessWatching {
    return {
      paths: trialPaths(this.#options.directory, id),
      metricId: this.#options.record.definition.metric.id,
      ...(this.#options.trialTimeoutSeconds === undefined ? {} : { timeoutSeconds: this.#options.trialTimeoutSeconds }),
      gracePeriodSeconds: this.#options.stopGracePeriodSeconds,
      pollIntervalMs: this.#options.pollIntervalMs,
      onMeasurements: (measurements) => this.#recordMeasurements(id, measurements, timings),
      onStopping: (request) => this.#recordStopping(id, request),
    };
  }

  /**
   * Takes over a trial a dead coordinator left running whose trainer ran on this host: waits for
   * the trainer if it still runs and records what it reports; see `adoptTrialProcess`. A STOPPING
   * trial's stop is asked again (nothing happens when its trainer is gone), so its end is judged
   * as a live early stop is: stopped at its stored step, unless its trainer finished its run first.
   */
  #adopt(adopted: AdoptedTrial): void {
    const { trial, process } = adopted;
    const id = trial.id;
    const timings: MutableTimings = { trialId: id, decidedAt: performance.now() };
    const trialProcess = adoptTrialProcess({
      trial,
      process,
      ...this.#processOptions(id, timings),
    });
    this.#events?.trialStarted({ trial, timings: { ...timings } });
    this.#watch(id, trialProcess, timings);
    if (trial.state === 'STOPPING' && trial.stoppedAtStep !== undefined) trialProcess.stopEarly(trial.stoppedAtStep);
  }

  /**
   * Holds a trial as the store last returned it: `trial`'s state and fields, with the measurements
   * recorded on its curve (those the store holds, which the store's writes do not hand back).
   */
  #hold(trial: TrialSummary): FrozenTrial {
    let curve = this.#curves.get(trial.id);
    if (!curve) this.#curves.set(trial.id, (curve = new TrialCurve()));
    const held = curve.snapshot(trial);
    this.#trials.set(trial.id, held);
    return held;
  }

  #guard(id: string, context: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.#fail(error, `${context} (trial ${id})`);
    }
  }

  /**
   * Stores a read's worth of a running trial's measurements in one transaction and, while the trial
   * is ACTIVE, has the study's rule judge each step in turn, as if each had come alone: at the first
   * step it rejects, the trainer is stopped and the decision stored with that step; what the batch
   * holds after it is stored as reported after the decision.
   */
  #recordMeasurements(id: string, batch: readonly Measurement[], timings: MutableTimings): void {
    this.#guard(id, 'recording measurements', () => {
      const current = this.#trials.get(id) as FrozenTrial;
      if (current.state !== 'ACTIVE' && current.state !== 'STOPPING') return;
      const { store, token } = this.#options;
      const curve = this.#curves.get(id) as TrialCurve;
      const startedAtSeconds = this.#running.get(id)?.startedAtSeconds;
      const lagMs = (measurement: Measurement) => (startedAtSeconds === undefined ? undefined : Math.max(0, Date.now() - (startedAtSeconds + measurement.elapsedSeconds) * 1000));
      curve.stage(batch);
      const rejected = current.state === 'ACTIVE' && !this.#stop ? this.#firstRejected(current, curve, batch) : undefined;
      const decided = rejected === undefined ? batch : batch.slice(0, rejected + 1);
      store.addMeasurements(this.#name, id, decided, token);
      curve.commit(decided.length);
      this.#hold(current);
      if (timings.firstMeasurementAt === undefined && batch[0]) {
        timings.firstMeasurementAt = performance.now();
        const lag = lagMs(batch[0]);
        if (lag !== undefined) timings.firstMeasurementLagMs = lag;
      }
      if (rejected !== undefined) {
        const judged = batch[rejected] as Measurement;
        this.#running.get(id)?.stopEarly(judged.step);
        if (this.#trials.get(id)?.stoppedAtStep !== undefined) {
          timings.stopRequestedAt = performance.now();
          const lag = lagMs(judged);
          if (lag !== undefined) timings.stopLagMs = lag;
        }
        const after = batch.slice(rejected + 1);
        store.addMeasurements(this.#name, id, after, token);
        curve.commit(after.length);
        this.#hold(this.#trials.get(id) as FrozenTrial);
      }
      const trial = this.#trials.get(id) as FrozenTrial;
      for (const measurement of batch) this.#events?.measurement({ trial, measurement });
    });
  }

  /**
   * Asks the study's early-stopping rule about each new measurement of an ACTIVE trial in turn (the
   * batch, staged on the trial's curve), showing it the trial up to that measurement and the other
   * trials that count for the search; the index of the first one it rejects. A rule that throws
   * stops the study, as any coordinator fault does.
   */
  #firstRejected(trial: FrozenTrial, curve: TrialCurve, batch: readonly Measurement[]): number | undefined {
    const rule = this.#options.stoppingRule;
    if (!rule) return undefined;
    const { metric } = this.#options.record.definition;
    const others = [...this.#trials.values()].filter((other) => other.id !== trial.id && countsForSearch(other));
    for (let index = 0; index < batch.length; index += 1) {
      // A rule never stops on a measurement without the metric: no need to ask.
      if (metricValue(batch[index], metric) === undefined) continue;
      const shown = curve.judged(trial, curve.recorded + index + 1);
      try {
        if (rule.decide({ trial: shown, others, metric, studyName: this.#name }).stop) return index;
      } catch (error) {
        this.#fail(error, `the early-stopping rule ${JSON.stringify(rule.spec.kind)} failed on trial ${trial.id}`);
        return undefined;
      }
    }
    return undefined;
  }

  #recordStopping(id: string, request: TrialStopRequest): void {
    this.#guard(id, 'recording a stopping trial', () => {
      if (this.#trials.get(id)?.state !== 'ACTIVE') return;
      const decision = request.kind === 'early-stopped' && request.atStep !== undefined ? { stoppedAtStep: request.atStep } : undefined;
      const record = this.#options.store.stopTrial(this.#name, id, this.#options.token, decision);
      if (decision) this.#curves.get(id)?.decide();
      this.#hold(record);
    });
  }

  /** Follows a running trial to its end and records how it ended. */
  #watch(id: string, trialProcess: RunningTrialProcess, timings: MutableTimings): void {
    const { store, token } = this.#options;
    this.#running.set(id, trialProcess);
    if (this.#stop && this.#stop.kind !== 'drain') trialProcess.stop('the study is stopping');
    void trialProcess.done
      .then((result) => {
        timings.exitedAt = result.exitedAt;
        this.#guard(id, 'recording a finished trial', () => {
          const endTime = new Date().toISOString();
          let finished: FrozenTrial;
          if (result.outcome.state === 'INFEASIBLE' && result.outcome.failure.kind === 'interrupted') {
            // An adopted trainer that ended without completing its run: run its parameters again.
            const { trial, retry } = store.interruptTrial(this.#name, id, endTime, token);
            this.#hold(retry);
            finished = this.#hold(trial);
          } else {
            const outcome =
              result.outcome.state === 'SUCCEEDED'
                ? {
                    state: 'SUCCEEDED' as const,
                    finalMeasurement: this.#finalMeasurement(id, result.outcome.finalMeasurement, result.outcome.stoppedEarly === true),
                    endTime,
                    ...(result.outcome.stoppedEarly ? { stoppedEarly: true } : {}),
                  }
                : { state: 'INFEASIBLE' as const, failure: result.outcome.failure, endTime };
            // The measurements are held here already: the store hands back the record alone.
            finished = this.#hold(store.finishTrial(this.#name, id, outcome, token));
          }
          timings.recordedAt = performance.now();
          this.#completeRun(finished);
          this.#events?.trialCompleted({ trial: finished, timings: { ...timings } });
        });
        this.#checkFailures();
      })
      .finally(() => {
        this.#running.delete(id);
        this.#wake();
      });
  }

  /**
   * Writes the study's HParams experiment when its metrics or hyperparameters changed (at the start,
   * then when a trial logged a new scalar tag or recorded a new hyperparameter value). TensorBoard
   * trouble never stops a study: a failure is a warning.
   */
  #writeExperiment(): void {
    const hparams = [...this.#recordedHParams].map(([name, values]) => [name, [...values].map(String).sort()]).sort();
    const key = JSON.stringify([[...this.#scalarTags].sort(), hparams]);
    if (key === this.#experimentKey) return;
    try {
      writeStudyExperiment({ definition: this.#options.record.definition, directory: this.#options.directory, scalarTags: this.#scalarTags, recordedHParams: this.#recordedHParams });
      this.#experimentKey = key;
    } catch (error) {
      this.#events?.warning({
        code: 'TENSORBOARD_WRITE_FAILED',
        message: `could not write the HParams experiment of study ${JSON.stringify(this.#name)} to ${this.#options.directory}: ${(error as Error).message}; TensorBoard's HParams dashboard will lack it`,
        cause: error,
      });
    }
  }

  /** Fills in the HParams session of a finished trial whose trainer did not write one; see `completeTrialRun`. */
  #completeRun(trial: FrozenTrial): void {
    const logDir = trialPaths(this.#options.directory, trial.id).logDir;
    const metricId = this.#options.record.definition.metric.id;
    try {
      const curve = this.#curves.get(trial.id) as TrialCurve;
      const metricPoints = curve.metricPoints(metricId, curve.curveLength(trial), MAX_COMPLETED_SCALARS);
      const { scalarTags, hparams } = completeTrialRun({ logDir, trial, metricPoints, metricId });
      for (const tag of scalarTags) this.#scalarTags.add(tag);
      addRecordedHParams(this.#recordedHParams, hparams, this.#options.record.definition);
    } catch (error) {
      this.#events?.warning({
        code: 'TENSORBOARD_WRITE_FAILED',
        message: `could not complete the TensorBoard run of trial ${trial.id} in ${logDir}: ${(error as Error).message}; the HParams dashboard may lack this trial`,
        trialId: trial.id,
        cause: error,
      });
    }
    this.#writeExperiment();
  }

  /**
   * A succeeded trial's result by the study's `measurementSelection`: its best recorded measurement,
   * or the last one the trial process read (studies stored without the option keep `last`). A trial
   * stopped early is judged on its curve up to the rule's decision, as the rule saw it: what its
   * trainer reported after that does not count.
   */
  #finalMeasurement(id: string, last: Measurement, stoppedEarly: boolean): Measurement {
    const { measurementSelection = 'last', metric } = this.#options.record.definition;
    const curve = this.#curves.get(id) as TrialCurve;
    const rows = stoppedEarly ? curve.decided : curve.recorded;
    if (measurementSelection === 'best') return curve.best(metric, rows) ?? last;
    if (!stoppedEarly) return last;
    return curve.lastWith(metric, rows) ?? last;
  }

  #checkFailures(): void {
    const limit = this.#options.maxFailedTrials;
    if (limit === undefined) return;
    const failed = [...this.#trials.values()].filter(countsAsFailed);
    if (failed.length < limit) return;
    const list = failed.map((trial) => `trial ${trial.id} (${formatParameters(trial.parameters)}): ${trial.failure?.reason ?? 'failed'}`).join('; ');
    this.#requestStop({
      kind: 'failed',
      error: new HptuneError(
        'STUDY_FAILED',
        `study ${JSON.stringify(this.#name)} stopped after ${failed.length} failed trials (maxFailedTrials ${limit}): ${list}; ` +
          `see each trial's stderr.log under ${this.#options.directory}, fix the trainer, then resumeStudy(${JSON.stringify(this.#name)}) with a higher maxFailedTrials`,
      ),
    });
  }

  #finish(): StudyOutcome {
    const { store, token } = this.#options;
    const stop = this.#stop;
    const drainedAll = stop?.kind === 'drain' && !this.#hasTrialsToStart();
    const state = !stop || drainedAll ? 'COMPLETED' : stop.kind === 'cancelled' || stop.kind === 'drain' ? 'CANCELLED' : 'FAILED';
    let finalError = drainedAll ? undefined : stop?.error;
    try {
      // The last word on the run: the store is still the one opened, and undamaged.
      store.verify?.({ thorough: true });
      if (!(stop?.error.code === 'LEASE_LOST')) {
        store.setStudyState(this.#name, state, token);
        store.releaseLease(this.#name, token);
      }
      // Finished trials are immutable and held as stored; only the others are read again (a trial
      // may hold 100,000 measurements, not worth a second copy).
      for (const [id, trial] of this.#trials) {
        if (trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE') continue;
        const stored = store.getTrial(this.#name, id);
        if (!stored) continue;
        this.#curves.set(id, TrialCurve.of(stored));
        this.#hold(stored);
      }
      const record = store.getStudy(this.#name);
      if (record) this.#info = toInfo(record);
    } catch (error) {
      finalError ??= error instanceof HptuneError ? error : new HptuneError('COORDINATOR_FAILED', `could not record the end of the study: ${(error as Error).message}`, { cause: error });
    } finally {
      try {
        store.close();
      } catch {
        // Closing twice or after an I/O error: nothing left to do.
      }
    }
    if (!finalError) return { state: 'COMPLETED' };
    return { state: state === 'CANCELLED' ? 'CANCELLED' : 'FAILED', error: finalError };
  }
}

function toInfo(record: StudyRecord): StudyInfo {
  return Object.freeze({ ...record.definition, state: record.state, createTime: record.createTime, updateTime: record.updateTime });
}
