import { availableParallelism } from 'node:os';
import { SEARCH_ALGORITHMS } from '../../algorithms.js';
import type { StudyDriver } from '../../study/driver.js';
import type { LocalStudyDetails } from './coordinator.js';
import { launchLocalStudy, resumeLocalStudy } from './driver.js';
import { resolveLocalSettings, type LocalBackendOptions } from './settings.js';

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
 * study directory. The default backend. Runs `grid`, `random`, `tpe`, `gp` and `bayesian` (the GP sampler here) search,
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
