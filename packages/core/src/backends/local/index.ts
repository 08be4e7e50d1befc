/**
 * `@hptune/core/local`: the local backend's internals, for tools built on its files (benchmarks,
 * fault campaigns, the CLI's messages): where a study directory keeps its store, the coordinator's
 * defaults and timings, and how a trial process is started. A study author needs only `local` and
 * `openStudy`/`listStudies`, from `@hptune/core`.
 */
export { local, type LocalBackend } from './backend.js';
export type { LocalStudyDetails } from './coordinator.js';
export { trialArguments, trialEnvironment, trialPaths, type TrialPaths } from './contract.js';
export { deleteStudy, type DeleteStudyOptions, type DeletedStudy } from './delete.js';
export { listStudies, openStudy, type StoredStudy, type StoredStudyInfo, type StudyCoordinator, type StudyDirOptions, type StudyStatus, type StudySummary } from './open.js';
export { coordinatorOverhead, type CoordinatorOverhead, type DurationStats } from './overhead.js';
export {
  DEFAULT_METRIC_POLL_INTERVAL_MS,
  DEFAULT_STOP_GRACE_PERIOD_SECONDS,
  DEFAULT_STUDY_DIR,
  STUDY_STORE_FILE,
  type LocalBackendOptions,
} from './settings.js';
