import { writeStudyReport } from '@hptune/report';
import type { CliIo } from '../io.js';
import { formatBytes } from '../reporters/format.js';

/** `hptune study report <name>`: writes the study's self-contained HTML report and prints where. */
export function studyReportCommand(name: string, flags: { studyDir: string; out?: string }, io: CliIo): number {
  const report = writeStudyReport(name, { studyDir: flags.studyDir, ...(flags.out !== undefined ? { out: flags.out } : {}) });
  io.stdout.write(`${report.file}\n`);
  io.stderr.write(`report of study ${name}: ${report.data.trials.length} trials, ${formatBytes(report.bytes)}; open it in a browser (it needs no network)\n`);
  return 0;
}
