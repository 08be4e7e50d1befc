import type { FrozenTrial, TrialCounts } from '@hptune/core';

/** `1h02m`, `3m05s`, `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(secs).padStart(2, '0')}s`;
  return `${secs}s`;
}

/** `activation=relu optimizer=adam batch_size=64`. */
export function formatParameters(parameters: Readonly<Record<string, string | number>>): string {
  return Object.entries(parameters)
    .map(([id, value]) => `${id}=${value}`)
    .join(' ');
}

/** A metric value with 4 significant decimals, or `-`. */
export function formatMetric(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(4);
}

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
