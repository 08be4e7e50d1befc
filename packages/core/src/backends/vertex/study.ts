import { HptuneError } from '../../errors.js';
import type { FrozenTrial, Measurement } from '../../study/types.js';
import { checkVertexAccess, resolveStorageApiEndpoint, type VertexAccessCheckOptions } from './access.js';
import { createVertexJobClient, type VertexJobClient } from './client.js';
import { resolveVertexEndpoint, type VertexEndpoint } from './endpoint.js';
import { bestVertexTrial, type VertexJob, type VertexJobState } from './job.js';
import { buildHyperparameterTuningJobRequest } from './job-spec.js';
import { DEFAULT_VERTEX_REGION, type VertexBackend, type VertexStudyDefinition } from './options.js';
import { watchVertexJob } from './poller.js';
import { preflightVertexJob, type PreflightWarning } from './preflight.js';
import type { CreateHyperparameterTuningJobRequest } from './request.js';
import { stageTrainer, type StagedTrainer } from './staging/stage.js';

/** What a Vertex study will send, checked but not sent: what `--dry-run` prints. */
export interface VertexStudyPlan {
  /** The exact CreateHyperparameterTuningJob request. */
  readonly request: CreateHyperparameterTuningJobRequest;
  /** Preflight findings that do not stop the job. */
  readonly warnings: readonly PreflightWarning[];
  /** Where the request would go. */
  readonly endpoint: VertexEndpoint;
}

/** Options of {@link planVertexStudy} and {@link launchVertexStudy}: the study, and `backend: vertex({...})`. */
export interface LaunchVertexStudyOptions extends VertexStudyDefinition {
  readonly backend: VertexBackend;
}

/**
 * Runs every check that needs no network and builds the request: no client is loaded, nothing is
 * sent. `hptune launch --dry-run` prints the result.
 * @throws ValidationError for input the service (or the trial contract) would reject.
 */
export function planVertexStudy(options: LaunchVertexStudyOptions): VertexStudyPlan {
  const { backend, ...study } = options;
  const { warnings } = preflightVertexJob(study, backend);
  const request = buildHyperparameterTuningJobRequest(study, backend);
  const region = backend.region ?? DEFAULT_VERTEX_REGION;
  return { request, warnings, endpoint: resolveVertexEndpoint({ region, ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}) }) };
}

/** What a Vertex study ends with: the job, its trials, the best. */
export interface VertexStudyResult {
  readonly job: VertexJob;
  readonly trials: readonly FrozenTrial[];
  /** The SUCCEEDED trial with the best final value of the metric. */
  readonly best: FrozenTrial | undefined;
}

/** The events of a study on Vertex AI, named as the local study's where they mean the same. */
export interface VertexStudyEvents {
  /** The job changed state (QUEUED, PENDING, RUNNING, ...). */
  jobState: { readonly job: VertexJob; readonly previous?: VertexJobState };
  /** Vertex started a trial, with its parameters. */
  trialStarted: { readonly trial: FrozenTrial };
  /** A trial reported a measurement. */
  measurement: { readonly trial: FrozenTrial; readonly measurement: Measurement };
  /** A trial ended SUCCEEDED (with its final measurement) or INFEASIBLE (with the reason). */
  trialCompleted: { readonly trial: FrozenTrial };
  /** The job SUCCEEDED. */
  studyCompleted: VertexStudyResult;
  /** The job ended FAILED, CANCELLED, ... (or watching it failed). */
  studyStopped: VertexStudyResult & { readonly error: HptuneError };
}

/**
 * A study running on Vertex AI, as {@link launchVertexStudy} returns it. The job runs on its own:
 * polling starts with the first `on` or `wait` call, so a launch that only submits costs nothing more.
 */
export interface VertexStudyHandle {
  /** The job as created. */
  readonly job: VertexJob;
  /** The job's resource name. */
  readonly jobName: string;
  /** The job's console page. */
  readonly consoleUrl: string;
  /** Preflight findings that did not stop the job. */
  readonly warnings: readonly PreflightWarning[];
  /** The trainer staged for the trials, when the job runs without a custom container. */
  readonly staged?: StagedTrainer;
  /** Adds a listener (and starts polling); returns a function that removes it. */
  on<E extends keyof VertexStudyEvents>(event: E, listener: (event: VertexStudyEvents[E]) => void): () => void;
  /**
   * Polls the job until it ends: resolves when it SUCCEEDED; rejects with a {@link VertexJobError}
   * (FAILED, CANCELLED, ...) carrying the service's message and the console URL.
   */
  wait(): Promise<VertexStudyResult>;
  /** Asks Vertex AI to cancel the job; `wait()` then rejects with the CANCELLED job. */
  cancel(): Promise<void>;
  /** The job as last seen by a poll. */
  current(): VertexJob;
  /** The trials as last seen. */
  trials(): readonly FrozenTrial[];
  /** The best trial as last seen. */
  best(): FrozenTrial | undefined;
  /** Stops polling and closes the connection; the job keeps running. Called by `wait()` when it settles. */
  close(): Promise<void>;
}

/** Settings of a launch that are not part of the study. */
export interface VertexLaunchSettings {
  /** Run the network checks (credentials, bucket region) first. @default true */
  readonly checkAccess?: boolean;
  /** Passed to the network checks, e.g. `storageApiEndpoint` for an emulator. */
  readonly access?: Pick<VertexAccessCheckOptions, 'storageApiEndpoint' | 'env' | 'credentials'>;
  /** First wait between polls, in milliseconds. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Longest wait between polls, in milliseconds. @default 60000 */
  readonly maxPollIntervalMs?: number;
  /** Stops polling when it aborts (the job keeps running; call `cancel()` to stop it). */
  readonly signal?: AbortSignal;
}

/**
 * Launches a study on Vertex AI as a HyperparameterTuningJob: the offline preflight, the network
 * checks (credentials, bucket in the job's region), the staging of the trainer when the job runs
 * without a custom container, then CreateHyperparameterTuningJob. Nothing is created when a check
 * fails.
 * @example
 * const study = await launchVertexStudy({ name: 'seed', space: seedSearchSpace, metric: { id: 'accuracy', goal: 'maximize' },
 *   algorithm: 'grid', backend: vertex({ project, bucket, containerUri }) });
 * console.log(study.consoleUrl); await study.wait();
 * @throws ValidationError before anything is created; VertexApiError when the service refuses the job.
 */
export async function launchVertexStudy(options: LaunchVertexStudyOptions, settings: VertexLaunchSettings = {}): Promise<VertexStudyHandle> {
  const plan = planVertexStudy(options);
  const { backend } = options;
  const region = backend.region ?? DEFAULT_VERTEX_REGION;
  if (settings.checkAccess !== false) {
    await checkVertexAccess({
      project: backend.project,
      region,
      bucket: backend.bucket,
      ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}),
      ...settings.access,
    });
  }
  const storageApiEndpoint = resolveStorageApiEndpoint(settings.access ?? {});
  const staged =
    backend.useCustomContainer === false
      ? await stageTrainer({
          bucket: backend.bucket,
          study: options.name,
          trainerPackageDir: backend.trainerPackageDir as string, // checked by the preflight
          ...(storageApiEndpoint ? { storageApiEndpoint } : {}),
        })
      : undefined;
  const client = await createVertexJobClient({ region, ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}) });
  let created: VertexJob;
  try {
    created = await client.createJob(plan.request);
  } catch (error) {
    await client.close();
    throw error;
  }
  const handle = vertexStudyHandle(client, created, plan.warnings, settings);
  return staged ? { ...handle, staged } : handle;
}

/** A handle over a job that exists already (e.g. one found by `hptune jobs show`). */
export function vertexStudyHandle(
  client: VertexJobClient,
  created: VertexJob,
  warnings: readonly PreflightWarning[] = [],
  settings: Pick<VertexLaunchSettings, 'pollIntervalMs' | 'maxPollIntervalMs' | 'signal'> = {},
): VertexStudyHandle {
  const listeners = new Map<keyof VertexStudyEvents, Set<(event: never) => void>>();
  const stop = new AbortController();
  const signal = settings.signal ? AbortSignal.any([settings.signal, stop.signal]) : stop.signal;
  let latest = created;
  let closed = false;
  let watching: Promise<VertexStudyResult> | undefined;

  const emit = <E extends keyof VertexStudyEvents>(event: E, payload: VertexStudyEvents[E]): void => {
    for (const listener of listeners.get(event) ?? []) (listener as (event: VertexStudyEvents[E]) => void)(payload);
  };
  const result = (job: VertexJob): VertexStudyResult => ({ job, trials: job.trials, best: bestVertexTrial(job) });
  const close = async () => {
    if (closed) return;
    closed = true;
    stop.abort();
    await client.close();
  };

  const watch = (): Promise<VertexStudyResult> => {
    watching ??= (async () => {
      try {
        const job = await watchVertexJob({
          client,
          name: created.name,
          initial: created,
          signal,
          ...(settings.pollIntervalMs !== undefined ? { pollIntervalMs: settings.pollIntervalMs } : {}),
          ...(settings.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: settings.maxPollIntervalMs } : {}),
          onEvent(event) {
            latest = event.job;
            switch (event.type) {
              case 'job-state':
                emit('jobState', { job: event.job, ...(event.previous ? { previous: event.previous } : {}) });
                break;
              case 'trial-started':
                emit('trialStarted', { trial: event.trial });
                break;
              case 'trial-measurement':
                emit('measurement', { trial: event.trial, measurement: event.measurement });
                break;
              case 'trial-completed':
                emit('trialCompleted', { trial: event.trial });
                break;
              case 'trial-state':
                break;
            }
          },
        });
        latest = job;
        const done = result(job);
        emit('studyCompleted', done);
        return done;
      } catch (caught) {
        const error = caught instanceof HptuneError ? caught : new HptuneError('VERTEX_WATCH_FAILED', `watching ${created.name} failed: ${String(caught)}`, { cause: caught });
        emit('studyStopped', { ...result(latest), error });
        throw error;
      } finally {
        await close();
      }
    })();
    return watching;
  };
  const startWatching = () => {
    // Listeners added in the same task as the launch miss nothing: the first poll comes later.
    setImmediate(() => void watch().catch(() => undefined));
  };

  return {
    job: created,
    jobName: created.name,
    consoleUrl: created.consoleUrl,
    warnings,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (event: never) => void);
      if (!watching && !closed) startWatching();
      return () => void set.delete(listener as (event: never) => void);
    },
    wait: () => watch(),
    async cancel() {
      if (closed) {
        const again = await createVertexJobClient({ region: created.name.split('/')[3] ?? DEFAULT_VERTEX_REGION, apiEndpoint: `${client.endpoint.insecure ? 'http://' : ''}${client.endpoint.host}:${client.endpoint.port}` });
        try {
          await again.cancelJob(created.name);
        } finally {
          await again.close();
        }
        return;
      }
      await client.cancelJob(created.name);
    },
    current: () => latest,
    trials: () => latest.trials,
    best: () => bestVertexTrial(latest),
    close,
  };
}
