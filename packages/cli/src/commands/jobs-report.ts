import { resolve } from 'node:path';
import { resolveVertexJobName } from '@hptune/core/vertex';
import { buildReportData, reportSourceFromVertexJob, writeReportFile } from '@hptune/report';
import type { CliIo } from '../io.js';
import { withClient, type JobsFlags } from './jobs.js';
import { formatBytes } from './study-report.js';

/** `hptune jobs report <id>`: the same report as `hptune study report`, from a HyperparameterTuningJob's trials. */
export async function reportJobCommand(id: string, flags: JobsFlags & { out?: string }, io: CliIo): Promise<number> {
  const name = resolveVertexJobName(id, { region: flags.region, ...(flags.project ? { project: flags.project } : {}) });
  const job = await withClient(flags, io, (client) => client.getJob(name));
  const data = buildReportData(reportSourceFromVertexJob(job));
  const file = resolve(flags.out ?? `hptune-job-${job.id}.html`);
  const bytes = writeReportFile(file, data);
  io.stdout.write(`${file}\n`);
  io.stderr.write(`report of job ${job.name}: ${data.trials.length} trials, ${formatBytes(bytes)}; open it in a browser (it needs no network)\n`);
  return 0;
}
