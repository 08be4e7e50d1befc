import { HptuneError } from '@hptune/trial';
import type { TrialEnvironment } from './contract.js';
import { parseTrainerOptions } from './options.js';
import type { TextSink } from './train/progress.js';
import { trainWithOptions } from './train/train.js';

/** Where {@link runTrainerCli} reads and writes; the process's own by default. */
export interface TrainerCliIo {
  /** Help, log lines and epoch summaries. @default process.stdout */
  out?: TextSink;
  /** The progress bar and error lines. @default process.stderr */
  err?: TextSink;
  /** The trial contract's environment. @default process.env */
  env?: TrialEnvironment;
  /**
   * Stops training between batches (a trial host's stop). When given, SIGTERM and SIGINT are left
   * to the process: they end it, as for any program.
   */
  signal?: AbortSignal;
}

/**
 * Runs the trainer as a command: `hptune-train` and `hptune train` both call this.
 *
 * @param argv the arguments after the program name, e.g. `['--activation=relu', '--batch_size', '64']`.
 * @returns the exit code: 0 after training (or `--help`), 2 for input rejected before training
 *   (bad flags, unwritable outputs, an unavailable backend), 1 for a failure while training.
 *   Errors are printed as one line to `err`; the function itself does not throw.
 */
export async function runTrainerCli(argv: readonly string[], io: TrainerCliIo = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  try {
    const invocation = parseTrainerOptions(argv, io.env ?? process.env);
    if (invocation.kind === 'help') {
      out.write(invocation.text);
      return 0;
    }
    for (const notice of invocation.notices) err.write(`hptune-train: warning: ${notice}\n`);
    // As a command, a SIGTERM (Vertex AI stopping the trial) first syncs a gs:// log dir; in a
    // trial host, the host's stop signal does (the process outlives the trial).
    await trainWithOptions(invocation.options, io.signal ? { out, err, signal: io.signal } : { out, err, handleSignals: true });
    return 0;
  } catch (error) {
    // A stop hptune asked for (a trial host's) is how the trial ends, not a failure.
    const stopped = error instanceof HptuneError && error.code === 'TRAINING_STOPPED';
    err.write(`hptune-train: ${stopped ? 'stopped' : 'error'}: ${oneLine(error)}\n`);
    return error instanceof HptuneError ? error.exitCode : 1;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = error instanceof HptuneError || !(error instanceof Error) ? '' : `${error.name}: `;
  return `${prefix}${message}`.replace(/\s*\n\s*/g, ' ').trim();
}
