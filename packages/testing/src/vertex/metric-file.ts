import { readFileSync } from 'node:fs';

/** One report of a trial's metric file. */
export interface MetricFileReport {
  readonly tag: string;
  readonly value: number;
  readonly globalStep: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}

const RESERVED_KEYS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);

/**
 * Reads the metric file a trial writes at `CLOUD_ML_HP_METRIC_FILE`, in cloudml-hypertune's format:
 * one JSON object a line, the metric's tag as its one non-reserved key, values as strings
 * (`{"accuracy": "0.9", "global_step": "1", "timestamp": 1700000000.5, "trial": "1"}`).
 * The fixture's own reader, independent of hptune's, as Vertex's is.
 * @returns the reports in file order; `[]` when the file does not exist.
 * @throws Error when a line is not such an object (the trial then reports nothing valid).
 */
export function readMetricFileReports(path: string): MetricFileReport[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
      const record = JSON.parse(line) as unknown;
      if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`${path} line ${index + 1} is not a JSON object`);
      const fields = record as Record<string, unknown>;
      const tags = Object.keys(fields).filter((key) => !RESERVED_KEYS.has(key));
      const tag = tags[0];
      if (tags.length !== 1 || tag === undefined) throw new Error(`${path} line ${index + 1} has ${tags.length} metric tags, not one`);
      const report = { tag, value: Number(fields[tag]), globalStep: Number(fields.global_step ?? 0), timestamp: Number(fields.timestamp) };
      if (!Number.isFinite(report.value) || !Number.isInteger(report.globalStep) || !Number.isFinite(report.timestamp)) {
        throw new Error(`${path} line ${index + 1} has a non-numeric value, global_step or timestamp`);
      }
      return [report];
  });
}
