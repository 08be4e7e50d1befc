import { ValidationError, bestTrial, type FrozenTrial } from '@hptune/core';
import { checkVertexPlace, createVertexJobClient, resolveVertexJobName, type VertexJob, type VertexJobClient } from '@hptune/core/vertex';
import { JOBS_FLAGS, withFlagNames } from '../flag-names.js';
import type { CliIo } from '../io.js';
import { formatTable } from '../reporters/format.js';
import { bestTrialJson, trialJson } from '../reporters/trial-json.js';
import { formatJobSummary } from './launch-report.js';

/** The best trial of a job by its own metric; `undefined` when it has none. */
function bestOf(job: VertexJob): FrozenTrial | undefined {
  return job.metric ? bestTrial(job.trials, job.metric) : undefined;
}

/** The flags every `hptune jobs` command takes. */
export interface JobsFlags {
  project?: string;
  region: string;
  apiEndpoint?: string;
  json?: boolean;
}

/** Connects as `launch` does: no client is made (nor loaded) without Application Default Credentials for a Google endpoint. */
export async function withClient<T>(flags: JobsFlags, io: CliIo, use: (client: VertexJobClient) => Promise<T>): Promise<T> {
  const client = await createVertexJobClient({
    region: flags.region,
    ...(flags.apiEndpoint ? { apiEndpoint: flags.apiEndpoint } : {}),
    credentials: { env: io.env },
  });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** The project and region, checked as `launch` checks them. */
function checkPlace(flags: JobsFlags): string {
  if (!flags.project) {
    throw new ValidationError({ field: '--project', value: undefined, problem: 'is required', fix: 'pass --project my-project or set GOOGLE_CLOUD_PROJECT' });
  }
  checkVertexPlace({ project: flags.project, region: flags.region });
  return flags.project;
}

/** The full name of the job `id` names: a bare id needs `--project`; everything is checked before any call. */
export function jobName(id: string, flags: JobsFlags): string {
  if (!id.startsWith('projects/')) checkPlace(flags);
  return resolveVertexJobName(id, { region: flags.region, ...(flags.project ? { project: flags.project } : {}) });
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
  return withFlagNames(JOBS_FLAGS, () => listJobs(flags, io));
}

async function listJobs(flags: JobsFlags & { filter?: string }, io: CliIo): Promise<number> {
  const project = checkPlace(flags);
  const jobs = await withClient(flags, io, (client) => client.listJobs({ project, region: flags.region, ...(flags.filter ? { filter: flags.filter } : {}) }));
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
  return withFlagNames(JOBS_FLAGS, () => showJob(id, flags, io));
}

async function showJob(id: string, flags: JobsFlags, io: CliIo): Promise<number> {
  const name = jobName(id, flags);
  const job = await withClient(flags, io, (client) => client.getJob(name));
  const best = bestOf(job);
  io.stdout.write(flags.json ? JSON.stringify(jobJson(job, best), null, 2) + '\n' : formatJobSummary(job, best));
  return 0;
}

/** `hptune jobs cancel <id>`: asks Vertex AI to cancel the job. */
export async function cancelJobCommand(id: string, flags: JobsFlags, io: CliIo): Promise<number> {
  return withFlagNames(JOBS_FLAGS, () => cancelJob(id, flags, io));
}

async function cancelJob(id: string, flags: JobsFlags, io: CliIo): Promise<number> {
  const name = jobName(id, flags);
  await withClient(flags, io, (client) => client.cancelJob(name));
  io.stdout.write(`cancelling ${name}: its running trials are being stopped; hptune jobs show ${id} shows when it is CANCELLED\n`);
  return 0;
}
