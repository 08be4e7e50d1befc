import type { TrialTimings } from '../../study/handle.js';

/** Summary statistics of a list of durations, in milliseconds. */
export interface DurationStats {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

/** The coordinator's own cost per trial; see {@link coordinatorOverhead}. */
export interface CoordinatorOverhead {
  /** From deciding to start a trial to its process running (sample, store, directories, spawn). */
  readonly start: DurationStats;
  /** From the process exiting to its outcome being stored (final metric read, store write). */
  readonly record: DurationStats;
}

/**
 * Summarizes the coordinator's overhead per trial from a study's timings
 * (`handle.backend.timings()` of a local study): what hptune itself adds around each trainer process, in milliseconds.
 * Trials missing a timestamp (never started, or still running) are left out of that figure.
 */
export function coordinatorOverhead(timings: readonly TrialTimings[]): CoordinatorOverhead {
  const start: number[] = [];
  const record: number[] = [];
  for (const timing of timings) {
    if (timing.runningAt !== undefined) start.push(timing.runningAt - timing.decidedAt);
    if (timing.exitedAt !== undefined && timing.recordedAt !== undefined) record.push(timing.recordedAt - timing.exitedAt);
  }
  return { start: stats(start), record: stats(record) };
}

function stats(values: number[]): DurationStats {
  if (values.length === 0) return { count: 0, mean: 0, median: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
  return {
    count: sorted.length,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    median: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] as number,
  };
}
