import { dirname } from 'node:path';
import { HptuneError, type FrozenTrial, type LocalStudyDetails, type StudyHandle, type StudyResult } from '@hptune/core';
import type { CliIo } from '../io.js';
import { chooseReporter } from '../reporters/index.js';
import type { StudyHeader } from '../reporters/types.js';

/** Exit code of a study stopped with Ctrl-C, as shells report SIGINT. */
export const EXIT_INTERRUPTED = 130;

/**
 * Shows a running study with the reporter that suits the output (TTY, plain, NDJSON), turns the
 * first Ctrl-C into a graceful cancel (running trials get SIGTERM, then SIGKILL after the grace
 * period; the store stays consistent and the study can be resumed), and returns the exit code.
 */
export async function followStudy(handle: StudyHandle<FrozenTrial['parameters'], LocalStudyDetails>, io: CliIo, options: { json?: boolean }): Promise<number> {
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
  };
  reporter.onStudyStart?.(header);
  handle.on('trialStarted', ({ trial }) => reporter.onTrialStarted?.(trial));
  handle.on('measurement', ({ trial, measurement }) => reporter.onMeasurement?.(trial, measurement));
  handle.on('trialCompleted', ({ trial }) => reporter.onTrialCompleted?.(trial));
  // Warnings never stop a study (e.g. TensorBoard logs that could not be written): say them on stderr.
  handle.on('warning', ({ message }) => io.stderr.write(`hptune: warning: ${message}\n`));

  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) return;
    interrupted = true;
    io.stderr.write('\nhptune: stopping: no new trials; ending running trials gracefully (Ctrl-C again is ignored until they are recorded)\n');
    void handle.cancel();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const end = (result: StudyResult, outcome: 'COMPLETED' | 'FAILED' | 'CANCELLED') =>
    reporter.onStudyEnd?.({ header, trials: result.trials, best: result.best, outcome, elapsedSeconds: (performance.now() - startedAt) / 1000 });
  try {
    const result = await handle.wait();
    end(result, 'COMPLETED');
    return 0;
  } catch (error) {
    const outcome = error instanceof HptuneError && error.code === 'STUDY_CANCELLED' ? 'CANCELLED' : 'FAILED';
    end({ study: handle.study, trials: handle.trials(), best: handle.best() }, outcome);
    if (interrupted && outcome === 'CANCELLED') {
      io.stderr.write(`hptune: study ${handle.study.name} cancelled; continue it with: hptune study resume ${handle.study.name}\n`);
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

function isFinishedForProgress(trial: FrozenTrial): boolean {
  return trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE';
}
