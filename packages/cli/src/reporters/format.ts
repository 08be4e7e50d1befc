import { join } from 'node:path';
import { describeTrialCounts, type FrozenTrial, type TrialCounts } from '@hptune/core';

// Durations, parameters and metric values print one way in every package: `@hptune/trial/format`.
export { formatDuration, formatParameterValue, formatParameters } from '@hptune/trial/format';
export { formatMetricValue as formatMetric } from '@hptune/trial/format';

/** Renders rows as a left-aligned text table with a header rule. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * `stopped at epoch 3` for a trial an early-stopping rule ended (the trainer reports one step per
 * epoch), at the step the rule rejected (`stoppedAtStep`; older stores: its final measurement's), else `undefined`.
 */
export function formatStoppedEarly(trial: { readonly stoppedEarly?: boolean; readonly stoppedAtStep?: number; readonly finalMeasurement?: { readonly step: number } }): string | undefined {
  return trial.stoppedEarly ? `stopped at epoch ${trial.stoppedAtStep ?? trial.finalMeasurement?.step ?? '?'}` : undefined;
}

/** `27 succeeded, 0 failed, 2 cancelled, 29 trials`: the one wording of a study's counts (`describeTrialCounts` in core). */
export const formatTrialCounts: (counts: TrialCounts) => string = describeTrialCounts;

/**
 * How a finished trial ended, in a word: `succeeded`; `cancelled` or `interrupted` (stopped by
 * hptune or by its coordinator's death: run again on resume); else `failed`.
 */
export function trialOutcomeWord(trial: FrozenTrial): 'succeeded' | 'failed' | 'cancelled' | 'interrupted' {
  if (trial.state === 'SUCCEEDED') return 'succeeded';
  const kind = trial.failure?.kind;
  return kind === 'cancelled' || kind === 'interrupted' ? kind : 'failed';
}

/** Lines of a failed trial's stderr shown under its line: enough for a Python traceback's last frame and error. */
const FAILURE_TAIL_LINES = 3;

/** A line that states an error: `ModuleNotFoundError: ...`, `Error: Cannot find module ...`, `error: ...`. */
const ERROR_LINE = /^\s*(?:[\w.]*(?:Error|Exception)|error|fatal)\b.*:/i;

/**
 * What a person needs to fix a failed trial, under its progress line: the last lines it wrote to
 * stderr and where the whole log is. Nothing for a trial that succeeded or that hptune stopped
 * (cancelled, interrupted: its parameters are not at fault).
 */
export function formatFailureDetail(trial: FrozenTrial, studyFolder: string): string[] {
  if (trialOutcomeWord(trial) !== 'failed') return [];
  const tail = (trial.failure?.stderrTail ?? '').split('\n').map((line) => line.trimEnd()).filter((line) => /\w/.test(line));
  // The error itself, not what follows it: Node prints a stack and the error's fields after its message.
  const errorLine = tail.findLastIndex((line) => ERROR_LINE.test(line));
  const end = errorLine === -1 ? tail.length : errorLine + 1;
  return [...tail.slice(Math.max(0, end - FAILURE_TAIL_LINES), end).map((line) => `    | ${line}`), `    log: ${join(studyFolder, trial.id, 'stderr.log')}`];
}

/** Bytes as `640 KB` or `1.2 MB`. */
export function formatBytes(bytes: number): string {
  return bytes < 1_000_000 ? `${Math.round(bytes / 1000)} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`;
}
