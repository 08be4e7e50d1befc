import { writeStudyReport } from '@hptune/report';
import type { CliIo } from '../io.js';

/** `hptune study report <name>`: writes the study's self-contained HTML report and prints where. */
export function studyReportCommand(name: string, flags: { studyDir: string; out?: string }, io: CliIo): number {
  const report = writeStudyReport(name, { studyDir: flags.studyDir, ...(flags.out !== undefined ? { out: flags.out } : {}) });
  io.stdout.write(`${report.file}\n`);
  io.stderr.write(`report of study ${name}: ${report.data.trials.length} trials, ${formatBytes(report.bytes)}; open it in a browser (it needs no network)\n`);
  return 0;
}

/** Bytes as `640 KB` or `1.2 MB`. */
export function formatBytes(bytes: number): string {
  return bytes < 1_000_000 ? `${Math.round(bytes / 1000)} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`;
}
