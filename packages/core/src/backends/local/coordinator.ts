import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HptuneError } from '../../errors.js';
import type { Sampler } from '../../samplers/types.js';
import type { TrialParameters } from '../../space/types.js';
import { processLiveness } from '../../study-store/lease.js';
import type { InterruptedTrial, StudyRecord, StudyStore } from '../../study-store/types.js';
import { bestTrial, countsAsFailed, countsForSearch } from '../../study/best.js';
import type { StudyEvents, StudyHandle, StudyInfo, StudyResult, TrialTimings } from '../../study/handle.js';
import type { FrozenTrial, Measurement } from '../../study/types.js';
import { trialPaths } from './contract.js';
import { completeTrialRun, scalarTagsOfTrials, writeStudyExperiment } from './tensorboard.js';
import { startTrialProcess, type RunningTrialProcess } from './trial-process.js';

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
  /** The store's file, for {@link StudyInfo}. */
  readonly storeFile: string;
  /**
   * Chooses new trials' parameters. It is shown the trials that count for the search
   * (`countsForSearch`): cancelled and interrupted ones are left out, as their parameters are run
   * again, so a random search draws what it would have drawn without the interruption.
   */
  readonly sampler: Sampler;
  /** Trials run at once. */
  readonly parallelTrials: number;
  /** Failed trials that stop the study; absent: no limit. */
  readonly maxFailedTrials?: number;
  /** Seconds before a trial is stopped; absent: no limit. */
  readonly trialTimeoutSeconds?: number;
  /** How often running trials' metric files are read, in milliseconds. */
  readonly pollIntervalMs: number;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped. */
  readonly stopGracePeriodSeconds: number;
  /** Aborting it cancels the study. */
  readonly signal?: AbortSignal;
  /** Trials a dead coordinator left running: their processes are stopped before anything starts. */
  readonly interrupted?: readonly InterruptedTrial[];
}

type MutableTimings = { -readonly [K in keyof TrialTimings]: TrialTimings[K] };

type StopRequest = { readonly kind: 'cancelled' | 'failed' | 'error'; readonly error: HptuneError };

/**
 * Runs a study on this machine: up to `parallelTrials` trial processes at once, parameters from the
 * sampler (trials left REQUESTED, such as a resumed study's re-runs, go first), every change stored
 * as it happens. Starts on the next task and returns the handle at once.
 */
export function runLocalStudy<P extends TrialParameters>(options: LocalStudyRunOptions): StudyHandle<P> {
  return new LocalStudyRun<P>(options).handle;
}

class LocalStudyRun<P extends TrialParameters> {
  readonly handle: StudyHandle<P>;
  readonly #options: LocalStudyRunOptions;
  readonly #name: string;
  readonly #trials = new Map<string, FrozenTrial>();
  readonly #running = new Map<string, RunningTrialProcess>();
  readonly #timings: MutableTimings[] = [];
  readonly #listeners = new Map<keyof StudyEvents, Set<(event: never) => void>>();
  #info: StudyInfo;
  #stop: StopRequest | undefined;
  #wake: () => void = () => {};
  readonly #done: Promise<StudyResult<P>>;
  /** Scalar tags of the trials' runs, the experiment's metrics; and those it was last written with. */
  readonly #scalarTags = new Set<string>();
  #experimentTags: string | undefined;

  constructor(options: LocalStudyRunOptions) {
    this.#options = options;
    this.#name = options.record.definition.name;
    this.#info = toInfo(options.record, options.directory, options.storeFile);
    for (const trial of options.store.getTrials(this.#name)) this.#trials.set(trial.id, trial);
    const onAbort = () => this.cancel();
    if (options.signal?.aborted) this.cancel();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run())
      .finally(() => options.signal?.removeEventListener('abort', onAbort));
    // `wait()` hands this promise out; a study nobody waits for must not crash the process.
    this.#done.catch(() => {});
    const metric = options.record.definition.metric;
    const getInfo = () => this.#info;
    this.handle = {
      get study() {
        return getInfo();
      },
      on: (event, listener) => {
        let set = this.#listeners.get(event);
        if (!set) this.#listeners.set(event, (set = new Set()));
        set.add(listener as (event: never) => void);
        return () => void set.delete(listener as (event: never) => void);
      },
      wait: () => this.#done,
      cancel: () => this.cancel(),
      trials: () => this.#snapshot(),
      best: () => bestTrial(this.#snapshot(), metric),
      timings: () => this.#timings.map((timing) => ({ ...timing })),
    };
  }

  cancel(): void {
    this.#requestStop({ kind: 'cancelled', error: new HptuneError('STUDY_CANCELLED', `study ${JSON.stringify(this.#name)} was cancelled; resume it with hptune study resume ${this.#name}`) });
  }

  #snapshot(): FrozenTrial<P>[] {
    return [...this.#trials.values()] as FrozenTrial<P>[];
  }

  #emit<E extends keyof StudyEvents>(event: E, payload: StudyEvents<P>[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (value: StudyEvents<P>[E]) => void)(payload);
      } catch (error) {
        this.#fail(error, `a listener of ${event} threw`);
      }
    }
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
    // The first reason wins, except that a coordinator error overrides a cancel or a failure.
    if (this.#stop && !(request.kind === 'error' && this.#stop.kind !== 'error')) return;
    const first = this.#stop === undefined;
    this.#stop = request;
    if (first) {
      const reason =
        request.kind === 'cancelled' ? 'the study was cancelled' : request.kind === 'failed' ? 'the study failed: too many failed trials' : `the coordinator failed: ${request.error.message}`;
      for (const trial of this.#running.values()) trial.stop(reason);
    }
    this.#wake();
  }

  async #run(): Promise<StudyResult<P>> {
    try {
      for (const tag of scalarTagsOfTrials([...this.#trials.keys()].map((id) => trialPaths(this.#options.directory, id).logDir))) this.#scalarTags.add(tag);
      this.#writeExperiment();
      await this.#stopOrphans();
      for (;;) {
        if (!this.#stop) this.#fill();
        if (this.#running.size === 0) break;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } catch (error) {
      this.#fail(error, 'the coordinator failed');
      // Trials may still run if the failure came while starting one: wait for them to end.
      while (this.#running.size > 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.#finish();
  }

  /** Stops trial processes a dead coordinator left behind, so no combination runs twice at once. */
  async #stopOrphans(): Promise<void> {
    const orphans = (this.#options.interrupted ?? []).flatMap((entry) => (entry.process && processLiveness(entry.process) === 'alive' ? [entry.process] : []));
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

  /** Starts trials until every slot is busy or nothing is left to start. */
  #fill(): void {
    const { definition } = this.#options.record;
    while (!this.#stop && this.#running.size < this.#options.parallelTrials) {
      const decidedAt = performance.now();
      let trial = [...this.#trials.values()].find((candidate) => candidate.state === 'REQUESTED' && !this.#running.has(candidate.id));
      if (!trial) {
        const searched = [...this.#trials.values()].filter(countsForSearch);
        if (searched.length >= definition.maxTrials) return;
        const parameters = this.#options.sampler.suggest(searched);
        if (!parameters) return;
        trial = this.#options.store.createTrial(this.#name, { parameters }, this.#options.token);
        this.#trials.set(trial.id, trial);
      }
      this.#start(trial, decidedAt);
    }
  }

  #start(trial: FrozenTrial, decidedAt: number): void {
    const { store, token } = this.#options;
    const { definition } = this.#options.record;
    const timings: MutableTimings = { trialId: trial.id, decidedAt };
    this.#timings.push(timings);
    const id = trial.id;
    const guard = (context: string, body: () => void) => {
      try {
        body();
      } catch (error) {
        this.#fail(error, `${context} (trial ${id})`);
      }
    };
    const trialProcess = startTrialProcess({
      trainer: definition.trainer,
      studyName: this.#name,
      trialId: id,
      parameters: trial.parameters,
      paths: trialPaths(this.#options.directory, id),
      metricId: definition.metric.id,
      ...(this.#options.trialTimeoutSeconds === undefined ? {} : { timeoutSeconds: this.#options.trialTimeoutSeconds }),
      gracePeriodSeconds: this.#options.stopGracePeriodSeconds,
      pollIntervalMs: this.#options.pollIntervalMs,
      onRunning: (child, at) =>
        guard('recording a started trial', () => {
          timings.runningAt = at;
          const started = store.startTrial(this.#name, id, { startTime: new Date().toISOString(), process: child }, token);
          this.#trials.set(id, started);
          this.#emit('trialStarted', { trial: started as FrozenTrial<P>, timings: { ...timings } });
        }),
      onMeasurement: (measurement: Measurement) =>
        guard('recording a measurement', () => {
          const current = this.#trials.get(id) as FrozenTrial;
          if (current.state !== 'ACTIVE' && current.state !== 'STOPPING') return;
          store.addMeasurement(this.#name, id, measurement, token);
          const updated = Object.freeze({ ...current, measurements: Object.freeze([...current.measurements, Object.freeze(measurement)]) });
          this.#trials.set(id, updated);
          this.#emit('measurement', { trial: updated as FrozenTrial<P>, measurement });
        }),
      onStopping: () =>
        guard('recording a stopping trial', () => {
          if (this.#trials.get(id)?.state === 'ACTIVE') this.#trials.set(id, store.stopTrial(this.#name, id, token));
        }),
    });
    this.#running.set(id, trialProcess);
    if (this.#stop) trialProcess.stop('the study is stopping');
    void trialProcess.done
      .then((result) => {
        timings.exitedAt = result.exitedAt;
        guard('recording a finished trial', () => {
          const endTime = new Date().toISOString();
          const outcome =
            result.outcome.state === 'SUCCEEDED'
              ? { state: 'SUCCEEDED' as const, finalMeasurement: result.outcome.finalMeasurement, endTime }
              : { state: 'INFEASIBLE' as const, failure: result.outcome.failure, endTime };
          const finished = store.finishTrial(this.#name, id, outcome, token);
          timings.recordedAt = performance.now();
          this.#trials.set(id, finished);
          this.#completeRun(finished);
          this.#emit('trialCompleted', { trial: finished as FrozenTrial<P>, timings: { ...timings } });
        });
        this.#checkFailures();
      })
      .finally(() => {
        this.#running.delete(id);
        this.#wake();
      });
  }

  /**
   * Writes the study's HParams experiment when its metrics changed (at the start, then when a trial
   * logged a new scalar tag). TensorBoard trouble never stops a study: a failure is a warning.
   */
  #writeExperiment(): void {
    const key = [...this.#scalarTags].sort().join('\n');
    if (key === this.#experimentTags) return;
    try {
      writeStudyExperiment({ definition: this.#options.record.definition, directory: this.#options.directory, scalarTags: this.#scalarTags });
      this.#experimentTags = key;
    } catch (error) {
      this.#emit('warning', {
        code: 'TENSORBOARD_WRITE_FAILED',
        message: `could not write the HParams experiment of study ${JSON.stringify(this.#name)} to ${this.#options.directory}: ${(error as Error).message}; TensorBoard's HParams dashboard will lack it`,
        cause: error,
      });
    }
  }

  /** Fills in the HParams session of a finished trial whose trainer did not write one; see `completeTrialRun`. */
  #completeRun(trial: FrozenTrial): void {
    const logDir = trialPaths(this.#options.directory, trial.id).logDir;
    try {
      const { scalarTags } = completeTrialRun({ logDir, trial, metricId: this.#options.record.definition.metric.id });
      for (const tag of scalarTags) this.#scalarTags.add(tag);
    } catch (error) {
      this.#emit('warning', {
        code: 'TENSORBOARD_WRITE_FAILED',
        message: `could not complete the TensorBoard run of trial ${trial.id} in ${logDir}: ${(error as Error).message}; the HParams dashboard may lack this trial`,
        trialId: trial.id,
        cause: error,
      });
    }
    this.#writeExperiment();
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
          `see each trial's stderr.log under ${this.#options.directory}, fix the trainer, then resume with a higher maxFailedTrials`,
      ),
    });
  }

  #finish(): StudyResult<P> {
    const { store, token } = this.#options;
    const stop = this.#stop;
    const state = !stop ? 'COMPLETED' : stop.kind === 'cancelled' ? 'CANCELLED' : 'FAILED';
    let finalError = stop?.error;
    try {
      if (!(stop?.error.code === 'LEASE_LOST')) {
        store.setStudyState(this.#name, state, token);
        store.releaseLease(this.#name, token);
      }
      for (const trial of store.getTrials(this.#name)) this.#trials.set(trial.id, trial);
      const record = store.getStudy(this.#name);
      if (record) this.#info = toInfo(record, this.#options.directory, this.#options.storeFile);
    } catch (error) {
      finalError ??= error instanceof HptuneError ? error : new HptuneError('COORDINATOR_FAILED', `could not record the end of the study: ${(error as Error).message}`, { cause: error });
    } finally {
      try {
        store.close();
      } catch {
        // Closing twice or after an I/O error: nothing left to do.
      }
    }
    const trials = this.#snapshot();
    const result: StudyResult<P> = { study: this.#info, trials, best: bestTrial(trials, this.#info.metric) };
    if (finalError) {
      this.#emitQuietly('studyStopped', { ...result, error: finalError });
      throw finalError;
    }
    this.#emitQuietly('studyCompleted', result);
    return result;
  }

  /** Emits the last event: the study has ended, so a throwing listener can no longer stop anything. */
  #emitQuietly<E extends 'studyCompleted' | 'studyStopped'>(event: E, payload: StudyEvents<P>[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (value: StudyEvents<P>[E]) => void)(payload);
      } catch {
        // Reported nowhere by design: core does not write to the console, and the study's outcome stands.
      }
    }
  }
}

function toInfo(record: StudyRecord, directory: string, storeFile: string): StudyInfo {
  return Object.freeze({ ...record.definition, state: record.state, directory, storeFile, createTime: record.createTime, updateTime: record.updateTime });
}

function formatParameters(parameters: TrialParameters): string {
  return Object.entries(parameters)
    .map(([id, value]) => `${id}=${String(value)}`)
    .join(', ');
}
