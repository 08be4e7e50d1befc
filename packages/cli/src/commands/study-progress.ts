import { dirname, join } from 'node:path';
import { HptuneError, countTrials, type FrozenTrial, type LocalStudyDetails, type StudyHandle, type StudyResult } from '@hptune/core';
import { DEFAULT_STOP_GRACE_PERIOD_SECONDS } from '@hptune/core/local';
import type { CliIo } from '../io.js';
import { speakAsInvoked } from '../invocation.js';
import { formatTrialCounts, trialOutcomeWord } from '../reporters/format.js';
import { chooseReporter } from '../reporters/index.js';
import type { StudyHeader } from '../reporters/types.js';

/** Exit code of a study stopped with Ctrl-C, as shells report SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** Exit code of a study that ran to its end with no successful trial: a run-time failure. */
export const EXIT_NO_SUCCESS = 1;

/** Exit code of a study stopped because its terminal closed (SIGHUP), as shells report SIGHUP. */
export const EXIT_HANGUP = 129;

/**
 * Shows a running study with the reporter that suits the output (TTY, plain, NDJSON) and returns
 * the exit code. The first Ctrl-C stops it gracefully (`handle.stop()`: no new trial starts, the
 * running ones finish and are recorded); a second Ctrl-C, or a SIGTERM, cancels it (running trials
 * get SIGTERM, then SIGKILL after the grace period, and are recorded cancelled). A SIGHUP (the
 * terminal closed, an SSH session dropped) is the first Ctrl-C: the running trials finish and are
 * recorded, then the command exits {@link EXIT_HANGUP}; output that can no longer reach the closed
 * terminal is dropped, never an error. Either way the store stays consistent and
 * `hptune study resume` runs the rest.
 */
export async function followStudy(
  handle: StudyHandle<FrozenTrial['parameters'], LocalStudyDetails>,
  io: CliIo,
  options: { json?: boolean; notes?: (trials: readonly FrozenTrial[]) => string[] },
): Promise<number> {
  const reporter = chooseReporter(io, options);
  const startedAt = performance.now();
  const existing = handle.trials();
  const header: StudyHeader = {
    name: handle.study.name,
    metric: handle.study.metric,
    totalTrials: handle.study.maxTrials,
    alreadyFinished: existing.filter(isFinishedForProgress).length,
    parallelTrials: handle.study.parallelTrials,
    studyDir: dirname(handle.backend.directory),
    directory: handle.backend.directory,
  };
  reporter.onStudyStart?.(header);
  handle.on('trialStarted', ({ trial }) => reporter.onTrialStarted?.(trial));
  handle.on('measurement', ({ trial, measurement }) => reporter.onMeasurement?.(trial, measurement));
  handle.on('trialCompleted', ({ trial }) => reporter.onTrialCompleted?.(trial));
  // Warnings never stop a study (e.g. TensorBoard logs that could not be written): say them on stderr.
  handle.on('warning', ({ message }) => io.stderr.write(`hptune: warning: ${message}\n`));

  let interrupted: 'stopping' | 'cancelling' | undefined;
  const cancel = () => {
    if (interrupted === 'cancelling') return;
    interrupted = 'cancelling';
    io.stderr.write(`\nhptune: cancelling: stopping the running trials now (SIGTERM, then SIGKILL after ${DEFAULT_STOP_GRACE_PERIOD_SECONDS} s); they are recorded cancelled\n`);
    void handle.cancel();
  };
  const onInterrupt = () => {
    if (interrupted) return cancel();
    interrupted = 'stopping';
    const running = handle.trials().filter((trial) => trial.state === 'ACTIVE' || trial.state === 'STOPPING').length;
    io.stderr.write(
      `\nhptune: stopping: no new trials start; the ${running} running trial${running === 1 ? '' : 's'} finish${running === 1 ? 'es' : ''} first. ` +
        'Press Ctrl-C again to stop them now\n',
    );
    void handle.stop();
  };
  let hungUp = false;
  // Writes to a terminal that closed fail (EIO, EPIPE); the study must not die of its own progress output.
  const dropWriteErrors = () => {};
  const onHangup = () => {
    if (!hungUp) {
      hungUp = true;
      for (const stream of [io.stdout, io.stderr]) stream.on?.('error', dropWriteErrors);
    }
    if (interrupted) return;
    interrupted = 'stopping';
    io.stderr.write('\nhptune: the terminal closed (SIGHUP): no new trials start; the running trials finish and are recorded, then hptune exits\n');
    void handle.stop();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', cancel);
  process.on('SIGHUP', onHangup);
  const end = (result: StudyResult, outcome: 'COMPLETED' | 'FAILED' | 'CANCELLED') =>
    reporter.onStudyEnd?.({ header, trials: result.trials, best: result.best, outcome, elapsedSeconds: (performance.now() - startedAt) / 1000, notes: options.notes?.(result.trials) ?? [] });
  try {
    const result = await handle.wait();
    end(result, 'COMPLETED');
    return noSuccess(result.trials, header, io);
  } catch (error) {
    const outcome = error instanceof HptuneError && error.code === 'STUDY_CANCELLED' ? 'CANCELLED' : 'FAILED';
    end({ study: handle.study, trials: handle.trials(), best: handle.best() }, outcome);
    if (interrupted && outcome === 'CANCELLED') {
      io.stderr.write(speakAsInvoked(`hptune: study ${handle.study.name} cancelled; continue it with: hptune study resume ${handle.study.name}\n`, io.env));
      return hungUp ? EXIT_HANGUP : EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', cancel);
    process.off('SIGHUP', onHangup);
  }
}

/**
 * A study that ran to its end without one successful trial has no result: exit 1 and say where
 * the cause is, rather than `completed` and exit 0 (a trainer that cannot start fails every trial).
 */
function noSuccess(trials: readonly FrozenTrial[], header: StudyHeader, io: CliIo): number {
  const counts = countTrials(trials);
  if (counts.total === 0 || counts.succeeded > 0) return 0;
  const firstFailed = trials.find((trial) => trialOutcomeWord(trial) === 'failed');
  const where = firstFailed ? `; trial ${firstFailed.id}'s log: ${join(header.directory, firstFailed.id, 'stderr.log')}` : '';
  io.stderr.write(`hptune: study ${header.name} has no successful trial (${formatTrialCounts(counts)}): fix what the failed trials' stderr says${where}\n`);
  return EXIT_NO_SUCCESS;
}

function isFinishedForProgress(trial: FrozenTrial): boolean {
  return trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE';
}
