import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { interruptedFailure, withCurves } from '../../study-store/rules.js';
import type { InterruptedTrial, StudyStore, TrialProcess } from '../../study-store/types.js';
import { bestMeasurement } from '../../study/best.js';
import type { FrozenTrial, Measurement } from '../../study/types.js';
import type { StudyDefinition } from '../../study/definition.js';
import { metricValue } from '../../stopping/values.js';
import { readTrialCompletion } from '@hptune/trial';
import { trialPaths, type TrialPaths } from './contract.js';
import { processLiveness } from './liveness.js';
import { MeasurementTracker } from './measurements.js';
import { MetricIntake } from './metric-intake.js';
import { finishedFirst, infeasible, judgeCleanExit, judgeStopped, trialProcessHandle, type RunningTrialProcess, type TrialProcessOutcome, type TrialProcessWatching } from './trial-process.js';
import { setLongTimeout, type LongTimer } from './long-timer.js';
import { stderrTail } from './stderr-tail.js';
import { createTrialStopper, endProcessGroup } from './trial-stop.js';

/** Options of {@link adoptTrialProcess}; its timeout counts from the trial's recorded start time. */
export interface AdoptedTrialOptions extends AdoptedTrial, TrialProcessWatching {}

/**
 * Follows a trainer a dead coordinator started and that is not this process's child (so no exit
 * code and no `close` event): reads its metric file and checks `/proc` for it every
 * `pollIntervalMs` (same pid and start time), and once it is gone judges it by its completion
 * marker (`hptune-complete.json` in its model folder): with the marker, from its metric file as
 * any finished trial; without, INFEASIBLE `interrupted`, for the caller to run again. A trainer
 * already gone is judged on the first poll. Stopping it signals its process group as for a
 * trainer this coordinator started.
 */
export function adoptTrialProcess(options: AdoptedTrialOptions): RunningTrialProcess {
  const { paths, trial } = options;
  const startedAtMs = Date.parse(trial.startTime ?? '') || Date.now();
  // What a STOPPING trial reported after the decision is stored too: seen, not measured again.
  const tracker = new MeasurementTracker(startedAtMs / 1000, [...trial.measurements, ...(trial.measurementsAfterStop ?? [])]);
  const intake = new MetricIntake({ metricFile: paths.metricFile, tracker, onMeasurements: options.onMeasurements, pollIntervalMs: options.pollIntervalMs });
  let timeoutTimer: LongTimer | undefined;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      // The trainer leads its own process group, as the coordinator that started it made it.
      process.kill(-options.process.pid, signal);
    } catch {
      // Gone already.
    }
  };
  const stopper = createTrialStopper({
    isRunning: () => processLiveness(options.process) === 'alive',
    signalGroup,
    gracePeriodSeconds: options.gracePeriodSeconds,
    onStopping: options.onStopping,
  });

  const judge = (unreadable: Error | undefined): TrialProcessOutcome => {
    if (stopper.requested?.kind === 'early-stopped' && finishedFirst(paths)) return judgeCleanExit({ unreadable, tracker, metricId: options.metricId, paths });
    if (stopper.requested) {
      return judgeStopped({ stop: stopper.requested, killedAfterGrace: stopper.killedAfterGrace, tracker, metricId: options.metricId, timeoutSeconds: options.timeoutSeconds, gracePeriodSeconds: options.gracePeriodSeconds, stderrTail: stderrTail(paths.stderrFile) });
    }
    const completion = readTrialCompletion(paths.modelDir);
    if (!completion) return { state: 'INFEASIBLE', failure: interruptedFailure() };
    if (completion.exitCode !== 0) {
      return infeasible({ kind: 'exit-code', reason: `exited with code ${completion.exitCode} (its completion marker says)`, exitCode: completion.exitCode, stderrTail: stderrTail(paths.stderrFile) });
    }
    return judgeCleanExit({ unreadable, tracker, metricId: options.metricId, paths });
  };

  const done = new Promise<{ outcome: TrialProcessOutcome; exitedAt: number }>((resolve) => {
    let settled = false;
    const check = () => {
      if (settled) return;
      if (processLiveness(options.process) === 'alive') return;
      settled = true;
      const exitedAt = performance.now();
      clearInterval(poller);
      timeoutTimer?.clear();
      stopper.settle();
      // As for a trainer this coordinator started: what it left in its group ends with the trial.
      const endGroup = (outcome: TrialProcessOutcome) =>
        void endProcessGroup(options.process.pid, options.gracePeriodSeconds).then(
          () => resolve({ outcome, exitedAt }),
          () => resolve({ outcome, exitedAt }),
        );
      void intake.finish().then(
        (unreadable) => endGroup(judge(unreadable)),
        (error: unknown) => endGroup(judge(error as Error)),
      );
    };
    intake.start();
    const poller = setInterval(check, options.pollIntervalMs);
    if (options.timeoutSeconds !== undefined) {
      const left = Math.max(0, startedAtMs + options.timeoutSeconds * 1000 - Date.now());
      timeoutTimer = setLongTimeout(() => stopper.request('timeout', ''), left);
    }
    setImmediate(check);
  });

  return trialProcessHandle(done, stopper, startedAtMs / 1000);
}

/**
 * A trial a dead coordinator left running, with the trainer process it recorded, for a resumed study
 * to adopt: ACTIVE, or STOPPING with the rule's decision stored (the resumed coordinator then asks
 * its trainer to stop again, and judges its end as a live stop is judged).
 */
export interface AdoptedTrial {
  /** The trial as stored: its measurements so far, and for a STOPPING one its `stoppedAtStep`. */
  readonly trial: FrozenTrial;
  /** Its trainer's process, as recorded when it started. */
  readonly process: TrialProcess;
}

/** A trial a dead coordinator was stopping because the early-stopping rule said so: finished as stopped early on resume. */
export interface DecidedTrial {
  /** The trial, now SUCCEEDED with `stoppedEarly`. */
  readonly trial: FrozenTrial;
  /** Its trainer's process, as recorded when it started, to end it if it still runs. */
  readonly process?: TrialProcess;
}

/** What a resumed study does with each trial a dead coordinator left unfinished. */
export interface TakenOverTrials {
  /**
   * STOPPING trials whose early-stopping decision was stored and whose trainer is gone without
   * finishing its run: the rule had judged them, so they are finished as stopped early at that step,
   * neither judged nor run again.
   */
  readonly decided: readonly DecidedTrial[];
  /**
   * Trials whose trainer ran on this host, followed to their end (`adoptTrialProcess`), not run
   * again: ACTIVE ones, and STOPPING ones whose trainer still runs (stopped again, then judged as a
   * live stop: stopped early, unless it finished its run first) or finished its run (its completion
   * marker says exit code 0: an ordinary SUCCEEDED trial, as a trainer that finished before the
   * signal is).
   */
  readonly adopted: readonly AdoptedTrial[];
  /**
   * The others (STOPPING, no process recorded, or a trainer on another host), and REQUESTED trials
   * whose trainer the dead coordinator may have started without recording it: INFEASIBLE
   * `interrupted`, each with a re-run queued (in a folder of its own).
   */
  readonly interrupted: readonly InterruptedTrial[];
}

/**
 * Sorts the trials a dead coordinator left ACTIVE or STOPPING, right after the lease was taken
 * over, so that each is decided once: a trainer started on this host is adopted, whether it still
 * runs (it is waited for) or ended unwatched (it is judged by its completion marker in its model
 * folder under `directory`), and so is a STOPPING trial's trainer that still runs or that finished
 * its run while no coordinator watched; a trial the early-stopping rule had stopped (its decision
 * stored) whose trainer is gone without finishing is finished as stopped early; every other trial
 * is interrupted and queued again, as the store's `interruptTrials` does.
 *
 * A coordinator records a trial's start with its trainer's pid, so only once the trainer is spawned:
 * killed in between, it leaves the trial REQUESTED while the trainer runs. Run again in the same
 * folder, two trainers would share one metric file (the curve recorded then interleaves both runs'
 * steps). Such a trial, REQUESTED with its output files opened (the last step before the spawn), is
 * interrupted and queued again instead: its re-run gets a folder of its own. The trainer, if any,
 * runs on unwatched, as it would have; nothing it writes is read.
 *
 * @param directory the study's folder, where each trial's outputs are (see `trialPaths`)
 */
export function takeOverTrials(store: StudyStore, name: string, token: string, directory: string): TakenOverTrials {
  const adopted: AdoptedTrial[] = [];
  const interrupted: InterruptedTrial[] = [];
  const decided: DecidedTrial[] = [];
  const definition = store.getStudy(name)?.definition;
  for (const trial of store.getTrials(name)) {
    if (trial.state === 'REQUESTED' && existsSync(trialPaths(directory, trial.id).stdoutFile)) interrupted.push(interruptUnrecordedStart(store, name, trial.id, token));
    if (trial.state !== 'ACTIVE' && trial.state !== 'STOPPING') continue;
    const process = store.getTrialProcess(name, trial.id);
    const finalMeasurement = definition && trial.stoppedAtStep !== undefined ? decidedValue(trial, definition) : undefined;
    if (trial.state === 'STOPPING' && finalMeasurement && process && stoppingTrainerLeftToJudge(process, trialPaths(directory, trial.id))) adopted.push({ trial, process });
    else if (trial.state === 'STOPPING' && finalMeasurement) {
      const finished = withCurves(store.finishTrial(name, trial.id, { state: 'SUCCEEDED', finalMeasurement, endTime: new Date().toISOString(), stoppedEarly: true }, token), trial);
      decided.push({ trial: finished, ...(process ? { process } : {}) });
    } else if (trial.state === 'ACTIVE' && process && processLiveness(process) !== 'unknown') adopted.push({ trial, process });
    else interrupted.push(store.interruptTrial(name, trial.id, new Date().toISOString(), token));
  }
  return { adopted, interrupted, decided };
}

/**
 * Interrupts a REQUESTED trial whose trainer may have been started unrecorded: started (with no
 * process), then interrupted with its re-run queued. Two writes, as the store interrupts only a
 * started trial; killed between them, the next resume finds it ACTIVE with no process recorded and
 * interrupts it then.
 */
function interruptUnrecordedStart(store: StudyStore, name: string, trialId: string, token: string): InterruptedTrial {
  const now = new Date().toISOString();
  store.startTrial(name, trialId, { startTime: now }, token);
  return store.interruptTrial(name, trialId, now, token);
}

/**
 * Whether a STOPPING trial's trainer still runs (its stop is asked again and judged as a live one)
 * or finished its run (its completion marker says exit code 0): then the decision alone does not
 * settle the trial, as it does for a trainer the stop ended.
 */
function stoppingTrainerLeftToJudge(process: TrialProcess, paths: Pick<TrialPaths, 'modelDir'>): boolean {
  return processLiveness(process) === 'alive' || finishedFirst(paths);
}

/** A decided trial's value: from its measurements up to the decision, by the study's `measurementSelection`. */
function decidedValue(trial: FrozenTrial, definition: StudyDefinition): Measurement | undefined {
  const { measurementSelection = 'last', metric } = definition;
  if (measurementSelection === 'best') return bestMeasurement(trial.measurements, metric);
  return trial.measurements.findLast((measurement) => metricValue(measurement, metric) !== undefined);
}
