import { countTrials } from '@hptune/core';
import type { StudyReporter } from './types.js';

/** Newline-delimited JSON: one object per event, for programs (`--json`). */
export function jsonLinesReporter(out: NodeJS.WritableStream): StudyReporter {
  const emit = (event: string, body: object) => out.write(JSON.stringify({ event, ...body }) + '\n');
  return {
    onStudyStart: (header) => emit('study-started', { study: header }),
    onTrialStarted: (trial) => emit('trial-started', { trial }),
    onMeasurement: (trial, measurement) => emit('measurement', { trialId: trial.id, measurement }),
    onTrialCompleted: (trial) => emit('trial-completed', { trial }),
    onStudyEnd: (summary) =>
      emit('study-completed', {
        name: summary.header.name,
        outcome: summary.outcome,
        elapsedSeconds: summary.elapsedSeconds,
        counts: countTrials(summary.trials),
        best: summary.best ?? null,
      }),
  };
}
