import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectory } from './directories.js';
import { HptuneError, ValidationError } from './errors.js';

/**
 * Where Vertex AI's trial contract says metrics go when `CLOUD_ML_HP_METRIC_FILE` is unset.
 * @see https://github.com/GoogleCloudPlatform/cloudml-hypertune
 */
export const DEFAULT_METRIC_FILE = '/tmp/hypertune/output.metrics';

/** How many reports the metric file keeps, as cloudml-hypertune does. */
export const MAX_METRIC_REPORTS = 100;

/** One report of a metric by a trial, as written to (and read from) the metric file. */
export interface MetricReport {
  /** The metric tag, e.g. `accuracy`; the study's metric id. */
  readonly tag: string;
  /** The metric's value. */
  readonly value: number;
  /** The step it was measured at (the trainer uses the epoch). */
  readonly globalStep: number;
  /** When it was reported, in seconds since the epoch. */
  readonly timestamp: number;
  /** The trial that reported it (`CLOUD_ML_TRIAL_ID`, `"0"` outside a study). */
  readonly trial: string;
  /** The checkpoint the value belongs to, when the trainer gave one. */
  readonly checkpointPath?: string;
}

/** Options of {@link createMetricReporter}. */
export interface MetricReporterOptions {
  /** The metric file. @default `CLOUD_ML_HP_METRIC_FILE`, else {@link DEFAULT_METRIC_FILE} */
  metricFile?: string;
  /** The trial id written in each report. @default `CLOUD_ML_TRIAL_ID`, else `"0"` */
  trialId?: string;
  /** Reports kept in the file. @default {@link MAX_METRIC_REPORTS} */
  maxReports?: number;
}

/** What a trainer passes to {@link MetricReporter.report}. */
export interface MetricReportInput {
  /** The metric tag, e.g. `accuracy`. */
  tag: string;
  /** A finite number. */
  value: number;
  /** A non-negative integer step. @default 0 */
  globalStep?: number;
  /** The checkpoint the value belongs to. */
  checkpointPath?: string;
}

/** Reports metrics the way Google's cloudml-hypertune library does; see {@link createMetricReporter}. */
export interface MetricReporter {
  /** The file this reporter writes. */
  readonly metricFile: string;
  /** Appends a report and rewrites the file with the last reports, atomically. */
  report(input: MetricReportInput): MetricReport;
}

/**
 * Creates a metric reporter: the TypeScript counterpart of cloudml-hypertune's `HyperTune`.
 *
 * Each report rewrites the whole file with the last `maxReports` reports, one JSON object per
 * line with sorted keys, so Vertex AI's hyperparameter tuning service (and hptune's local
 * backend) read the same thing. The file is replaced atomically (write, then rename), so a
 * reader never sees half a line.
 */
export function createMetricReporter(options: MetricReporterOptions = {}): MetricReporter {
  const metricFile = options.metricFile ?? process.env.CLOUD_ML_HP_METRIC_FILE ?? DEFAULT_METRIC_FILE;
  const trial = options.trialId ?? process.env.CLOUD_ML_TRIAL_ID ?? '0';
  const maxReports = options.maxReports ?? MAX_METRIC_REPORTS;
  const kept: MetricReport[] = [];
  return {
    metricFile,
    report(input) {
      const report = validateReport(input, trial);
      kept.push(report);
      if (kept.length > maxReports) kept.splice(0, kept.length - maxReports);
      writeMetricFile(metricFile, kept);
      return report;
    },
  };
}

const sharedReporters = new Map<string, MetricReporter>();

/**
 * Reports one metric value for the current trial (`CLOUD_ML_TRIAL_ID`) to the metric file
 * (`CLOUD_ML_HP_METRIC_FILE`). Reports to the same file share one history of the last 100.
 *
 * @example reportMetric({ tag: 'accuracy', value: 0.981, globalStep: 3 })
 */
export function reportMetric(input: MetricReportInput & MetricReporterOptions): MetricReport {
  const metricFile = input.metricFile ?? process.env.CLOUD_ML_HP_METRIC_FILE ?? DEFAULT_METRIC_FILE;
  let reporter = sharedReporters.get(metricFile);
  if (!reporter) {
    reporter = createMetricReporter({ ...input, metricFile });
    sharedReporters.set(metricFile, reporter);
  }
  return reporter.report(input);
}

function validateReport(input: MetricReportInput, trial: string): MetricReport {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(input.tag) || RESERVED_KEYS.has(input.tag)) {
    throw new ValidationError({
      field: 'tag',
      value: input.tag,
      problem: 'is not a usable metric tag',
      fix: 'use letters, digits and underscores, starting with a letter, and none of global_step, timestamp, trial, checkpoint_path',
    });
  }
  if (!Number.isFinite(input.value)) {
    throw new ValidationError({ field: 'value', value: input.value, problem: 'is not a finite number', fix: 'report a finite metric value' });
  }
  const globalStep = input.globalStep ?? 0;
  if (!Number.isSafeInteger(globalStep) || globalStep < 0) {
    throw new ValidationError({ field: 'globalStep', value: globalStep, problem: 'is not a non-negative integer', fix: 'pass the epoch or step number' });
  }
  return {
    tag: input.tag,
    value: input.value,
    globalStep,
    timestamp: Date.now() / 1000,
    trial,
    ...(input.checkpointPath ? { checkpointPath: input.checkpointPath } : {}),
  };
}

const RESERVED_KEYS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);

/** A decimal number as cloudml-hypertune writes one (`str(value)`): no hex, no blanks, no empty string. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number a metric-file field holds: a JSON number, or a string of a decimal number; `NaN` for
 * anything else (`true`, `null`, `[]` and `""` are not numbers, though `Number()` makes them 1 or 0).
 */
function numberIn(field: unknown): number {
  if (typeof field === 'number') return field;
  if (typeof field === 'string' && DECIMAL.test(field)) return Number(field);
  return Number.NaN;
}

/**
 * One report as a line of the metric file, as cloudml-hypertune's `json.dumps(..., sort_keys=True)`
 * writes it: `{"accuracy": "0.98", "global_step": "3", "timestamp": 1764651600.5, "trial": "7"}`
 * (no newline). {@link parseMetricLine} reads it back.
 */
export function formatMetricLine(report: MetricReport): string {
  const fields: Record<string, string | number> = {
    global_step: String(report.globalStep),
    [report.tag]: String(report.value),
    timestamp: report.timestamp,
    trial: report.trial,
  };
  if (report.checkpointPath) fields.checkpoint_path = report.checkpointPath;
  const body = Object.keys(fields)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${JSON.stringify(fields[key])}`)
    .join(', ');
  return `{${body}}`;
}

function writeMetricFile(metricFile: string, reports: readonly MetricReport[]): void {
  makeDirectory(dirname(metricFile));
  const temporary = `${metricFile}.${process.pid}.tmp`;
  writeFileSync(temporary, reports.map(formatMetricLine).join('\n') + '\n');
  renameSync(temporary, metricFile);
}

/**
 * Reads a metric file written by {@link reportMetric} or by Python's cloudml-hypertune.
 *
 * @returns the reports in file order (oldest first); `[]` when the file does not exist.
 * @throws HptuneError `MALFORMED_METRIC_FILE` naming the file, the line and what is wrong.
 */
export function readMetricFile(metricFile: string): MetricReport[] {
  let text: string;
  try {
    text = readFileSync(metricFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const reports: MetricReport[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseMetricLine(line);
    if (typeof parsed === 'string') {
      throw new HptuneError('MALFORMED_METRIC_FILE', `metric file ${metricFile} line ${index + 1} ${parsed}: ${line.slice(0, 200)}`);
    }
    reports.push(parsed);
  });
  return reports;
}

/**
 * Reads one line of a metric file (written by {@link formatMetricLine} or Python's cloudml-hypertune).
 * @returns the report, or a string saying what is wrong with the line (e.g. `is not JSON`).
 */
export function parseMetricLine(line: string): MetricReport | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'is not a JSON object';
  const record = parsed as Record<string, unknown>;
  // Counted without building a list: a coordinator reads this for every line of a huge file.
  let tag: string | undefined;
  let tagCount = 0;
  for (const key in record) {
    if (RESERVED_KEYS.has(key) || !Object.hasOwn(record, key)) continue;
    tag ??= key;
    tagCount += 1;
  }
  if (tag === undefined || tagCount !== 1) return `has ${tagCount} metric tags (expected exactly one)`;
  const value = numberIn(record[tag]);
  const globalStep = record.global_step === undefined ? 0 : numberIn(record.global_step);
  const timestamp = numberIn(record.timestamp);
  if (!Number.isFinite(value)) return `has a non-numeric value for ${tag}`;
  // A step past 2^53 cannot be stored or compared exactly: refuse it here rather than fail the study later.
  if (!Number.isSafeInteger(globalStep) || globalStep < 0) return 'has a global_step that is not a non-negative integer';
  if (!Number.isFinite(timestamp)) return 'has no numeric timestamp';
  const report = { tag, value, globalStep, timestamp, trial: String(record.trial ?? '0') };
  return typeof record.checkpoint_path === 'string' && record.checkpoint_path ? { ...report, checkpointPath: record.checkpoint_path } : report;
}
