import { setTimeout as sleepFor } from 'node:timers/promises';
import { HptuneError } from '../../errors.js';
import type { FrozenTrial, Measurement, TrialState } from '../../study/types.js';
import type { VertexJobClient } from './client.js';
import { JOB_STATES_COMPLETE, JOB_STATES_ERROR, VertexJobError, type VertexJob, type VertexJobState } from './job.js';

/** The first wait between two polls of a job, in milliseconds (as the Python SDK's first wait). */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
/** The longest wait between two polls, in milliseconds. */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 60_000;
/** Factor the wait grows by after each poll that saw no change; any change resets it. */
export const POLL_INTERVAL_MULTIPLIER = 1.5;

/**
 * A change seen between two polls of a HyperparameterTuningJob:
 * - `job-state`: the job's state changed (QUEUED, PENDING, RUNNING, SUCCEEDED, FAILED, ...);
 * - `trial-started`: a new trial, with its parameters;
 * - `trial-measurement`: a trial reported a measurement;
 * - `trial-state`: a trial changed state without ending (e.g. STOPPING);
 * - `trial-completed`: a trial ended SUCCEEDED (with its final measurement) or INFEASIBLE (with the reason).
 */
export type VertexJobEvent =
  | { readonly type: 'job-state'; readonly job: VertexJob; readonly previous?: VertexJobState }
  | { readonly type: 'trial-started'; readonly job: VertexJob; readonly trial: FrozenTrial }
  | { readonly type: 'trial-measurement'; readonly job: VertexJob; readonly trial: FrozenTrial; readonly measurement: Measurement }
  | { readonly type: 'trial-state'; readonly job: VertexJob; readonly trial: FrozenTrial; readonly previous: TrialState }
  | { readonly type: 'trial-completed'; readonly job: VertexJob; readonly trial: FrozenTrial };

const TRIAL_DONE: ReadonlySet<TrialState> = new Set(['SUCCEEDED', 'INFEASIBLE']);

/**
 * The events between two snapshots of a job, in the order a reader wants them: a new job state
 * first (unless the job has ended, then last), then each trial's changes in trial order (started,
 * measurements, state, completed). A pure function; `previous` undefined means "nothing seen yet".
 */
export function diffVertexJobs(previous: VertexJob | undefined, next: VertexJob): VertexJobEvent[] {
  const events: VertexJobEvent[] = [];
  const stateChanged = previous?.state !== next.state;
  const ended = JOB_STATES_COMPLETE.has(next.state);
  const jobState: VertexJobEvent = { type: 'job-state', job: next, ...(previous ? { previous: previous.state } : {}) };
  if (stateChanged && !ended) events.push(jobState);
  const before = new Map((previous?.trials ?? []).map((trial) => [trial.id, trial]));
  for (const trial of next.trials) {
    const old = before.get(trial.id);
    if (!old) events.push({ type: 'trial-started', job: next, trial });
    for (const measurement of trial.measurements.slice(old?.measurements.length ?? 0)) {
      events.push({ type: 'trial-measurement', job: next, trial, measurement });
    }
    if (old && old.state !== trial.state && !TRIAL_DONE.has(trial.state)) {
      events.push({ type: 'trial-state', job: next, trial, previous: old.state });
    }
    if (TRIAL_DONE.has(trial.state) && !(old && TRIAL_DONE.has(old.state))) {
      events.push({ type: 'trial-completed', job: next, trial });
    }
  }
  if (stateChanged && ended) events.push(jobState);
  return events;
}

/** Options of {@link watchVertexJob}. */
export interface WatchVertexJobOptions {
  readonly client: Pick<VertexJobClient, 'getJob'>;
  /** The job's resource name. */
  readonly name: string;
  /** The job as last seen (e.g. as created), so what it already showed is not reported again. */
  readonly initial?: VertexJob;
  /** Receives every change, synchronously, in order. */
  readonly onEvent?: (event: VertexJobEvent) => void;
  /** @default {@link DEFAULT_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
  /** @default {@link DEFAULT_MAX_POLL_INTERVAL_MS} */
  readonly maxPollIntervalMs?: number;
  /** Stops watching (the job keeps running): `watchVertexJob` rejects with `WATCH_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Waits between polls; tests pass a fake. @default a timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls a job until it ends, reporting each change as a {@link VertexJobEvent}. The wait starts at
 * `pollIntervalMs`, grows by {@link POLL_INTERVAL_MULTIPLIER} while nothing changes, up to
 * `maxPollIntervalMs`, and drops back when something does. Transient errors of a poll are retried
 * by the client.
 * @returns the job when it SUCCEEDED.
 * @throws VertexJobError as soon as the job is seen in any other final state (FAILED, CANCELLED, EXPIRED,
 * PAUSED, PARTIALLY_SUCCEEDED), with the service's message.
 */
export async function watchVertexJob(options: WatchVertexJobOptions): Promise<VertexJob> {
  const initialInterval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxInterval = Math.max(initialInterval, options.maxPollIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS);
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : undefined));
  let last = options.initial;
  let interval = initialInterval;
  for (;;) {
    if (options.signal?.aborted) throw new HptuneError('WATCH_ABORTED', `stopped watching ${options.name}; the job keeps running`);
    const job = await options.client.getJob(options.name);
    const events = diffVertexJobs(last, job);
    for (const event of events) options.onEvent?.(event);
    last = job;
    if (job.state === 'JOB_STATE_SUCCEEDED') return job;
    if (JOB_STATES_COMPLETE.has(job.state) || JOB_STATES_ERROR.has(job.state)) throw new VertexJobError(job);
    interval = events.length > 0 ? initialInterval : Math.min(maxInterval, interval * POLL_INTERVAL_MULTIPLIER);
    try {
      await sleep(interval, options.signal);
    } catch {
      throw new HptuneError('WATCH_ABORTED', `stopped watching ${options.name}; the job keeps running`);
    }
  }
}
