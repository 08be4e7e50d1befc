export { HptuneError, ValidationError, formatValue, type ValidationProblem } from './errors.js';
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
export type {
  FrozenTrial,
  Measurement,
  MetricGoal,
  MetricSpec,
  StudyState,
  TrainerCommand,
  TrialFailure,
  TrialState,
} from './study/types.js';
export type {
  CategoricalParameterSpec,
  ConditionalParameters,
  DiscreteParameterSpec,
  DoubleParameterSpec,
  IntegerParameterSpec,
  ParameterScale,
  ParameterSpec,
  ParameterValue,
  TrialParameters,
} from './space/types.js';
export type { Sampler, SearchAlgorithm } from './samplers/types.js';
