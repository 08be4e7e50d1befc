/**
 * `@hptune/trial/format`: how every hptune package prints durations, parameters and metric values,
 * so the CLI's tables, the HTML report and the trainer's progress say the same thing the same way.
 * Pure functions, no Node.js module: the report's browser page bundles them too. Tables print
 * doubles with 4 significant digits; `--json` output keeps full precision and never comes here.
 */
import type { ParameterValue } from './parameters.js';

/** What a missing value prints as. */
export const MISSING = '-';

/**
 * A duration: `850ms`, `4.2s`, `42s`, `3m05s`, `1h02m`; {@link MISSING} for no value, a negative
 * one or not a number.
 * @param seconds - the duration in seconds.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(secs).padStart(2, '0')}s`;
  return `${secs}s`;
}

/** A metric value with 4 significant digits (`0.9812`, `2.303`, `1.000e-7`); {@link MISSING} for none. */
export function formatMetricValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING;
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
}

/** A parameter's value: a string as it is, a whole number in full, a double with at most 4 significant digits (`0.003162`). */
export function formatParameterValue(value: ParameterValue | null | undefined): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'string' || Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A trial's parameters as `activation=relu optimizer=adam batch_size=64 learning_rate=0.003162`, in their order. */
export function formatParameters(parameters: Readonly<Record<string, ParameterValue>>): string {
  return Object.entries(parameters)
    .map(([id, value]) => `${id}=${formatParameterValue(value)}`)
    .join(' ');
}
