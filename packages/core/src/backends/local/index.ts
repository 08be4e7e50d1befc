export {
  DEFAULT_METRIC_POLL_INTERVAL_MS,
  DEFAULT_STOP_GRACE_PERIOD_SECONDS,
  local,
  type LocalBackend,
  type LocalBackendOptions,
} from './backend.js';
export type { LocalStudyDetails } from './coordinator.js';
export { trialArguments, trialEnvironment, trialPaths, type TrialPaths } from './contract.js';
export { deleteStudy, type DeleteStudyOptions, type DeletedStudy } from './delete.js';
export { listStudies, openStudy, type StoredStudy, type StoredStudyInfo, type StudyCoordinator, type StudyDirOptions, type StudyStatus, type StudySummary } from './open.js';
export { coordinatorOverhead, type CoordinatorOverhead, type DurationStats } from './overhead.js';
export { DEFAULT_STUDY_DIR, STUDY_STORE_FILE } from './settings.js';
