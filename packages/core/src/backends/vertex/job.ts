import { HptuneError } from '../../errors.js';
import type { ParameterValue } from '../../space/types.js';
import type { FrozenTrial, Measurement, MetricSpec, TrialState } from '../../study/types.js';

/**
 * A job's state, as Vertex AI names it.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/JobState
 */
export type VertexJobState =
  | 'JOB_STATE_UNSPECIFIED'
  | 'JOB_STATE_QUEUED'
  | 'JOB_STATE_PENDING'
  | 'JOB_STATE_RUNNING'
  | 'JOB_STATE_SUCCEEDED'
  | 'JOB_STATE_FAILED'
  | 'JOB_STATE_CANCELLING'
  | 'JOB_STATE_CANCELLED'
  | 'JOB_STATE_PAUSED'
  | 'JOB_STATE_EXPIRED'
  | 'JOB_STATE_UPDATING'
  | 'JOB_STATE_PARTIALLY_SUCCEEDED';

/** States after which a job never changes again (as the Python SDK's `_JOB_COMPLETE_STATES`). */
export const JOB_STATES_COMPLETE: ReadonlySet<VertexJobState> = new Set([
  'JOB_STATE_SUCCEEDED',
  'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLED',
  'JOB_STATE_PAUSED',
  'JOB_STATE_EXPIRED',
  'JOB_STATE_PARTIALLY_SUCCEEDED',
]);

/** Complete states that mean the job did not succeed (as the Python SDK's `_JOB_ERROR_STATES`). */
export const JOB_STATES_ERROR: ReadonlySet<VertexJobState> = new Set([
  'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLED',
  'JOB_STATE_EXPIRED',
  'JOB_STATE_PARTIALLY_SUCCEEDED',
]);

/** States of a job that has not run yet or is still running (as the Python SDK's `_JOB_PENDING_STATES`). */
export const JOB_STATES_PENDING: ReadonlySet<VertexJobState> = new Set([
  'JOB_STATE_QUEUED',
  'JOB_STATE_PENDING',
  'JOB_STATE_RUNNING',
  'JOB_STATE_CANCELLING',
  'JOB_STATE_UPDATING',
]);

/** A HyperparameterTuningJob as hptune reports it: the service's job with trials in hptune's trial shape. */
export interface VertexJob {
  /** The resource name, `projects/<p>/locations/<r>/hyperparameterTuningJobs/<id>`. */
  readonly name: string;
  /** The last segment of the name: what `hptune jobs show <id>` takes. */
  readonly id: string;
  readonly displayName: string;
  readonly state: VertexJobState;
  /** The error the service reported for a failed or cancelled job. */
  readonly error?: { readonly code: number; readonly message: string };
  /** The study's metric (the first of `studySpec.metrics`). */
  readonly metric?: MetricSpec;
  readonly maxTrialCount: number;
  readonly parallelTrialCount: number;
  readonly maxFailedTrialCount: number;
  /** Trials in the order the service created them. */
  readonly trials: readonly FrozenTrial[];
  readonly labels: Readonly<Record<string, string>>;
  /** ISO 8601 timestamps. */
  readonly createTime?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly updateTime?: string;
  /** The job's page in the Google Cloud console. */
  readonly consoleUrl: string;
}

/** The parts of a HyperparameterTuningJob resource name. */
export interface VertexJobNameParts {
  readonly project: string;
  readonly region: string;
  readonly id: string;
}

const JOB_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/hyperparameterTuningJobs\/([^/]+)$/;

/** Splits a job resource name; `undefined` when it is not one. */
export function parseVertexJobName(name: string): VertexJobNameParts | undefined {
  const match = JOB_NAME.exec(name);
  if (!match) return undefined;
  const [, project, region, id] = match as unknown as [string, string, string, string];
  return { project, region, id };
}

/**
 * The Google Cloud console page of a HyperparameterTuningJob, in the form the Vertex AI Python
 * SDK prints (`_dashboard_uri`: training jobs live under `/training/<id>`).
 * @example vertexConsoleUrl('projects/p/locations/us-central1/hyperparameterTuningJobs/123')
 * // 'https://console.cloud.google.com/ai/platform/locations/us-central1/training/123?project=p'
 */
export function vertexConsoleUrl(name: string): string {
  const parts = parseVertexJobName(name);
  if (!parts) return 'https://console.cloud.google.com/vertex-ai/training/hyperparameter-tuning-jobs';
  return `https://console.cloud.google.com/ai/platform/locations/${parts.region}/training/${parts.id}?project=${encodeURIComponent(parts.project)}`;
}

/**
 * A Vertex AI job that ended in an error state (FAILED, CANCELLED, EXPIRED, ...), with the
 * service's own error message and where to look.
 */
export class VertexJobError extends HptuneError {
  /** The job's resource name. */
  readonly jobName: string;
  /** The state it ended in. */
  readonly state: VertexJobState;
  /** The job's page in the Google Cloud console. */
  readonly consoleUrl: string;
  /** The service's error message, when it gave one. */
  readonly serviceMessage?: string;

  constructor(job: Pick<VertexJob, 'name' | 'state' | 'error'>) {
    const consoleUrl = vertexConsoleUrl(job.name);
    const detail = job.error?.message ? `: ${job.error.message}` : '';
    super(job.state === 'JOB_STATE_CANCELLED' ? 'VERTEX_JOB_CANCELLED' : 'VERTEX_JOB_FAILED', `Vertex AI job ${job.name} ended ${job.state}${detail}\n  see ${consoleUrl}`);
    this.jobName = job.name;
    this.state = job.state;
    this.consoleUrl = consoleUrl;
    if (job.error?.message) this.serviceMessage = job.error.message;
  }
}

// The raw message as the client returns it: camelCase, enums by name, int64 as strings.
interface RawDuration {
  seconds?: string | number | null;
  nanos?: number | null;
}
interface RawMeasurement {
  stepCount?: string | number | null;
  elapsedDuration?: RawDuration | null;
  metrics?: Array<{ metricId?: string | null; value?: number | null }> | null;
}
interface RawTrial {
  id?: string | null;
  state?: string | number | null;
  parameters?: Array<{ parameterId?: string | null; value?: { numberValue?: number | null; stringValue?: string | null; kind?: string } | null }> | null;
  measurements?: RawMeasurement[] | null;
  finalMeasurement?: RawMeasurement | null;
  startTime?: RawDuration | null;
  endTime?: RawDuration | null;
  infeasibleReason?: string | null;
}

/** The fields of the service's HyperparameterTuningJob message hptune reads. */
export interface RawHyperparameterTuningJob {
  name?: string | null;
  displayName?: string | null;
  state?: string | number | null;
  error?: { code?: number | null; message?: string | null } | null;
  studySpec?: { metrics?: Array<{ metricId?: string | null; goal?: string | number | null }> | null } | null;
  maxTrialCount?: number | null;
  parallelTrialCount?: number | null;
  maxFailedTrialCount?: number | null;
  trials?: RawTrial[] | null;
  labels?: Record<string, string> | null;
  createTime?: RawDuration | null;
  startTime?: RawDuration | null;
  endTime?: RawDuration | null;
  updateTime?: RawDuration | null;
}

function isoTime(time: RawDuration | null | undefined): string | undefined {
  if (!time || time.seconds === undefined || time.seconds === null) return undefined;
  const milliseconds = Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
  return new Date(milliseconds).toISOString();
}

function toMeasurement(raw: RawMeasurement): Measurement {
  const metrics: Record<string, number> = {};
  for (const metric of raw.metrics ?? []) {
    if (metric.metricId) metrics[metric.metricId] = Number(metric.value ?? 0);
  }
  const elapsed = raw.elapsedDuration;
  return {
    step: Number(raw.stepCount ?? 0),
    metrics,
    elapsedSeconds: elapsed ? Number(elapsed.seconds ?? 0) + (elapsed.nanos ?? 0) / 1e9 : 0,
  };
}

const TRIAL_STATES: readonly TrialState[] = ['REQUESTED', 'ACTIVE', 'STOPPING', 'SUCCEEDED', 'INFEASIBLE'];

function toTrial(raw: RawTrial): FrozenTrial {
  const parameters: Record<string, ParameterValue> = {};
  for (const parameter of raw.parameters ?? []) {
    if (!parameter.parameterId || !parameter.value) continue;
    const { numberValue, stringValue } = parameter.value;
    parameters[parameter.parameterId] = typeof stringValue === 'string' && parameter.value.kind !== 'numberValue' ? stringValue : Number(numberValue ?? 0);
  }
  const state = TRIAL_STATES.find((candidate) => candidate === raw.state) ?? 'REQUESTED';
  const startTime = isoTime(raw.startTime);
  const endTime = isoTime(raw.endTime);
  return {
    id: String(raw.id ?? ''),
    state,
    parameters,
    measurements: (raw.measurements ?? []).map(toMeasurement),
    ...(raw.finalMeasurement ? { finalMeasurement: toMeasurement(raw.finalMeasurement) } : {}),
    ...(state === 'INFEASIBLE' ? { failure: { reason: raw.infeasibleReason || 'the trial was infeasible (no reason given)' } } : {}),
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
  };
}

/** Converts the service's HyperparameterTuningJob message into a {@link VertexJob}. */
export function toVertexJob(raw: RawHyperparameterTuningJob): VertexJob {
  const name = raw.name ?? '';
  const metric = raw.studySpec?.metrics?.[0];
  const times = {
    createTime: isoTime(raw.createTime),
    startTime: isoTime(raw.startTime),
    endTime: isoTime(raw.endTime),
    updateTime: isoTime(raw.updateTime),
  };
  return {
    name,
    id: name.split('/').pop() ?? '',
    displayName: raw.displayName ?? '',
    state: (typeof raw.state === 'string' ? raw.state : 'JOB_STATE_UNSPECIFIED') as VertexJobState,
    ...(raw.error && (raw.error.code || raw.error.message) ? { error: { code: raw.error.code ?? 0, message: raw.error.message ?? '' } } : {}),
    ...(metric?.metricId ? { metric: { id: metric.metricId, goal: metric.goal === 'MINIMIZE' ? 'minimize' : 'maximize' } } : {}),
    maxTrialCount: raw.maxTrialCount ?? 0,
    parallelTrialCount: raw.parallelTrialCount ?? 0,
    maxFailedTrialCount: raw.maxFailedTrialCount ?? 0,
    trials: (raw.trials ?? []).map(toTrial),
    labels: { ...(raw.labels ?? {}) },
    ...Object.fromEntries(Object.entries(times).filter(([, value]) => value !== undefined)),
    consoleUrl: vertexConsoleUrl(name),
  };
}
