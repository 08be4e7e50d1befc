/**
 * `@hptune/core`: search spaces, studies, samplers (`createSampler` and their contract), the trial
 * side of the contract (`reportMetric`) and errors. TensorBoard, blob stores, Vertex AI, the
 * conformance suites and the bare list of search algorithms have their own entries:
 * `@hptune/core/tensorboard`, `/blob`, `/vertex`, `/testing`, `/algorithms`.
 */
export { HptuneError, ValidationError, type ValidationProblem } from './errors.js';
export {
  DEFAULT_METRIC_FILE,
  MAX_METRIC_REPORTS,
  createMetricReporter,
  readMetricFile,
  reportMetric,
  type MetricReport,
  type MetricReportInput,
  type MetricReporter,
  type MetricReporterOptions,
} from './hypertune.js';
export { TRIAL_COMPLETE_FILE, markTrialComplete, type TrialCompletion } from './trial-complete.js';
export type {
  FrozenTrial,
  Measurement,
  MeasurementSelection,
  MetricGoal,
  MetricSpec,
  StudyState,
  StudyBackendKind,
  StudyDefinition,
  TrainerCommand,
  TrialFailure,
  TrialFailureKind,
  TrialState,
} from './study/types.js';
export {
  bestTrial,
  countTrials,
  describeTrialCounts,
  finalMetricValue,
  STUDY_NAME_PATTERN,
  type TrialCounts,
  type MeasurementEvent,
  type StudyEvents,
  type StudyHandle,
  type StudyInfo,
  type StudyListener,
  type StudyResult,
  type StudyStoppedEvent,
  type StudyWarningEvent,
  type TrialEvent,
  type TrialTimings,
} from './study/index.js';
export { launchStudy, resumeStudy, type LaunchStudyOptions, type ResumeStudyOptions, type StudyBackend, type StudyHandleOf } from './launch.js';
export {
  DEFAULT_METRIC_POLL_INTERVAL_MS,
  DEFAULT_STOP_GRACE_PERIOD_SECONDS,
  DEFAULT_STUDY_DIR,
  STUDY_STORE_FILE,
  coordinatorOverhead,
  deleteStudy,
  listStudies,
  local,
  openStudy,
  type CoordinatorOverhead,
  type DeleteStudyOptions,
  type DeletedStudy,
  type DurationStats,
  type LocalBackend,
  type LocalBackendOptions,
  type LocalStudyDetails,
  type StoredStudy,
  type StoredStudyInfo,
  type StudyCoordinator,
  type StudyDirOptions,
  type StudyStatus,
  type StudySummary,
} from './backends/local/index.js';
export type {
  CategoricalParameterSpec,
  ConditionalParameters,
  DiscreteParameterSpec,
  DoubleParameterSpec,
  IntegerParameterSpec,
  ParameterKind,
  ParameterScale,
  ParameterSpec,
  ParameterSpecs,
  ParameterValue,
  SearchSpace,
  TrialParameters,
} from './space/types.js';
export {
  categorical,
  discrete,
  double,
  integer,
  searchSpace,
  type ConditionOptions,
  type ParameterValueOf,
  type ParametersOf,
  type ParametersOfSpecs,
  type ScaleOptions,
} from './space/builder.js';
export { validateSearchSpace, type ValidateSearchSpaceOptions } from './space/validate.js';
export {
  SEARCH_SPACE_JSON_VERSION,
  searchSpaceFromJSON,
  searchSpaceToJSON,
  type ConditionalParametersJSON,
  type ParameterSpecJSON,
  type SearchSpaceJSON,
} from './space/json.js';
export { lenet5SearchSpace, seedSearchSpace } from './space/seed.js';
export { SEARCH_ALGORITHMS, createSampler, type CreateSamplerOptions, type Sampler, type SearchAlgorithm } from './samplers/index.js';
export {
  asha,
  decayCurve,
  median,
  type AshaOptions,
  type AshaStoppingSpec,
  type DecayCurveOptions,
  type DecayCurveStoppingSpec,
  type EarlyStoppingSpec,
  type MedianOptions,
  type MedianStoppingSpec,
  type StoppingContext,
  type StoppingDecision,
  type StoppingRule,
} from './stopping/index.js';
