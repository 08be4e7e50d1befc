import type { ParameterValue } from '@hptune/core';

/** A metric value with four significant decimals, as `hptune study show` prints it. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6 ? value.toFixed(4) : value.toPrecision(4);
}

/** A parameter value: strings as they are, numbers compactly. */
export function formatParameter(value: ParameterValue | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(4)) : value;
}

/** Seconds as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 03 min`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `name=value` pairs of a trial's parameters, space-separated. */
export function formatParameters(parameters: Readonly<Record<string, ParameterValue>>): string {
  return Object.entries(parameters)
    .map(([id, value]) => `${id}=${formatParameter(value)}`)
    .join(' ');
}
