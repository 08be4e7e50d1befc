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
export {
  DISCRETE_EPSILON,
  MAX_DISCRETE_VALUES,
  METRIC_ID_PATTERN,
  PARAMETER_ID_PATTERN,
  validateSearchSpace,
  type SpaceAlgorithm,
  type ValidateSearchSpaceOptions,
} from './space/validate.js';
export {
  SEARCH_SPACE_JSON_VERSION,
  searchSpaceFromJSON,
  searchSpaceToJSON,
  type ConditionalParametersJSON,
  type ParameterSpecJSON,
  type SearchSpaceJSON,
} from './space/json.js';
export { lenet5SearchSpace, seedSearchSpace } from './space/seed.js';
export { combinationKey, enumerateGrid, gridSize } from './space/grid.js';
export { validateParameters, type ValidateParametersOptions } from './space/parameters.js';
export { createRandom, type Random } from './space/random.js';
export { sampleParameters } from './space/sample.js';
export {
  toVertexStudySpec,
  type VertexAlgorithm,
  type VertexConditionalParameterSpec,
  type VertexMeasurementSelectionType,
  type VertexMetricSpec,
  type VertexParameterSpec,
  type VertexScaleType,
  type VertexStudySpec,
  type VertexStudySpecOptions,
} from './space/vertex.js';
export {
  GRID_TAKEN_STATES,
  SEARCH_ALGORITHMS,
  createGridSampler,
  createRandomSampler,
  createSampler,
  type CreateSamplerOptions,
  type GridSamplerOptions,
  type RandomSamplerOptions,
} from './samplers/index.js';
export type { Sampler, SearchAlgorithm } from './samplers/types.js';
