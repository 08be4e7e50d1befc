export { bestTrial, finalMetricValue } from './best.js';
export { countTrials, describeTrialCounts, type TrialCounts } from './counts.js';
export type { DetailsOf, DriverLaunch, DriverResume, ExtraEventsOf, StudyDriver, StudyEventSink, StudyExecution, StudyOutcome } from './driver.js';
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
export { STUDY_NAME_PATTERN } from './validate.js';
