import { resolve } from 'node:path';
import { buildReportData, reportSourceFromVertexJob, writeReportFile } from '@hptune/report';
import type { CliIo } from '../io.js';
import { JOBS_FLAGS, withFlagNames } from '../flag-names.js';
import { jobName, withClient, type JobsFlags } from './jobs.js';
import { formatBytes } from '../reporters/format.js';

/** `hptune jobs report <id>`: the same report as `hptune study report`, from a HyperparameterTuningJob's trials. */
export async function reportJobCommand(id: string, flags: JobsFlags & { out?: string }, io: CliIo): Promise<number> {
  return withFlagNames(JOBS_FLAGS, () => reportJob(id, flags, io));
}

async function reportJob(id: string, flags: JobsFlags & { out?: string }, io: CliIo): Promise<number> {
  const name = jobName(id, flags);
  const job = await withClient(flags, io, (client) => client.getJob(name));
  const data = buildReportData(reportSourceFromVertexJob(job));
  const file = resolve(flags.out ?? `hptune-job-${job.id}.html`);
  const bytes = writeReportFile(file, data);
  io.stdout.write(`${file}\n`);
  io.stderr.write(`report of job ${job.name}: ${data.trials.length} trials, ${formatBytes(bytes)}; open it in a browser (it needs no network)\n`);
  return 0;
}
