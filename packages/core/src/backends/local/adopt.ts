import { performance } from 'node:perf_hooks';
import { interruptedFailure } from '../../study-store/rules.js';
import type { InterruptedTrial, StudyStore, TrialProcess } from '../../study-store/types.js';
import type { FrozenTrial } from '../../study/types.js';
import { readTrialCompletion } from '@hptune/trial';
import { processLiveness } from './liveness.js';
import { MeasurementTracker, metricFilePoller } from './measurements.js';
import { infeasible, judgeCleanExit, judgeStopped, stderrTail, trialProcessHandle, type RunningTrialProcess, type TrialProcessOutcome, type TrialProcessWatching } from './trial-process.js';
import { setLongTimeout, type LongTimer } from './long-timer.js';
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
  const tracker = new MeasurementTracker(startedAtMs / 1000, trial.measurements);
  const poll = metricFilePoller(paths.metricFile, tracker, options.onMeasurement);
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

  const judge = (): TrialProcessOutcome => {
    const unreadable = poll(true);
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
      if (processLiveness(options.process) === 'alive') {
        poll(false);
        return;
      }
      settled = true;
      clearInterval(poller);
      timeoutTimer?.clear();
      stopper.settle();
      const outcome = judge();
      const exitedAt = performance.now();
      // As for a trainer this coordinator started: what it left in its group ends with the trial.
      void endProcessGroup(options.process.pid, options.gracePeriodSeconds).then(
        () => resolve({ outcome, exitedAt }),
        () => resolve({ outcome, exitedAt }),
      );
    };
    const poller = setInterval(check, options.pollIntervalMs);
    if (options.timeoutSeconds !== undefined) {
      const left = Math.max(0, startedAtMs + options.timeoutSeconds * 1000 - Date.now());
      timeoutTimer = setLongTimeout(() => stopper.request('timeout', ''), left);
    }
    setImmediate(check);
  });

  return trialProcessHandle(done, stopper);
}

/** A trial a dead coordinator left ACTIVE, with the trainer process it recorded, for a resumed study to adopt. */
export interface AdoptedTrial {
  /** The trial as stored: ACTIVE, its measurements so far. */
  readonly trial: FrozenTrial;
  /** Its trainer's process, as recorded when it started. */
  readonly process: TrialProcess;
}

/** What a resumed study does with each trial a dead coordinator left unfinished. */
export interface TakenOverTrials {
  /** ACTIVE trials whose trainer ran on this host: followed to their end (`adoptTrialProcess`), not run again. */
  readonly adopted: readonly AdoptedTrial[];
  /** The others (STOPPING, no process recorded, or a trainer on another host): INFEASIBLE `interrupted`, each with a re-run queued. */
  readonly interrupted: readonly InterruptedTrial[];
}

/**
 * Sorts the trials a dead coordinator left ACTIVE or STOPPING, right after the lease was taken
 * over: a trainer started on this host is adopted, whether it still runs (it is waited for) or
 * ended unwatched (it is judged by its completion marker); every other trial is interrupted and
 * queued again, as the store's `interruptTrials` does.
 */
export function takeOverTrials(store: StudyStore, name: string, token: string): TakenOverTrials {
  const adopted: AdoptedTrial[] = [];
  const interrupted: InterruptedTrial[] = [];
  for (const trial of store.getTrials(name)) {
    if (trial.state !== 'ACTIVE' && trial.state !== 'STOPPING') continue;
    const process = store.getTrialProcess(name, trial.id);
    if (trial.state === 'ACTIVE' && process && processLiveness(process) !== 'unknown') adopted.push({ trial, process });
    else interrupted.push(store.interruptTrial(name, trial.id, new Date().toISOString(), token));
  }
  return { adopted, interrupted };
}
