/**
 * The HParams plugin's messages (`HParamsPluginData`, `Experiment`, `SessionStartInfo`, ...) and
 * `google.protobuf.Value`, with the field numbers of TensorBoard's `api.proto` and `plugin_data.proto`.
 * @see https://github.com/tensorflow/tensorboard/blob/master/tensorboard/plugins/hparams/plugin_data.proto
 * @see https://github.com/tensorflow/tensorboard/blob/master/tensorboard/plugins/hparams/api.proto
 */
import { ProtoReader, ProtoWriter, WireType } from './wire.js';

/** A JSON-like value: what a `google.protobuf.Value` holds. */
export type ProtoValue = null | number | string | boolean | readonly ProtoValue[] | { readonly [key: string]: ProtoValue };

/** `tensorboard.hparams.DataType`: a hyperparameter's type. */
export const HParamDataType = { UNSET: 0, STRING: 1, BOOL: 2, FLOAT64: 3 } as const;
/** An `HParamDataType` value. */
export type HParamDataType = (typeof HParamDataType)[keyof typeof HParamDataType];

/** `tensorboard.hparams.Status`: how a session (a trial) ended. */
export const SessionStatusCode = { UNKNOWN: 0, SUCCESS: 1, FAILURE: 2, RUNNING: 3 } as const;
/** A `Status` value. */
export type SessionStatusCode = number;

/** `tensorboard.hparams.DatasetType`: the data a metric is computed on. */
export const DatasetType = { UNKNOWN: 0, TRAINING: 1, VALIDATION: 2 } as const;
/** A `DatasetType` value. */
export type DatasetType = number;

/** `HParamInfo`: one hyperparameter of an experiment, with its domain. */
export interface HParamInfo {
  name: string;
  displayName?: string;
  description?: string;
  type?: HParamDataType;
  /** Every value it can take (`domain_discrete`); exclusive with `domainInterval`. */
  domainDiscrete?: ProtoValue[];
  /** The closed interval it takes values from (`domain_interval`). */
  domainInterval?: { minValue: number; maxValue: number };
}

/** `MetricInfo`: one metric of an experiment, named by the run `group` below a session and its `tag`. */
export interface MetricInfo {
  name: { group?: string; tag: string };
  displayName?: string;
  description?: string;
  datasetType?: DatasetType;
}

/** `Experiment`: the hyperparameters and metrics the HParams dashboard shows. */
export interface Experiment {
  name?: string;
  description?: string;
  user?: string;
  /** Seconds since the Unix epoch. */
  timeCreatedSecs?: number;
  hparamInfos: HParamInfo[];
  metricInfos: MetricInfo[];
}

/** `SessionStartInfo`: one session's (one trial's) hyperparameter values. */
export interface SessionStartInfo {
  hparams: Record<string, ProtoValue>;
  modelUri?: string;
  monitorUrl?: string;
  /** Sessions with the same group name are repeats of one configuration. */
  groupName?: string;
  /** Seconds since the Unix epoch. */
  startTimeSecs?: number;
}

/** `SessionEndInfo`: how and when a session ended. */
export interface SessionEndInfo {
  status: SessionStatusCode;
  /** Seconds since the Unix epoch. */
  endTimeSecs?: number;
}

/** `HParamsPluginData`: the `content` of an HParams summary's metadata; exactly one payload is set. */
export interface HParamsPluginData {
  /** The schema version; TensorBoard accepts 0 only. */
  version: number;
  experiment?: Experiment;
  sessionStartInfo?: SessionStartInfo;
  sessionEndInfo?: SessionEndInfo;
}

/** Encodes an `HParamsPluginData`. */
export function encodeHParamsPluginData(data: HParamsPluginData): Uint8Array {
  const writer = new ProtoWriter().varintIfSet(1, data.version);
  if (data.experiment) writer.bytes(2, encodeExperiment(data.experiment));
  if (data.sessionStartInfo) writer.bytes(3, encodeSessionStartInfo(data.sessionStartInfo));
  if (data.sessionEndInfo) writer.bytes(4, encodeSessionEndInfo(data.sessionEndInfo));
  return writer.finish();
}

function encodeExperiment(experiment: Experiment): Uint8Array {
  const writer = new ProtoWriter()
    .stringIfSet(1, experiment.description)
    .stringIfSet(2, experiment.user)
    .doubleIfSet(3, experiment.timeCreatedSecs);
  for (const info of experiment.hparamInfos) writer.bytes(4, encodeHParamInfo(info));
  for (const info of experiment.metricInfos) writer.bytes(5, encodeMetricInfo(info));
  return writer.stringIfSet(6, experiment.name).finish();
}

function encodeHParamInfo(info: HParamInfo): Uint8Array {
  const writer = new ProtoWriter()
    .stringIfSet(1, info.name)
    .stringIfSet(2, info.displayName)
    .stringIfSet(3, info.description)
    .varintIfSet(4, info.type);
  if (info.domainDiscrete) writer.bytes(5, encodeListValue(info.domainDiscrete));
  if (info.domainInterval) {
    // Both ends are written even when 0: the interval is a oneof member the UI needs whole.
    const interval = new ProtoWriter().double(1, info.domainInterval.minValue).double(2, info.domainInterval.maxValue);
    writer.bytes(6, interval.finish());
  }
  return writer.finish();
}

function encodeMetricInfo(info: MetricInfo): Uint8Array {
  const name = new ProtoWriter().stringIfSet(1, info.name.group).stringIfSet(2, info.name.tag);
  return new ProtoWriter()
    .bytes(1, name.finish())
    .stringIfSet(3, info.displayName)
    .stringIfSet(4, info.description)
    .varintIfSet(5, info.datasetType)
    .finish();
}

function encodeSessionStartInfo(info: SessionStartInfo): Uint8Array {
  const writer = new ProtoWriter();
  for (const [key, value] of Object.entries(info.hparams)) {
    writer.bytes(1, new ProtoWriter().string(1, key).bytes(2, encodeValue(value)).finish());
  }
  return writer
    .stringIfSet(2, info.modelUri)
    .stringIfSet(3, info.monitorUrl)
    .stringIfSet(4, info.groupName)
    .doubleIfSet(5, info.startTimeSecs)
    .finish();
}

function encodeSessionEndInfo(info: SessionEndInfo): Uint8Array {
  return new ProtoWriter().varintIfSet(1, info.status).doubleIfSet(2, info.endTimeSecs).finish();
}

/** Encodes a `google.protobuf.Value` (null, number, string, bool, list or struct). */
export function encodeValue(value: ProtoValue): Uint8Array {
  const writer = new ProtoWriter();
  if (value === null) writer.varint(1, 0);
  else if (typeof value === 'number') writer.double(2, value);
  else if (typeof value === 'string') writer.string(3, value);
  else if (typeof value === 'boolean') writer.bool(4, value);
  else if (isList(value)) writer.bytes(6, encodeListValue(value));
  else {
    const struct = new ProtoWriter();
    for (const [key, field] of Object.entries(value)) {
      struct.bytes(1, new ProtoWriter().string(1, key).bytes(2, encodeValue(field)).finish());
    }
    writer.bytes(5, struct.finish());
  }
  return writer.finish();
}

function encodeListValue(values: readonly ProtoValue[]): Uint8Array {
  const writer = new ProtoWriter();
  for (const value of values) writer.bytes(1, encodeValue(value));
  return writer.finish();
}

function isList(value: ProtoValue): value is readonly ProtoValue[] {
  return Array.isArray(value);
}

/** Decodes an `HParamsPluginData`; throws `ProtoDecodeError` on malformed bytes. */
export function decodeHParamsPluginData(bytes: Uint8Array): HParamsPluginData {
  const data: HParamsPluginData = { version: 0 };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.VARINT) data.version = reader.int64();
    else if (field === 2 && wireType === WireType.LENGTH_DELIMITED) data.experiment = decodeExperiment(reader.bytesField());
    else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) data.sessionStartInfo = decodeSessionStartInfo(reader.bytesField());
    else if (field === 4 && wireType === WireType.LENGTH_DELIMITED) data.sessionEndInfo = decodeSessionEndInfo(reader.bytesField());
    else reader.skip(wireType);
  });
  return data;
}

function decodeExperiment(bytes: Uint8Array): Experiment {
  const experiment: Experiment = { hparamInfos: [], metricInfos: [] };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) experiment.description = reader.string();
    else if (field === 2 && wireType === WireType.LENGTH_DELIMITED) experiment.user = reader.string();
    else if (field === 3 && wireType === WireType.FIXED64) experiment.timeCreatedSecs = reader.double();
    else if (field === 4 && wireType === WireType.LENGTH_DELIMITED) experiment.hparamInfos.push(decodeHParamInfo(reader.bytesField()));
    else if (field === 5 && wireType === WireType.LENGTH_DELIMITED) experiment.metricInfos.push(decodeMetricInfo(reader.bytesField()));
    else if (field === 6 && wireType === WireType.LENGTH_DELIMITED) experiment.name = reader.string();
    else reader.skip(wireType);
  });
  return experiment;
}

function decodeHParamInfo(bytes: Uint8Array): HParamInfo {
  const info: HParamInfo = { name: '' };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) info.name = reader.string();
    else if (field === 2 && wireType === WireType.LENGTH_DELIMITED) info.displayName = reader.string();
    else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) info.description = reader.string();
    else if (field === 4 && wireType === WireType.VARINT) info.type = reader.int64() as HParamDataType;
    else if (field === 5 && wireType === WireType.LENGTH_DELIMITED) info.domainDiscrete = decodeListValue(reader.bytesField());
    else if (field === 6 && wireType === WireType.LENGTH_DELIMITED) {
      const interval = { minValue: 0, maxValue: 0 };
      forEachField(reader.bytesField(), (inner, intervalReader, innerType) => {
        if (inner === 1 && innerType === WireType.FIXED64) interval.minValue = intervalReader.double();
        else if (inner === 2 && innerType === WireType.FIXED64) interval.maxValue = intervalReader.double();
        else intervalReader.skip(innerType);
      });
      info.domainInterval = interval;
    } else reader.skip(wireType);
  });
  return info;
}

function decodeMetricInfo(bytes: Uint8Array): MetricInfo {
  const info: MetricInfo = { name: { tag: '' } };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) {
      forEachField(reader.bytesField(), (inner, nameReader, innerType) => {
        if (inner === 1 && innerType === WireType.LENGTH_DELIMITED) info.name.group = nameReader.string();
        else if (inner === 2 && innerType === WireType.LENGTH_DELIMITED) info.name.tag = nameReader.string();
        else nameReader.skip(innerType);
      });
    } else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) info.displayName = reader.string();
    else if (field === 4 && wireType === WireType.LENGTH_DELIMITED) info.description = reader.string();
    else if (field === 5 && wireType === WireType.VARINT) info.datasetType = reader.int64();
    else reader.skip(wireType);
  });
  return info;
}

function decodeSessionStartInfo(bytes: Uint8Array): SessionStartInfo {
  const info: SessionStartInfo = { hparams: {} };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) {
      const [key, value] = decodeMapEntry(reader.bytesField());
      info.hparams[key] = value;
    } else if (field === 2 && wireType === WireType.LENGTH_DELIMITED) info.modelUri = reader.string();
    else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) info.monitorUrl = reader.string();
    else if (field === 4 && wireType === WireType.LENGTH_DELIMITED) info.groupName = reader.string();
    else if (field === 5 && wireType === WireType.FIXED64) info.startTimeSecs = reader.double();
    else reader.skip(wireType);
  });
  return info;
}

function decodeSessionEndInfo(bytes: Uint8Array): SessionEndInfo {
  const info: SessionEndInfo = { status: SessionStatusCode.UNKNOWN };
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.VARINT) info.status = reader.int64();
    else if (field === 2 && wireType === WireType.FIXED64) info.endTimeSecs = reader.double();
    else reader.skip(wireType);
  });
  return info;
}

/** Decodes a `google.protobuf.Value` into the JSON-like value it holds (a missing kind reads as null). */
export function decodeValue(bytes: Uint8Array): ProtoValue {
  let value: ProtoValue = null;
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.VARINT) {
      reader.uint64();
      value = null;
    } else if (field === 2 && wireType === WireType.FIXED64) value = reader.double();
    else if (field === 3 && wireType === WireType.LENGTH_DELIMITED) value = reader.string();
    else if (field === 4 && wireType === WireType.VARINT) value = reader.bool();
    else if (field === 5 && wireType === WireType.LENGTH_DELIMITED) {
      const struct: Record<string, ProtoValue> = {};
      forEachField(reader.bytesField(), (inner, structReader, innerType) => {
        if (inner === 1 && innerType === WireType.LENGTH_DELIMITED) {
          const [key, entry] = decodeMapEntry(structReader.bytesField());
          struct[key] = entry;
        } else structReader.skip(innerType);
      });
      value = struct;
    } else if (field === 6 && wireType === WireType.LENGTH_DELIMITED) value = decodeListValue(reader.bytesField());
    else reader.skip(wireType);
  });
  return value;
}

function decodeListValue(bytes: Uint8Array): ProtoValue[] {
  const values: ProtoValue[] = [];
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) values.push(decodeValue(reader.bytesField()));
    else reader.skip(wireType);
  });
  return values;
}

function decodeMapEntry(bytes: Uint8Array): [string, ProtoValue] {
  let key = '';
  let value: ProtoValue = null;
  forEachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === WireType.LENGTH_DELIMITED) key = reader.string();
    else if (field === 2 && wireType === WireType.LENGTH_DELIMITED) value = decodeValue(reader.bytesField());
    else reader.skip(wireType);
  });
  return [key, value];
}

function forEachField(bytes: Uint8Array, visit: (field: number, reader: ProtoReader, wireType: number) => void): void {
  const reader = new ProtoReader(bytes);
  for (let header = reader.next(); header; header = reader.next()) visit(header.field, reader, header.wireType);
}
