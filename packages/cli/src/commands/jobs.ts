import { ValidationError, bestTrial, type FrozenTrial } from '@hptune/core';
import { createVertexJobClient, resolveVertexJobName, type VertexJob, type VertexJobClient } from '@hptune/core/vertex';
import type { CliIo } from '../io.js';
import { formatTable } from '../reporters/format.js';
import { bestTrialJson, trialJson } from '../reporters/trial-json.js';
import { formatJobSummary } from './launch-report.js';

/** The flags every `hptune jobs` command takes. */
/** The best trial of a job by its own metric; `undefined` when it has none. */
function bestOf(job: VertexJob): FrozenTrial | undefined {
  return job.metric ? bestTrial(job.trials, job.metric) : undefined;
}

export interface JobsFlags {
  project?: string;
  region: string;
  apiEndpoint?: string;
  json?: boolean;
}

/** Runs `use` with a JobService client for the flags' region and endpoint, closing it after. */
export async function withClient<T>(flags: JobsFlags, use: (client: VertexJobClient) => Promise<T>): Promise<T> {
  const client = await createVertexJobClient({ region: flags.region, ...(flags.apiEndpoint ? { apiEndpoint: flags.apiEndpoint } : {}) });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

function requireProject(flags: JobsFlags): string {
  if (!flags.project) {
    throw new ValidationError({ field: '--project', value: undefined, problem: 'is required', fix: 'pass --project my-project or set GOOGLE_CLOUD_PROJECT' });
  }
  return flags.project;
}

/** A job with its trials as the `--json` of `hptune jobs show` prints it. */
function jobJson(job: VertexJob, best: FrozenTrial | undefined) {
  return {
    name: job.name,
    id: job.id,
    displayName: job.displayName,
    state: job.state,
    ...(job.error ? { error: job.error } : {}),
    metric: job.metric ?? null,
    maxTrialCount: job.maxTrialCount,
    parallelTrialCount: job.parallelTrialCount,
    labels: job.labels,
    createTime: job.createTime ?? null,
    endTime: job.endTime ?? null,
    consoleUrl: job.consoleUrl,
    trials: job.trials.map(trialJson),
    best: bestTrialJson(best),
  };
}

/** `hptune jobs list`: the project's hyperparameter tuning jobs in a region, newest first. */
export async function listJobsCommand(flags: JobsFlags & { filter?: string }, io: CliIo): Promise<number> {
  const project = requireProject(flags);
  const jobs = await withClient(flags, (client) => client.listJobs({ project, region: flags.region, ...(flags.filter ? { filter: flags.filter } : {}) }));
  if (flags.json) {
    io.stdout.write(JSON.stringify(jobs.map((job) => jobJson(job, bestOf(job))), null, 2) + '\n');
    return 0;
  }
  if (jobs.length === 0) {
    io.stdout.write(`no hyperparameter tuning jobs in projects/${project}/locations/${flags.region}\n`);
    return 0;
  }
  const rows = jobs.map((job) => {
    const done = job.trials.filter((trial) => trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE').length;
    return [job.id, job.displayName, job.state.replace('JOB_STATE_', ''), `${done}/${job.maxTrialCount}`, job.createTime ?? ''];
  });
  io.stdout.write(formatTable(['id', 'display name', 'state', 'trials', 'created'], rows) + '\n');
  return 0;
}

/** `hptune jobs show <id>`: a job's state, its trials table and best trial, or `--json`. */
export async function showJobCommand(id: string, flags: JobsFlags, io: CliIo): Promise<number> {
  const name = resolveVertexJobName(id, { region: flags.region, ...(flags.project ? { project: flags.project } : {}) });
  const job = await withClient(flags, (client) => client.getJob(name));
  const best = bestOf(job);
  io.stdout.write(flags.json ? JSON.stringify(jobJson(job, best), null, 2) + '\n' : formatJobSummary(job, best));
  return 0;
}

/** `hptune jobs cancel <id>`: asks Vertex AI to cancel the job. */
export async function cancelJobCommand(id: string, flags: JobsFlags, io: CliIo): Promise<number> {
  const name = resolveVertexJobName(id, { region: flags.region, ...(flags.project ? { project: flags.project } : {}) });
  await withClient(flags, (client) => client.cancelJob(name));
  io.stdout.write(`cancelling ${name}: its running trials are being stopped; hptune jobs show ${id} shows when it is CANCELLED\n`);
  return 0;
}
