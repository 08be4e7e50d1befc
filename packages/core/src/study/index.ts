export { bestTrial, finalMetricValue } from './best.js';
export type {
  MeasurementEvent,
  StudyEvents,
  StudyHandle,
  StudyInfo,
  StudyListener,
  StudyResult,
  StudyStoppedEvent,
  StudyWarningEvent,
  TrialEvent,
  TrialTimings,
} from './handle.js';
export { launchStudy, resumeStudy } from './launch.js';
export { listStudies, openStudy, type StoredStudy, type StudyCoordinator, type StudySummary } from './open.js';
export {
  DEFAULT_STUDY_DIR,
  STUDY_STORE_FILE,
  type LaunchStudyOptions,
  type ResumeStudyOptions,
  type StudyBackend,
  type StudyDirOptions,
} from './options.js';
export { coordinatorOverhead, type CoordinatorOverhead, type DurationStats } from './overhead.js';
export { STUDY_NAME_PATTERN } from './validate.js';
