import { HptuneError, ValidationError } from '../../errors.js';
import type { SearchAlgorithm } from '../../algorithms.js';
import type { SearchSpace } from '../../space/types.js';
import type { DriverLaunch, StudyEventSink, StudyExecution, StudyOutcome } from '../../study/driver.js';
import type { StudyInfo } from '../../study/handle.js';
import type { FrozenTrial, StudyState } from '../../study/types.js';
import { checkVertexAccess, resolveStorageApiEndpoint } from './access.js';
import { createVertexJobClient, type VertexJobClient } from './client.js';
import { resolveVertexEndpoint, type VertexEndpoint } from './endpoint.js';
import { JOB_STATES_COMPLETE, VertexJobError, type VertexJob, type VertexJobState } from './job.js';
import { buildHyperparameterTuningJobRequest } from './job-spec.js';
import { vertexEarlyStopping } from './stopping.js';
import type { VertexBackendOptions, VertexStudyDefinition } from './options.js';
import { DEFAULT_VERTEX_REGION } from './regions.js';
import { watchVertexJob } from './poller.js';
import { preflightVertexJob } from './preflight.js';
import type { PreflightWarning } from './warnings.js';
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

/** Events only a study on Vertex AI emits, beside the shared `StudyEvents`. */
export interface VertexStudyEvents {
  /** The job changed state (QUEUED, PENDING, RUNNING, ...). */
  jobState: { readonly job: VertexJob; readonly previous?: VertexJobState };
}

/** What only a study on Vertex AI has, as `handle.backend` shows it. */
export interface VertexStudyDetails {
  readonly kind: 'vertex';
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
  /** The job as last seen by a poll. */
  current(): VertexJob;
  /**
   * Stops following the job and closes the connection; the job keeps running on Vertex AI, and
   * `wait()` rejects with `WATCH_ABORTED`. A launch that only submits calls it right away.
   */
  detach(): Promise<void>;
}

/**
 * Every check that needs no network, then the request: nothing is loaded or sent. The study part
 * has passed the shared study checks; `hptune launch --dry-run` prints the result.
 * @throws ValidationError for input the service (or the trial contract) would reject.
 */
export function planVertexJob(study: VertexStudyDefinition, backend: VertexBackendOptions): VertexStudyPlan {
  const { warnings } = preflightVertexJob(study, backend);
  const request = buildHyperparameterTuningJobRequest(study, backend);
  const region = backend.region ?? DEFAULT_VERTEX_REGION;
  return { request, warnings, endpoint: resolveVertexEndpoint({ region, ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}) }) };
}

/** The Vertex study definition of a launch; refuses what only the local backend takes. */
export function vertexStudyOf(launch: DriverLaunch): VertexStudyDefinition & { readonly space: SearchSpace } {
  if (launch.trainer !== undefined) {
    throw new ValidationError({
      field: 'trainer',
      value: launch.trainer,
      problem: 'is a local command, and trials on Vertex AI run a container',
      fix: 'leave trainer unset and give the image as vertex({ containerUri, trainerArgs }) (or stage the trainer with useCustomContainer: false)',
    });
  }
  if (launch.studyDir !== undefined) {
    throw new ValidationError({
      field: 'studyDir',
      value: launch.studyDir,
      problem: 'is where the local backend stores studies; a Vertex AI study lives in its job',
      fix: 'leave studyDir unset; trial outputs go to gs://<bucket>/hptune/<study name>/',
    });
  }
  const { definition } = launch;
  const earlyStopping = vertexEarlyStopping(definition.earlyStopping);
  return {
    name: definition.name,
    space: launch.space,
    metric: definition.metric,
    // The shared checks refuse a custom sampler on Vertex AI, so the algorithm is one of hptune's.
    algorithm: definition.algorithm as SearchAlgorithm,
    maxTrials: definition.maxTrials,
    parallelTrials: definition.parallelTrials,
    ...(definition.maxFailedTrials === undefined ? {} : { maxFailedTrials: definition.maxFailedTrials }),
    ...(definition.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: definition.trialTimeoutSeconds }),
    ...(earlyStopping === undefined ? {} : { earlyStopping }),
    ...(definition.measurementSelection === undefined ? {} : { measurementSelection: definition.measurementSelection }),
  };
}

/**
 * Launches a checked study on Vertex AI as a HyperparameterTuningJob: the offline preflight, the
 * network checks (credentials, bucket in the job's region), the staging of the trainer when the
 * job runs without a custom container, then CreateHyperparameterTuningJob. Nothing is created when
 * a check fails. Returns the run that follows the job.
 * @throws ValidationError before anything is created; VertexApiError when the service refuses the job.
 */
export async function launchVertexJob(launch: DriverLaunch, backend: VertexBackendOptions): Promise<VertexStudyRun> {
  const study = vertexStudyOf(launch);
  const plan = planVertexJob(study, backend);
  const region = backend.region ?? DEFAULT_VERTEX_REGION;
  if (backend.checkAccess !== false) {
    await checkVertexAccess({
      project: backend.project,
      region,
      bucket: backend.bucket,
      ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}),
      ...backend.access,
    });
  }
  const storageApiEndpoint = resolveStorageApiEndpoint(backend.access ?? {});
  const staged =
    backend.useCustomContainer === false
      ? await stageTrainer({
          bucket: backend.bucket,
          study: study.name,
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
  const info: StudyInfo = {
    ...launch.definition,
    backend: 'vertex',
    state: 'ACTIVE',
    createTime: created.createTime ?? new Date().toISOString(),
    updateTime: created.updateTime ?? created.createTime ?? new Date().toISOString(),
  };
  return new VertexStudyRun({ client, created, info, warnings: plan.warnings, backend, ...(staged ? { staged } : {}) });
}

/** How a job's end state reads as a study's. */
function studyStateOf(state: VertexJobState): StudyState {
  if (state === 'JOB_STATE_SUCCEEDED') return 'COMPLETED';
  if (state === 'JOB_STATE_CANCELLED') return 'CANCELLED';
  return JOB_STATES_COMPLETE.has(state) ? 'FAILED' : 'ACTIVE';
}

interface VertexStudyRunOptions {
  readonly client: VertexJobClient;
  readonly created: VertexJob;
  readonly info: StudyInfo;
  readonly warnings: readonly PreflightWarning[];
  readonly backend: Pick<VertexBackendOptions, 'pollIntervalMs' | 'maxPollIntervalMs'>;
  readonly staged?: StagedTrainer;
}

/** A HyperparameterTuningJob followed by polling, as the shared study run drives it. */
export class VertexStudyRun implements StudyExecution<VertexStudyDetails, VertexStudyEvents> {
  readonly details: VertexStudyDetails;
  readonly #options: VertexStudyRunOptions;
  readonly #stop = new AbortController();
  #latest: VertexJob;
  #info: StudyInfo;
  #closed = false;

  constructor(options: VertexStudyRunOptions) {
    this.#options = options;
    this.#latest = options.created;
    this.#info = options.info;
    const { created } = options;
    this.details = {
      kind: 'vertex',
      job: created,
      jobName: created.name,
      consoleUrl: created.consoleUrl,
      warnings: options.warnings,
      ...(options.staged ? { staged: options.staged } : {}),
      current: () => this.#latest,
      detach: () => this.#close(),
    };
  }

  info(): StudyInfo {
    return this.#info;
  }

  trials(): readonly FrozenTrial[] {
    return this.#latest.trials;
  }

  /** Asks Vertex AI to cancel the job; the run then ends CANCELLED when the job does. */
  async cancel(): Promise<void> {
    const { client, created } = this.#options;
    if (!this.#closed) {
      await client.cancelJob(created.name);
      return;
    }
    // Detached already: a short-lived connection of its own.
    const again = await createVertexJobClient({
      region: created.name.split('/')[3] ?? DEFAULT_VERTEX_REGION,
      apiEndpoint: `${client.endpoint.insecure ? 'http://' : ''}${client.endpoint.host}:${client.endpoint.port}`,
    });
    try {
      await again.cancelJob(created.name);
    } finally {
      await again.close();
    }
  }

  /** Vertex AI cannot stop scheduling trials while letting running ones finish: refused, the job runs on. */
  async stop(): Promise<void> {
    throw new HptuneError(
      'STUDY_STOP_UNSUPPORTED',
      `Vertex AI cannot stop job ${this.#options.created.name} from starting trials while letting the running ones finish; ` +
        'cancel() cancels the job (its running trials are stopped), detach() stops following it and lets it run',
      { exitCode: 2 },
    );
  }

  async run(events: StudyEventSink<VertexStudyEvents>): Promise<StudyOutcome> {
    const { client, created, backend } = this.#options;
    try {
      const job = await watchVertexJob({
        client,
        name: created.name,
        initial: created,
        signal: this.#stop.signal,
        ...(backend.pollIntervalMs !== undefined ? { pollIntervalMs: backend.pollIntervalMs } : {}),
        ...(backend.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: backend.maxPollIntervalMs } : {}),
        onEvent: (event) => {
          this.#see(event.job);
          switch (event.type) {
            case 'job-state':
              events.extra('jobState', { job: event.job, ...(event.previous ? { previous: event.previous } : {}) });
              break;
            case 'trial-started':
              events.trialStarted({ trial: event.trial });
              break;
            case 'trial-measurement':
              events.measurement({ trial: event.trial, measurement: event.measurement });
              break;
            case 'trial-completed':
              events.trialCompleted({ trial: event.trial });
              break;
            case 'trial-state':
              break;
          }
        },
      });
      this.#see(job);
      return { state: 'COMPLETED' };
    } catch (caught) {
      const error = caught instanceof HptuneError ? caught : new HptuneError('VERTEX_WATCH_FAILED', `watching ${created.name} failed: ${String(caught)}`, { cause: caught });
      if (error instanceof VertexJobError) this.#see({ ...this.#latest, state: error.state });
      const state = this.#info.state;
      return { state: state === 'COMPLETED' ? 'FAILED' : state, error };
    } finally {
      await this.#close();
    }
  }

  #see(job: VertexJob): void {
    this.#latest = job;
    this.#info = { ...this.#info, state: studyStateOf(job.state), updateTime: job.updateTime ?? this.#info.updateTime };
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    await this.#options.client.close();
  }
}
