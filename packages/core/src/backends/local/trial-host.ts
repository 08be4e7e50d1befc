import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TRIAL_HOST_VARIABLE, type TrialHostReply, type TrialHostRequest } from '@hptune/trial';
import type { TrainerCommand } from '../../study/types.js';
import { stderrTail } from './stderr-tail.js';
import { endProcessGroup, processGroupRuns } from './trial-stop.js';

/** Options of {@link TrialHostPool}. */
export interface TrialHostPoolOptions {
  /** The reusable trainer; each host runs `command` with `args` (no trial's parameters). */
  readonly trainer: TrainerCommand;
  /** The study's folder: each host's own output goes to `trial-host-<n>.log` there, its working directory until its first trial. */
  readonly studyFolder: string;
  /** The environment every trial shares (this process's and the trainer's `env`); the host gets it with {@link TRIAL_HOST_VARIABLE} set. */
  readonly env: Readonly<Record<string, string>>;
  /** Seconds a closing host gets to exit before its process group is killed. */
  readonly gracePeriodSeconds: number;
}

/** One trial handed to a host: what {@link TrialHostPool.run} sends. */
export type HostedTrialRequest = Omit<Extract<TrialHostRequest, { type: 'hptune:run-trial' }>, 'type'>;

/**
 * A trial running in a host, seen as a child process is: it emits `spawn` once the host has begun
 * the trial (the pid is the host's), `error` when the host could not be started, and `close` with
 * the exit code the trainer gave the trial (or the host's exit code and signal, when the host died
 * during it). A trial is recorded running only once its host says it began it, so a coordinator
 * killed before then leaves it REQUESTED, as one killed between spawning a trainer and recording it.
 */
export interface HostedTrialRun extends EventEmitter {
  /** The host's pid, once it runs. */
  readonly pid: number | undefined;
  /** Whether the trial has not ended yet. */
  readonly running: boolean;
  /**
   * SIGTERM asks the trial to stop (the host aborts it and goes on); SIGKILL, while the trial still
   * runs, kills the host and its process group. Either does nothing once the trial has ended.
   */
  signal(signal: NodeJS.Signals): void;
  /** Once the trial has ended: gives the host back to the pool for the next trial, or, when it died, ends what is left of its process group. */
  release(): Promise<void>;
}

/**
 * The processes that run a study's trials when its trainer is reusable: at most one per trial
 * running at once, each started once and given trial after trial (see `serveTrials` in
 * `@hptune/trial`). A host that dies is replaced by a new one for the next trial; closing the pool
 * closes each host's channel, on which the host exits.
 */
export class TrialHostPool {
  readonly #options: TrialHostPoolOptions;
  readonly #idle: TrialHost[] = [];
  readonly #hosts = new Set<TrialHost>();
  #started = 0;

  constructor(options: TrialHostPoolOptions) {
    this.#options = options;
  }

  /** Runs one trial in an idle host, or in a new one. */
  run(request: HostedTrialRequest): HostedTrialRun {
    let host = this.#idle.pop();
    while (host && !host.usable) host = this.#idle.pop();
    if (!host) {
      this.#started += 1;
      host = new TrialHost(this.#options, join(this.#options.studyFolder, `trial-host-${this.#started}.log`));
      this.#hosts.add(host);
    }
    const chosen = host;
    return chosen.run(request, () => {
      if (chosen.usable) this.#idle.push(chosen);
      else this.#hosts.delete(chosen);
    });
  }

  /** Closes every host's channel and waits for them to exit (their process groups killed after the grace period). */
  async close(): Promise<void> {
    this.#idle.length = 0;
    const hosts = [...this.#hosts];
    this.#hosts.clear();
    await Promise.all(hosts.map((host) => host.close()));
  }
}

class TrialHost {
  readonly #child: ChildProcess;
  readonly #logFile: string;
  readonly #gracePeriodSeconds: number;
  #spawned = false;
  #spawnError: Error | undefined;
  #exited = false;
  readonly #exit: Promise<void>;
  #current: { readonly trialId: string; readonly run: TrialRun } | undefined;

  constructor(options: TrialHostPoolOptions, logFile: string) {
    this.#logFile = logFile;
    this.#gracePeriodSeconds = options.gracePeriodSeconds;
    const log = openSync(logFile, 'a', 0o644);
    try {
      this.#child = spawn(options.trainer.command, [...options.trainer.args], {
        cwd: options.trainer.cwd ?? options.studyFolder,
        env: { ...options.env, [TRIAL_HOST_VARIABLE]: '1' },
        stdio: ['ignore', log, log, 'ipc'],
        serialization: 'json',
        // Its own process group, as a trial process has: a stop that needs SIGKILL takes what it started too.
        detached: true,
        shell: false,
        windowsHide: true,
      });
    } finally {
      closeSync(log);
    }
    this.#child.once('spawn', () => (this.#spawned = true));
    this.#child.on('error', (error) => {
      if (!this.#spawned) this.#spawnError ??= error;
    });
    this.#child.on('message', (message: TrialHostReply) => {
      if (message?.trialId !== this.#current?.trialId || this.#current === undefined) return;
      const { run } = this.#current;
      if (message.type === 'hptune:trial-started') run.markSpawned(this.#child.pid as number);
      if (message.type !== 'hptune:trial-ended') return;
      this.#current = undefined;
      run.end(message.exitCode, null);
    });
    // `exit` or `close`, whichever comes first: a channel the coordinator disconnected can keep
    // `close` from coming after `exit` (the host's output goes to a file: no stream to drain), and a
    // host that could not be started has `close` without `exit`.
    this.#exit = new Promise((resolve) => {
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#exited) return;
        this.#exited = true;
        const current = this.#current;
        this.#current = undefined;
        if (current) {
          if (this.#spawnError) current.run.fail(this.#spawnError);
          else {
            // The host died during the trial: what it printed (a crash's stack trace) belongs to the trial.
            const tail = stderrTail(this.#logFile);
            if (tail) appendFileSync(current.run.stderrFile, `${tail}\n`);
          }
          current.run.end(code, signal);
        }
        resolve();
      };
      this.#child.once('exit', gone);
      this.#child.once('close', gone);
    });
  }

  /** Whether it can take another trial: running, channel open, no trial of its own. */
  get usable(): boolean {
    return this.#spawned && !this.#exited && this.#child.connected && this.#current === undefined;
  }

  run(request: HostedTrialRequest, onReleased: () => void): HostedTrialRun {
    const run = new TrialRun(request.stderrFile, {
      stop: () => this.#send({ type: 'hptune:stop-trial', trialId: request.trialId }),
      kill: () => this.#kill(),
      release: async () => {
        if (this.#exited && this.#spawned) await endProcessGroup(this.#child.pid as number, this.#gracePeriodSeconds).catch(() => undefined);
        onReleased();
      },
    });
    this.#current = { trialId: request.trialId, run };
    this.#send({ type: 'hptune:run-trial', ...request });
    return run;
  }

  #send(message: TrialHostRequest): void {
    if (this.#exited || !this.#child.connected) return;
    // A failed send means the host is gone: its `exit` (or `close`) ends the trial.
    this.#child.send(message, (error) => void error);
  }

  #kill(): void {
    if (this.#child.pid === undefined || this.#exited) return;
    try {
      process.kill(-this.#child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  async close(): Promise<void> {
    const gracePeriodSeconds = this.#gracePeriodSeconds;
    if (this.#exited) return;
    if (this.#child.connected) this.#child.disconnect();
    const pid = this.#child.pid;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, gracePeriodSeconds * 1000)))]);
    clearTimeout(timer);
    if (pid !== undefined && processGroupRuns(pid)) await endProcessGroup(pid, 0).catch(() => undefined);
  }
}

class TrialRun extends EventEmitter implements HostedTrialRun {
  pid: number | undefined;
  running = true;
  readonly stderrFile: string;
  readonly #host: { stop(): void; kill(): void; release(): Promise<void> };

  constructor(stderrFile: string, host: { stop(): void; kill(): void; release(): Promise<void> }) {
    super();
    this.stderrFile = stderrFile;
    this.#host = host;
  }

  markSpawned(pid: number): void {
    if (this.pid !== undefined || !this.running) return;
    this.pid = pid;
    this.emit('spawn');
  }

  fail(error: Error): void {
    this.emit('error', error);
  }

  end(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.running) return;
    this.running = false;
    this.emit('close', code, signal);
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    if (signal === 'SIGKILL') this.#host.kill();
    else this.#host.stop();
  }

  release(): Promise<void> {
    return this.#host.release();
  }
}
