/**
 * `@hptune/outputs/tensorboard` (also `@hptune/core/tensorboard`): TensorBoard event files written, read and inspected, the HParams
 * plugin's records, and the syncer that mirrors a log directory to a bucket.
 * @see https://www.tensorflow.org/tensorboard
 */
export {
  DEFAULT_FLUSH_BYTES,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_PENDING_BYTES,
  SummaryWriter,
  TensorBoardWriteError,
  flushAllSummaryWriters,
  rollSummaryWriters,
  type SummaryWriterOptions,
  type SummaryWriterStatus,
  type TensorBoardWriteOperation,
} from './event-writer.js';
export {
  DEFAULT_HISTOGRAM_BUCKETS,
  MAX_HISTOGRAM_BUCKETS,
  PluginName,
  histogramValue,
  imageValue,
  scalarValue,
  textValue,
  type HistogramBucket,
  type HistogramOptions,
  type SummaryOptions,
} from './summaries.js';
export { encodePng, type ImageInput, type PngImage, type RawImage } from './png.js';
export {
  HPARAMS_EXPERIMENT_TAG,
  HPARAMS_SESSION_END_TAG,
  HPARAMS_SESSION_START_TAG,
  writeHParamsExperiment,
  writeHParamsSessionEnd,
  writeHParamsSessionStart,
  type HParamsDestination,
  type HParamsExperimentOptions,
  type HParamsMetric,
  type HParamsSessionEndOptions,
  type HParamsSessionStartOptions,
  type HParamsSessionStatus,
  type RecordedHParamValue,
} from './hparams.js';
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
} from './reader.js';
export { CorruptRecordError, type RecordCorruption } from './records.js';
export {
  DataClass,
  TensorDataType,
  type Summary,
  type SummaryMetadata,
  type SummaryValue,
  type TensorBoardEventProto,
  type TensorProto,
} from './proto/tensorboard.js';
export type { Experiment, HParamInfo, HParamsPluginData, MetricInfo, ProtoValue } from './proto/hparams.js';
export {
  inspectLogDir,
  type LogDirInspection,
  type RunInspection,
  type SessionInspection,
  type TagInspection,
} from './inspect.js';
export {
  DEFAULT_SIGNAL_GRACE_MS,
  DEFAULT_SYNC_INTERVAL_MS,
  TensorBoardSyncer,
  formatSyncReport,
  type SyncMismatch,
  type SyncReport,
  type SyncRound,
  type SyncWarning,
  type SyncWarningCode,
  type SyncerState,
  type TensorBoardSyncerOptions,
} from './syncer.js';
