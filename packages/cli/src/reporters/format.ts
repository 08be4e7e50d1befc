import type { FrozenTrial, TrialCounts } from '@hptune/core';

// Durations, parameters and metric values print one way in every package: `@hptune/trial/format`.
export { formatDuration, formatParameters } from '@hptune/trial/format';
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

/**
 * `27 succeeded, 0 failed, 2 cancelled, 29 trials`: a study's trials counted the one way every
 * command shows them (the end of `study run`, `study list`, `study show`); cancelled, interrupted,
 * running and queued trials are named only when there are some, and never counted as failed.
 */
export function formatTrialCounts(counts: TrialCounts): string {
  const parts = [`${counts.succeeded} succeeded`, `${counts.failed} failed`];
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  if (counts.interrupted > 0) parts.push(`${counts.interrupted} interrupted`);
  if (counts.running > 0) parts.push(`${counts.running} running`);
  if (counts.requested > 0) parts.push(`${counts.requested} queued`);
  return `${parts.join(', ')}, ${counts.total} trials`;
}

/**
 * How a finished trial ended, in a word: `succeeded`; `cancelled` or `interrupted` (stopped by
 * hptune or by its coordinator's death: run again on resume); else `failed`.
 */
export function trialOutcomeWord(trial: FrozenTrial): 'succeeded' | 'failed' | 'cancelled' | 'interrupted' {
  if (trial.state === 'SUCCEEDED') return 'succeeded';
  const kind = trial.failure?.kind;
  return kind === 'cancelled' || kind === 'interrupted' ? kind : 'failed';
}

/** Bytes as `640 KB` or `1.2 MB`. */
export function formatBytes(bytes: number): string {
  return bytes < 1_000_000 ? `${Math.round(bytes / 1000)} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`;
}
