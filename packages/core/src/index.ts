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
export {
  DEFAULT_FLUSH_BYTES,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_PENDING_BYTES,
  EVENT_FILE_VERSION,
  SummaryWriter,
  TensorBoardWriteError,
  eventFileName,
  flushAllSummaryWriters,
  isEventFileName,
  rollSummaryWriters,
  type EventFileNameParts,
  type SummaryWriterOptions,
  type SummaryWriterStatus,
  type TensorBoardWriteOperation,
} from './tensorboard/event-writer.js';
export {
  DEFAULT_HISTOGRAM_BUCKETS,
  MAX_HISTOGRAM_BUCKETS,
  PluginName,
  histogramBuckets,
  histogramValue,
  imageValue,
  scalarValue,
  textValue,
  type HistogramBucket,
  type HistogramOptions,
  type SummaryOptions,
} from './tensorboard/summaries.js';
export { encodePng, type ImageInput, type PngImage, type RawImage } from './tensorboard/png.js';
export {
  HPARAMS_EXPERIMENT_TAG,
  HPARAMS_SESSION_END_TAG,
  HPARAMS_SESSION_START_TAG,
  MAX_DISCRETE_INTEGER_VALUES,
  hparamsExperiment,
  hparamsExperimentValue,
  hparamsSessionEndValue,
  hparamsSessionStartValue,
  writeHParamsExperiment,
  writeHParamsSessionEnd,
  writeHParamsSessionStart,
  type HParamsDestination,
  type HParamsExperimentOptions,
  type HParamsMetric,
  type HParamsSessionEndOptions,
  type HParamsSessionStartOptions,
  type HParamsSessionStatus,
} from './tensorboard/hparams.js';
export {
  readEventFile,
  readLogDir,
  summaryPoints,
  type EventFileContents,
  type EventRecord,
  type LogDirContents,
  type ReadOptions,
  type RunContents,
  type SummaryPayload,
  type SummaryPoint,
  type SummaryPointBase,
} from './tensorboard/reader.js';
export {
  inspectLogDir,
  type LogDirInspection,
  type RunInspection,
  type SessionInspection,
  type TagInspection,
} from './tensorboard/inspect.js';
export {
  CorruptRecordError,
  RECORD_OVERHEAD_BYTES,
  encodeRecord,
  maskedCrc32c,
  scanRecords,
  type RecordCorruption,
  type RecordScan,
  type TfRecord,
} from './tensorboard/records.js';
export {
  DataClass,
  TensorDataType,
  decodeEvent,
  encodeEvent,
  type Summary,
  type SummaryMetadata,
  type SummaryValue,
  type TensorBoardEventProto,
  type TensorProto,
} from './tensorboard/proto/tensorboard.js';
export type { Experiment, HParamInfo, HParamsPluginData, MetricInfo, ProtoValue } from './tensorboard/proto/hparams.js';
export { ProtoDecodeError } from './tensorboard/proto/wire.js';
