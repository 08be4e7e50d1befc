import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError, openStudy } from '@hptune/core';
import { buildReportData } from './data/build.js';
import { reportSourceFromStudy } from './data/sources.js';
import type { ReportData } from './data/types.js';
import { renderReportHtml } from './html.js';

/** The report file a study gets unless told otherwise, inside its own folder. */
export const DEFAULT_REPORT_FILE = 'report.html';

/** Options of {@link writeStudyReport}. */
export interface WriteStudyReportOptions {
  /** @default `DEFAULT_STUDY_DIR` of `@hptune/core/local` */
  readonly studyDir?: string;
  /** The file to write. @default `<study dir>/<name>/report.html` */
  readonly out?: string;
}

/** A written report: its absolute path, its size in bytes, and the data it shows. */
export interface WrittenReport {
  readonly file: string;
  readonly bytes: number;
  readonly data: ReportData;
}

/**
 * Writes a local study's report as one self-contained HTML file (it fetches nothing, so it opens
 * from `file://`, as a mail attachment or a CI artifact). Reads the study without its lease, so it
 * works while the study runs.
 * @throws HptuneError `STUDY_NOT_FOUND`; ValidationError when `out` is a directory.
 */
export function writeStudyReport(name: string, options: WriteStudyReportOptions = {}): WrittenReport {
  const stored = openStudy(name, options.studyDir !== undefined ? { studyDir: options.studyDir } : {});
  const file = resolve(options.out ?? join(stored.study.directory, DEFAULT_REPORT_FILE));
  const data = buildReportData(reportSourceFromStudy(stored));
  return { file, data, bytes: writeReportFile(file, data) };
}

/**
 * Writes a report of `data` to `file` (its folder created if needed), whole or not at all: a reader
 * never sees half a file. Returns the bytes written.
 * @throws ValidationError when `file` is a directory.
 */
export function writeReportFile(file: string, data: ReportData): number {
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ValidationError({ field: '--out', value: file, problem: 'is a directory', fix: `pass a file name, e.g. --out ${join(file, DEFAULT_REPORT_FILE)}` });
  }
  const html = renderReportHtml(data);
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, html);
  renameSync(partial, file);
  return Buffer.byteLength(html);
}
