/**
 * Trial hosts: one process that runs a study's trials one after another, for a trainer whose
 * start-up is a real part of what a trial costs (loading a framework, compiling its kernels,
 * warming up the JIT). The local backend starts a reusable trainer (`TrainerCommand.reusable`)
 * once per parallel slot, with the variable {@link TRIAL_HOST_VARIABLE} set and a Node.js IPC
 * channel, and sends it each trial's arguments, environment and output files; the trainer serves
 * them with {@link serveTrials}. Ray Tune calls this reusing actors.
 *
 * A host keeps the contract of a trial process: each trial writes its metric file, its completion
 * marker and its outputs where its environment says; a stop asked of a trial aborts it (the signal
 * {@link HostedTrial.signal}), not the process; a host whose coordinator is gone (the channel
 * closed) finishes the trial it runs and exits, so that a resumed study adopts that trial as it
 * adopts a trainer process. SIGTERM keeps its usual meaning: the process ends.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { TRIAL_VARIABLES } from './environment.js';
import { HptuneError } from './errors.js';

/** Set to `"1"` in the environment of a process started as a trial host. */
export const TRIAL_HOST_VARIABLE = 'HPTUNE_TRIAL_HOST';

/** What the coordinator sends a trial host. */
export type TrialHostRequest =
  | {
      readonly type: 'hptune:run-trial';
      readonly trialId: string;
      /** The trial's own arguments (`--batch_size=64` ...), after the ones the host was started with. */
      readonly args: readonly string[];
      /** The trial's whole environment: the contract's variables and everything else. */
      readonly env: Readonly<Record<string, string>>;
      /** The trial's working directory. */
      readonly cwd: string;
      /** Files the trial's standard output and standard error go to (appended to). */
      readonly stdoutFile: string;
      readonly stderrFile: string;
    }
  | { readonly type: 'hptune:stop-trial'; readonly trialId: string };

/**
 * What a trial host sends the coordinator: a trial started (the coordinator records it running
 * only then), and a trial ended, with the exit code a trainer process would have.
 */
export type TrialHostReply =
  | { readonly type: 'hptune:trial-started'; readonly trialId: string }
  | { readonly type: 'hptune:trial-ended'; readonly trialId: string; readonly exitCode: number };

/** One trial, as a trial host hands it to the trainer. */
export interface HostedTrial {
  readonly trialId: string;
  /** The arguments the host was started with, then the trial's own. */
  readonly argv: readonly string[];
  /**
   * The trial's environment. Its trial-contract variables (`TRIAL_VARIABLES`: `AIP_*`,
   * `CLOUD_ML_*`) are also set in `process.env` while the trial runs, so `currentTrial()` and
   * `reportMetric()` work in a host as in a process of its own.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The trial's standard output and standard error. */
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Aborted when hptune asks the trial to stop (early stopping, timeout, cancel): stop soon and return. */
  readonly signal: AbortSignal;
}

/** Runs one trial and resolves to its exit code (0: it finished its run). A rejection counts as exit code 1. */
export type HostedTrialRunner = (trial: HostedTrial) => Promise<number>;

/** Whether this process was started as a trial host: {@link TRIAL_HOST_VARIABLE} is `"1"` and it has an IPC channel. */
export function isTrialHost(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TRIAL_HOST_VARIABLE] === '1' && typeof process.send === 'function';
}

/**
 * Serves trials as a trial host until the coordinator closes the channel: runs each trial it is
 * sent with `runTrial`, one at a time, its output going to the trial's files and its working
 * directory the trial's, and replies with its exit code once those files are flushed. Resolves
 * when the channel has closed and the trial running then has ended; the caller then lets the
 * process exit.
 *
 * @param baseArgs the arguments the host was started with (e.g. `process.argv.slice(2)`): each trial's argv is these, then the trial's own.
 * @throws Error when this process is not a trial host (see {@link isTrialHost}).
 */
export async function serveTrials(baseArgs: readonly string[], runTrial: HostedTrialRunner): Promise<void> {
  if (!isTrialHost()) throw new Error(`serveTrials: this process was not started as a trial host (${TRIAL_HOST_VARIABLE}=1 with an IPC channel)`);
  const queue: Extract<TrialHostRequest, { type: 'hptune:run-trial' }>[] = [];
  // Each trial's stop signal, from when it is sent until it ends: a stop may come before the trial starts.
  const controllers = new Map<string, AbortController>();
  let wake: (() => void) | undefined;
  let connected = true;
  process.on('message', (message: TrialHostRequest) => {
    if (message?.type === 'hptune:run-trial') {
      controllers.set(message.trialId, new AbortController());
      queue.push(message);
    } else if (message?.type === 'hptune:stop-trial') {
      controllers.get(message.trialId)?.abort(new HptuneError('TRAINING_STOPPED', `trial ${message.trialId} was asked to stop; its trial host goes on with the next trial`));
    }
    wake?.();
  });
  process.once('disconnect', () => {
    connected = false;
    wake?.();
  });
  for (;;) {
    const request = queue.shift();
    if (request === undefined) {
      if (!connected) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    const controller = controllers.get(request.trialId) as AbortController;
    process.send?.({ type: 'hptune:trial-started', trialId: request.trialId } satisfies TrialHostReply);
    const exitCode = await runHostedTrial(request, baseArgs, controller.signal, runTrial);
    controllers.delete(request.trialId);
    // A host whose coordinator is gone ends after this trial: the resumed study judges it by its files.
    if (!connected) return;
    process.send?.({ type: 'hptune:trial-ended', trialId: request.trialId, exitCode } satisfies TrialHostReply);
  }
}

async function runHostedTrial(
  request: Extract<TrialHostRequest, { type: 'hptune:run-trial' }>,
  baseArgs: readonly string[],
  signal: AbortSignal,
  runTrial: HostedTrialRunner,
): Promise<number> {
  const stdout = createWriteStream(request.stdoutFile, { flags: 'a' });
  const stderr = createWriteStream(request.stderrFile, { flags: 'a' });
  let exitCode: number;
  try {
    process.chdir(request.cwd);
    for (const name of Object.values(TRIAL_VARIABLES)) {
      if (request.env[name] === undefined) delete process.env[name];
      else process.env[name] = request.env[name];
    }
    exitCode = await runTrial({ trialId: request.trialId, argv: [...baseArgs, ...request.args], env: request.env, stdout, stderr, signal });
  } catch (error) {
    stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitCode = 1;
  }
  await Promise.all([closeStream(stdout), closeStream(stderr)]);
  return exitCode;
}

async function closeStream(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  stream.end();
  await once(stream, 'close').catch(() => undefined);
}
