/**
 * `@hptune/core`: the study author's entry: search spaces, studies on the local backend, samplers
 * (`createSampler` and their contract), early-stopping rules and errors. Other audiences have their
 * own entries: the local backend's internals (`@hptune/core/local`), TensorBoard, blob stores,
 * Vertex AI, the conformance suites and the bare list of search algorithms (`/tensorboard`,
 * `/blob`, `/vertex`, `/testing`, `/algorithms`). A process running one trial imports
 * `@hptune/trial` (`reportMetric`, `markTrialComplete`); the seed study's space is the trainer's
 * (`seedSearchSpace` in `@hptune/trainer`).
 */
export { HptuneError, ValidationError, type ValidationProblem } from './errors.js';
export type {
  FrozenTrial,
  Measurement,
  MeasurementSelection,
  MetricGoal,
  MetricSpec,
  StudyState,
  StudyBackendKind,
  TrainerCommand,
  TrialFailure,
  TrialFailureKind,
  TrialState,
  TrialSummary,
} from './study/types.js';
export type { StudyDefinition } from './study/definition.js';
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
  deleteStudy,
  listStudies,
  local,
  openStudy,
  type DeleteStudyOptions,
  type DeletedStudy,
  type LocalBackend,
  type LocalBackendOptions,
  type LocalStudyDetails,
  type StoredStudy,
  type StoredStudyInfo,
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
export { SEARCH_ALGORITHMS, createSampler, type CreateSamplerOptions, type Sampler, type SearchAlgorithm } from './samplers/index.js';
export {
  EARLY_STOPPING_KINDS,
  asha,
  decayCurve,
  hyperband,
  median,
  stoppingRuleFromSpec,
  type AshaOptions,
  type AshaStoppingSpec,
  type DecayCurveOptions,
  type DecayCurveStoppingSpec,
  type EarlyStoppingKind,
  type EarlyStoppingSpec,
  type HyperbandOptions,
  type HyperbandStoppingSpec,
  type MedianOptions,
  type MedianStoppingSpec,
  type StoppingContext,
  type StoppingDecision,
  type StoppingRule,
} from './stopping/index.js';
