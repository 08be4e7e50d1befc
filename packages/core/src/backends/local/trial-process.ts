import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialParameters } from '../../space/types.js';
import { TRIAL_COMPLETE_FILE, formatTrialArguments, readTrialCompletion } from '@hptune/trial';
import { processStartOf } from './liveness.js';
import type { TrialProcess } from '../../study-store/types.js';
import type { Measurement, TrainerCommand, TrialFailure } from '../../study/types.js';
import { trialArguments, trialEnvironment, type TrialPaths } from './contract.js';
import { MeasurementTracker } from './measurements.js';
import { MetricIntake } from './metric-intake.js';
import { setLongTimeout, type LongTimer } from './long-timer.js';
import { createTrialStopper, endProcessGroup, type StopRequest, type TrialStopper } from './trial-stop.js';
import type { HostedTrialRun, TrialHostPool } from './trial-host.js';
import { stderrTail } from './stderr-tail.js';

/** Times the final read of a metric file is tried again when the study folder denies access, before the trial counts as interrupted. */
const ACCESS_RETRIES = 6;
/** The first wait before such a retry, in milliseconds; each later one waits that much longer (about 5 s in all). */
const ACCESS_RETRY_DELAY_MS = 250;

/**
 * Whether a file-system error says the study folder could not be reached for now (its
 * permissions), not that the trainer failed: such a trial is tried again, never charged as failed.
 */
export function isAccessDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** What following a trial's process takes, whether the coordinator starts it or adopts it from a dead one. */
export interface TrialProcessWatching {
  readonly paths: TrialPaths;
  /** The study's metric id: the final measurement is its last report. */
  readonly metricId: string;
  /** Seconds the trial may run; then SIGTERM, and SIGKILL after the grace period. Absent: no limit. */
  readonly timeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped, and when what a trainer left in its process group is ended. */
  readonly gracePeriodSeconds: number;
  /**
   * How often the metric file is read without a change notice (and, for an adopted trial, the
   * process's liveness checked), in milliseconds; a file-system watch reads it within milliseconds
   * of each report (see `MetricIntake`).
   */
  readonly pollIntervalMs: number;
  /** Called with the new measurements of each read of the metric file, in order (never empty). */
  readonly onMeasurements: (measurements: readonly Measurement[]) => void;
  /** Called when hptune asks the trial to stop (timeout, {@link RunningTrialProcess.stop} or {@link RunningTrialProcess.stopEarly}), before the trainer is signalled. */
  readonly onStopping: (request: StopRequest) => void;
}

/** Options of {@link startTrialProcess}. */
export interface TrialProcessOptions extends TrialProcessWatching {
  readonly trainer: TrainerCommand;
  readonly studyName: string;
  readonly trialId: string;
  readonly parameters: TrialParameters;
  /** Called once the process runs (Node's `spawn` event). */
  readonly onRunning: (process: TrialProcess, at: number) => void;
  /**
   * The study's trial hosts, when its trainer is reusable: the trial then runs in one of them
   * (the process recorded is the host) instead of a process of its own.
   */
  readonly hosts?: TrialHostPool;
}

/** How a trial process ended. */
export type TrialProcessOutcome =
  | { readonly state: 'SUCCEEDED'; readonly finalMeasurement: Measurement; readonly stoppedEarly?: true }
  | { readonly state: 'INFEASIBLE'; readonly failure: TrialFailure };

/** What {@link RunningTrialProcess.done} resolves to. */
export interface TrialProcessResult {
  readonly outcome: TrialProcessOutcome;
  /** When the process was seen exiting, on the `performance.now()` clock, in milliseconds. */
  readonly exitedAt: number;
}

/** A trial's process, running. */
export interface RunningTrialProcess {
  /** Settles when the process has exited and its metric file has been read; never rejects. */
  readonly done: Promise<TrialProcessResult>;
  /** The zero of its measurements' `elapsedSeconds`, in seconds since the epoch. */
  readonly startedAtSeconds: number;
  /**
   * Asks the process to stop: SIGTERM to its process group, SIGKILL after the grace period. The
   * trial then ends INFEASIBLE with a `cancelled` failure giving `reason`.
   */
  stop(reason: string): void;
  /**
   * Ends the process as {@link stop} does, because the study's early-stopping rule rejected its
   * measurement at `atStep`: the trial then ends SUCCEEDED with `stoppedEarly` set, unless the
   * trainer had finished its run first (its completion marker says so), which makes it an
   * ordinary SUCCEEDED trial. Nothing happens when the trainer has already exited.
   */
  stopEarly(atStep: number): void;
}

/**
 * Starts one trial: creates its directories, spawns the trainer (an argv array, no shell) in its own
 * process group with the trial contract's arguments and environment, stdout and stderr to files
 * (or, given `hosts`, hands the trial to one of the study's trial hosts, see `TrialHostPool`),
 * follows the metric file (a folder watch, the poll every `pollIntervalMs` as a fallback; see
 * `MetricIntake`), reads the rest at exit, and enforces the timeout. Once the trainer has exited,
 * however it ended, what is left of its process group is ended (SIGTERM, SIGKILL after the grace
 * period) before `done` resolves with the outcome.
 */
export function startTrialProcess(options: TrialProcessOptions): RunningTrialProcess {
  const { paths } = options;
  // Explicit modes (still narrowed by the umask): under umask 000 nothing hptune creates is world-writable.
  for (const dir of [paths.trialDir, paths.modelDir, paths.checkpointDir, paths.logDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  // A metric file or completion marker left by an earlier run in this directory is not this trial's.
  rmSync(paths.metricFile, { force: true });
  rmSync(join(paths.modelDir, TRIAL_COMPLETE_FILE), { force: true });
  const startedAtSeconds = Date.now() / 1000;
  const tracker = new MeasurementTracker(startedAtSeconds);
  const intake = new MetricIntake({ metricFile: paths.metricFile, tracker, onMeasurements: options.onMeasurements, pollIntervalMs: options.pollIntervalMs });
  const stdout = openSync(paths.stdoutFile, 'w', 0o644);
  const stderr = openSync(paths.stderrFile, 'w', 0o644);

  let spawnError: Error | undefined;
  let spawned = false;
  let child: ChildProcess | undefined;
  let hosted: HostedTrialRun | undefined;
  let timeoutTimer: LongTimer | undefined;

  const signalGroup = (signal: NodeJS.Signals) => {
    if (hosted) {
      hosted.signal(signal);
      return;
    }
    if (child?.pid === undefined) return;
    try {
      // The trainer leads its own process group (detached): signal it and anything it started.
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  };

  const stopper = createTrialStopper({
    isRunning: () => (hosted ? hosted.running : child !== undefined && child.exitCode === null && child.signalCode === null) && !spawnError,
    signalGroup,
    gracePeriodSeconds: options.gracePeriodSeconds,
    onStopping: options.onStopping,
  });

  const done = new Promise<TrialProcessResult>((resolve) => {
    const cwd = options.trainer.cwd ?? paths.trialDir;
    const env = trialEnvironment({ trainer: options.trainer, studyName: options.studyName, trialId: options.trialId, paths });
    let running: ChildProcess | HostedTrialRun;
    try {
      if (options.hosts) {
        hosted = options.hosts.run({ trialId: options.trialId, args: formatTrialArguments(options.parameters), env, cwd, stdoutFile: paths.stdoutFile, stderrFile: paths.stderrFile });
        running = hosted;
      } else {
        child = spawn(options.trainer.command, trialArguments(options.trainer, options.parameters), {
          cwd,
          env,
          stdio: ['ignore', stdout, stderr],
          detached: true,
          shell: false,
          windowsHide: true,
        });
        running = child;
      }
    } catch (error) {
      closeSync(stdout);
      closeSync(stderr);
      resolve({ outcome: spawnFailure(options.trainer, error as Error), exitedAt: performance.now() });
      return;
    }
    closeSync(stdout);
    closeSync(stderr);
    intake.start();

    running.once('spawn', () => {
      spawned = true;
      const pid = running.pid as number;
      const processStart = processStartOf(pid);
      options.onRunning({ pid, hostname: hostname(), ...(processStart === undefined ? {} : { processStart }) }, performance.now());
      if (options.timeoutSeconds !== undefined) {
        // Chained timers: one Node timer overflows past 24.8 days and would fire at once.
        timeoutTimer = setLongTimeout(() => stopper.request('timeout', ''), options.timeoutSeconds * 1000);
      }
    });
    running.on('error', (error: Error) => {
      // Before `spawn`, the trainer could not be started; after it, a signal could not be sent (the exit decides).
      if (!spawned) spawnError = error;
    });
    running.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const exitedAt = performance.now();
      timeoutTimer?.clear();
      stopper.settle();
      void judgeDespiteDeniedAccess(code, signal).then(async (outcome) => {
        const pid = running.pid;
        // A host goes on to the next trial (or, dead, has its group ended); otherwise whatever the
        // trainer started and left behind ends with the trial, also after a clean exit.
        if (hosted) await hosted.release();
        else if (spawned && pid !== undefined) await endProcessGroup(pid, options.gracePeriodSeconds).catch(() => undefined);
        resolve({ outcome, exitedAt });
      });
    });
  });

  const judge = (code: number | null, signal: NodeJS.Signals | null, unreadable: Error | undefined): TrialProcessOutcome => {
    const tail = () => stderrTail(paths.stderrFile);
    if (spawnError) return spawnFailure(options.trainer, spawnError);
    if (stopper.requested?.kind === 'early-stopped' && finishedFirst(paths)) return judgeCleanExit({ unreadable, tracker, metricId: options.metricId, paths });
    if (stopper.requested) return judgeStopped({ stop: stopper.requested, killedAfterGrace: stopper.killedAfterGrace, tracker, metricId: options.metricId, timeoutSeconds: options.timeoutSeconds, gracePeriodSeconds: options.gracePeriodSeconds, stderrTail: tail(), exit: exitOf(code, signal) });
    if (signal) return infeasible({ kind: 'signal', reason: `killed by ${signal}`, signal, stderrTail: tail() });
    if (code !== 0) return infeasible({ kind: 'exit-code', reason: `exited with code ${code}`, exitCode: code ?? undefined, stderrTail: tail() });
    return judgeCleanExit({ unreadable, tracker, metricId: options.metricId, paths });
  };

  /** The intake's final read; its error (an unreadable or malformed file) is what the judge weighs. */
  const finalRead = (): Promise<Error | undefined> => intake.finish().catch((error: unknown) => error as Error);

  /**
   * Judges the exit, reading the metric file again while the study folder denies access (a
   * permission changed for a moment): a trainer that exited 0 is not charged with hptune's own
   * failure to read what it wrote. Still denied after the retries, the trial is `interrupted`, so
   * it runs again (now, or on resume).
   */
  const judgeDespiteDeniedAccess = async (code: number | null, signal: NodeJS.Signals | null): Promise<TrialProcessOutcome> => {
    if (spawnError) return judge(code, signal, undefined);
    let unreadable = await finalRead();
    for (let attempt = 1; isAccessDenied(unreadable) && attempt <= ACCESS_RETRIES; attempt++) {
      await sleep(ACCESS_RETRY_DELAY_MS * attempt);
      unreadable = await finalRead();
    }
    if (!isAccessDenied(unreadable)) return judge(code, signal, unreadable);
    return infeasible({ kind: 'interrupted', reason: `its metric file ${paths.metricFile} could not be read (${(unreadable as NodeJS.ErrnoException).code}: the study folder denied access); it runs again` });
  };

  return trialProcessHandle(done, stopper, startedAtSeconds);
}

/** The handle of a trial process, started or adopted: `done`, and stops through its {@link TrialStopper}. */
export function trialProcessHandle(done: Promise<TrialProcessResult>, stopper: TrialStopper, startedAtSeconds: number): RunningTrialProcess {
  return {
    done,
    startedAtSeconds,
    stop(reason) {
      stopper.request('cancelled', reason);
    },
    stopEarly(atStep) {
      stopper.request('early-stopped', 'the early-stopping rule stopped it', atStep);
    },
  };
}

/**
 * Whether a trainer the rule asked to stop had finished its run before the signal reached it: it
 * wrote its completion marker with exit code 0 (written last, after its final report). Such a
 * trial is an ordinary SUCCEEDED one: the rule ended nothing.
 */
export function finishedFirst(paths: Pick<TrialPaths, 'modelDir'>): boolean {
  return readTrialCompletion(paths.modelDir)?.exitCode === 0;
}

/**
 * The outcome of a trainer hptune asked to stop, however it took the signal: an early-stopped one
 * is SUCCEEDED with what it measured up to the stop (when it reported the metric at all); a timed
 * out or cancelled one is INFEASIBLE, its reason saying how it was stopped.
 */
export function judgeStopped(run: {
  readonly stop: StopRequest;
  readonly killedAfterGrace: boolean;
  readonly tracker: MeasurementTracker;
  readonly metricId: string;
  readonly timeoutSeconds: number | undefined;
  readonly gracePeriodSeconds: number;
  readonly stderrTail: string;
  readonly exit?: { readonly exitCode?: number; readonly signal?: string };
}): TrialProcessOutcome {
  const { stop } = run;
  if (stop.kind === 'early-stopped') {
    const finalMeasurement = run.tracker.finalMeasurement(run.metricId);
    if (finalMeasurement) return { state: 'SUCCEEDED', finalMeasurement, stoppedEarly: true };
  }
  const how = run.killedAfterGrace ? `SIGTERM, then SIGKILL after ${run.gracePeriodSeconds} s` : 'SIGTERM';
  const reason = stop.kind === 'timeout' ? `stopped after the ${run.timeoutSeconds} s trial timeout (${how})` : `stopped (${how}): ${stop.reason}`;
  return infeasible({ kind: stop.kind === 'timeout' ? 'timeout' : 'cancelled', reason, ...run.exit, stderrTail: run.stderrTail });
}

/**
 * The outcome of a trainer that exited 0, from its metric file (read for the last time, `unreadable`
 * its read error): SUCCEEDED with the last report of the metric as the final measurement, or
 * INFEASIBLE when the file is malformed or never had the metric.
 */
export function judgeCleanExit(run: {
  readonly unreadable: Error | undefined;
  readonly tracker: MeasurementTracker;
  readonly metricId: string;
  readonly paths: Pick<TrialPaths, 'metricFile' | 'stderrFile'>;
}): TrialProcessOutcome {
  const { unreadable, tracker, metricId, paths } = run;
  if (unreadable) {
    return infeasible({ kind: 'malformed-metric-file', reason: `malformed metric file: ${unreadable.message}`, exitCode: 0, stderrTail: stderrTail(paths.stderrFile) });
  }
  const finalMeasurement = tracker.finalMeasurement(metricId);
  if (!finalMeasurement) {
    return infeasible({
      kind: 'no-metric',
      reason: `exited with code 0 but never reported metric ${JSON.stringify(metricId)} to ${paths.metricFile}`,
      exitCode: 0,
      stderrTail: stderrTail(paths.stderrFile),
    });
  }
  return { state: 'SUCCEEDED', finalMeasurement };
}

/** A trial's failure, empty fields left out. */
export function infeasible(failure: { -readonly [K in keyof TrialFailure]: TrialFailure[K] }): TrialProcessOutcome {
  const clean = Object.fromEntries(Object.entries(failure).filter(([, value]) => value !== undefined && value !== '')) as unknown as TrialFailure;
  return { state: 'INFEASIBLE', failure: clean };
}

function exitOf(code: number | null, signal: NodeJS.Signals | null): { exitCode?: number; signal?: string } {
  return { ...(code === null ? {} : { exitCode: code }), ...(signal === null ? {} : { signal }) };
}

function spawnFailure(trainer: TrainerCommand, error: Error): TrialProcessOutcome {
  const code = (error as NodeJS.ErrnoException).code;
  return infeasible({ kind: 'spawn-error', reason: `could not start ${JSON.stringify(trainer.command)}: ${code ?? error.message}` });
}
