import { availableParallelism } from 'node:os';
import { ValidationError } from '../../errors.js';
import { SEARCH_ALGORITHMS } from '../../samplers/algorithms.js';
import type { StudyDriver } from '../../study/driver.js';
import type { LocalStudyDetails } from './coordinator.js';
import { launchLocalStudy, resumeLocalStudy } from './driver.js';

/** How often a running trial's metric file is read, in milliseconds. */
export const DEFAULT_METRIC_POLL_INTERVAL_MS = 500;

/** Seconds between SIGTERM and SIGKILL when a trial is stopped (timeout, cancel, too many failures). */
export const DEFAULT_STOP_GRACE_PERIOD_SECONDS = 10;

/** Settings of the local backend: trials as child processes on this machine. */
export interface LocalBackendOptions {
  /** How often a running trial's metric file is read, in milliseconds. @default {@link DEFAULT_METRIC_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
  /** Seconds a stopped trial gets between SIGTERM and SIGKILL; also what processes a trainer left behind get once it exited. @default {@link DEFAULT_STOP_GRACE_PERIOD_SECONDS} */
  readonly stopGracePeriodSeconds?: number;
}

/**
 * The local backend, as `launchStudy`'s `backend` option takes it: its settings, and the driver
 * `launchStudy` and `resumeStudy` call. Studies are stored in SQLite under `studyDir`
 * (`openStudy`, `listStudies`); `handle.backend` holds the study's folder and the coordinator's timings.
 */
export interface LocalBackend extends LocalBackendOptions, StudyDriver<LocalStudyDetails> {
  readonly kind: 'local';
}

/**
 * The local backend: each trial a child process on this machine, the study in SQLite under the
 * study directory. The default backend. Runs `grid`, `random`, `tpe` and `bayesian` (TPE here) search,
 * and samplers users bring (`launchStudy({ sampler })`); trials run at once
 * default to `os.availableParallelism()`.
 * @example launchStudy({ ..., backend: local({ stopGracePeriodSeconds: 30 }) })
 */
export function local(options: LocalBackendOptions = {}): LocalBackend {
  const backend: LocalBackend = {
    ...options,
    kind: 'local',
    algorithms: SEARCH_ALGORITHMS,
    defaultParallelTrials: () => availableParallelism(),
    launch: async (launch) => launchLocalStudy(launch, resolveLocalSettings(backend)),
    resume: async (resume) => resumeLocalStudy(resume, resolveLocalSettings(backend)),
  };
  return backend;
}

/** The local backend's settings with defaults filled in, after checking them. */
function resolveLocalSettings(backend: LocalBackendOptions): Required<LocalBackendOptions> {
  const pollIntervalMs = backend.pollIntervalMs ?? DEFAULT_METRIC_POLL_INTERVAL_MS;
  if (typeof pollIntervalMs !== 'number' || !Number.isFinite(pollIntervalMs) || pollIntervalMs < 10) {
    throw new ValidationError({ field: 'backend.pollIntervalMs', value: backend.pollIntervalMs, problem: 'is not a number of milliseconds of at least 10', fix: `leave it unset for ${DEFAULT_METRIC_POLL_INTERVAL_MS}` });
  }
  const stopGracePeriodSeconds = backend.stopGracePeriodSeconds ?? DEFAULT_STOP_GRACE_PERIOD_SECONDS;
  if (typeof stopGracePeriodSeconds !== 'number' || !Number.isFinite(stopGracePeriodSeconds) || stopGracePeriodSeconds < 0) {
    throw new ValidationError({
      field: 'backend.stopGracePeriodSeconds',
      value: backend.stopGracePeriodSeconds,
      problem: 'is not a non-negative number of seconds',
      fix: `leave it unset for ${DEFAULT_STOP_GRACE_PERIOD_SECONDS}`,
    });
  }
  return { pollIntervalMs, stopGracePeriodSeconds };
}
