/**
 * TensorBoard's core messages (`Event`, `Summary`, `SummaryMetadata`, `TensorProto`), encoded
 * and decoded by hand with the field numbers of TensorBoard's published `.proto` files.
 * @see https://github.com/tensorflow/tensorboard/tree/master/tensorboard/compat/proto
 */
import { ProtoDecodeError, ProtoReader, ProtoWriter, WireType } from './wire.js';

/** A tensor's element type, as TensorFlow's `DataType` enum numbers it (the ones hptune uses). */
export const TensorDataType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_STRING: 7,
  DT_INT64: 9,
  DT_BOOL: 10,
} as const;
/** A `DataType` enum value; other values read from files keep their number. */
export type TensorDataType = number;

/**
 * What kind of time series a tag is, telling TensorBoard's data providers how to read it.
 * @see https://github.com/tensorflow/tensorboard/blob/master/tensorboard/compat/proto/summary.proto
 */
export const DataClass = { UNKNOWN: 0, SCALAR: 1, TENSOR: 2, BLOB_SEQUENCE: 3 } as const;
/** A `DataClass` enum value. */
export type DataClass = number;

/** `TensorProto`: a tensor's type, shape and values (only the fields TensorBoard's summaries use). */
export interface TensorProto {
  /** The element type, a {@link TensorDataType} value. */
  dtype: TensorDataType;
  /** The size of each dimension; `[]` for a scalar (rank 0). */
  shape: number[];
  /** Raw little-endian element bytes, an alternative to the typed `…Val` lists. */
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  int64Val?: number[];
  stringVal?: Uint8Array[];
  boolVal?: boolean[];
}

/** `SummaryMetadata`: which plugin reads a tag, and how. */
export interface SummaryMetadata {
  /** The plugin that reads the tag, and its own serialized metadata (`content`), if any. */
  pluginData?: { pluginName: string; content?: Uint8Array };
  displayName?: string;
  summaryDescription?: string;
  dataClass?: DataClass;
}

/** `Summary.Value`: one tagged value. Legacy `image`, `histo` and `audio` values are not decoded. */
export interface SummaryValue {
  tag: string;
  metadata?: SummaryMetadata;
  /** The legacy scalar form (`tf.compat.v1` and tfjs-node write it). */
  simpleValue?: number;
  tensor?: TensorProto;
  /** The field number of a `value` member this decoder does not read (e.g. 4 for a legacy image). */
  otherValueField?: number;
}

/** `Summary`: the values logged at one step. */
export interface Summary {
  value: SummaryValue[];
}

/** `Event`: one record of an event file. */
export interface TensorBoardEventProto {
  /** Seconds since the Unix epoch, with a fraction. */
  wallTime: number;
  /** The training step (int64 on the wire). */
  step: number;
  /** Set on a file's first event: `brain.Event:2`. */
  fileVersion?: string;
  summary?: Summary;
  /** `source_metadata.writer`: the program that wrote the file. */
  sourceWriter?: string;
  /** The field number of a `what` member this decoder does not read (a graph, a session log...). */
  otherWhatField?: number;
}

/** Encodes an `Event`. */
export function encodeEvent(event: TensorBoardEventProto): Uint8Array {
  const writer = new ProtoWriter().doubleIfSet(1, event.wallTime).varintIfSet(2, event.step);
  if (event.fileVersion !== undefined) writer.string(3, event.fileVersion);
  if (event.summary !== undefined) writer.bytes(5, encodeSummary(event.summary));
  if (event.sourceWriter !== undefined) writer.bytes(10, new ProtoWriter().string(1, event.sourceWriter).finish());
  return writer.finish();
}

/** Encodes a `Summary`. */
export function encodeSummary(summary: Summary): Uint8Array {
  const writer = new ProtoWriter();
  for (const value of summary.value) writer.bytes(1, encodeSummaryValue(value));
  return writer.finish();
}

/** Encodes a `Summary.Value`. */
export function encodeSummaryValue(value: SummaryValue): Uint8Array {
  const writer = new ProtoWriter().stringIfSet(1, value.tag);
  if (value.simpleValue !== undefined) writer.float(2, value.simpleValue);
  if (value.tensor !== undefined) writer.bytes(8, encodeTensor(value.tensor));
  if (value.metadata !== undefined) writer.bytes(9, encodeSummaryMetadata(value.metadata));
  return writer.finish();
}

/** Encodes a `SummaryMetadata`. */
export function encodeSummaryMetadata(metadata: SummaryMetadata): Uint8Array {
  const writer = new ProtoWriter();
  if (metadata.pluginData !== undefined) {
    const plugin = new ProtoWriter()
      .stringIfSet(1, metadata.pluginData.pluginName)
      .bytesIfSet(2, metadata.pluginData.content);
    writer.bytes(1, plugin.finish());
  }
  return writer
    .stringIfSet(2, metadata.displayName)
    .stringIfSet(3, metadata.summaryDescription)
    .varintIfSet(4, metadata.dataClass)
    .finish();
}

/** Encodes a `TensorProto`; the shape is always written, so a scalar carries an empty shape. */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  const shape = new ProtoWriter();
  for (const size of tensor.shape) shape.bytes(2, new ProtoWriter().varintIfSet(1, size).finish());
  const writer = new ProtoWriter().varintIfSet(1, tensor.dtype).bytes(2, shape.finish());
  writer.bytesIfSet(4, tensor.tensorContent);
  if (tensor.floatVal) writer.packedFloats(5, tensor.floatVal);
  if (tensor.doubleVal) writer.packedDoubles(6, tensor.doubleVal);
  if (tensor.intVal) writer.packedVarints(7, tensor.intVal);
  for (const bytes of tensor.stringVal ?? []) writer.bytes(8, bytes);
  if (tensor.int64Val) writer.packedVarints(10, tensor.int64Val);
  if (tensor.boolVal) writer.packedVarints(11, tensor.boolVal.map(Number));
  return writer.finish();
}

/** Decodes an `Event`; throws {@link ProtoDecodeError} on malformed bytes. */
export function decodeEvent(bytes: Uint8Array): TensorBoardEventProto {
  const reader = new ProtoReader(bytes);
  const event: TensorBoardEventProto = { wallTime: 0, step: 0 };
  for (let header = reader.next(); header; header = reader.next()) {
    switch (header.field) {
      case 1:
        reader.expect(header, WireType.FIXED64, 'Event.wall_time');
        event.wallTime = reader.double();
        break;
      case 2:
        reader.expect(header, WireType.VARINT, 'Event.step');
        event.step = reader.int64();
        break;
      case 3:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Event.file_version');
        event.fileVersion = reader.string();
        break;
      case 5:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Event.summary');
        event.summary = decodeSummary(reader.bytesField());
        break;
      case 10:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Event.source_metadata');
        event.sourceWriter = decodeStringField(reader.bytesField(), 1);
        break;
      default:
        if (header.field >= 4 && header.field <= 9) event.otherWhatField = header.field;
        reader.skip(header.wireType);
    }
  }
  return event;
}

/** Decodes a `Summary`. */
export function decodeSummary(bytes: Uint8Array): Summary {
  const reader = new ProtoReader(bytes);
  const summary: Summary = { value: [] };
  for (let header = reader.next(); header; header = reader.next()) {
    if (header.field === 1) {
      reader.expect(header, WireType.LENGTH_DELIMITED, 'Summary.value');
      summary.value.push(decodeSummaryValue(reader.bytesField()));
    } else {
      reader.skip(header.wireType);
    }
  }
  return summary;
}

/** Decodes a `Summary.Value`. */
export function decodeSummaryValue(bytes: Uint8Array): SummaryValue {
  const reader = new ProtoReader(bytes);
  const value: SummaryValue = { tag: '' };
  for (let header = reader.next(); header; header = reader.next()) {
    switch (header.field) {
      case 1:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Summary.Value.tag');
        value.tag = reader.string();
        break;
      case 2:
        reader.expect(header, WireType.FIXED32, 'Summary.Value.simple_value');
        value.simpleValue = reader.float();
        break;
      case 8:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Summary.Value.tensor');
        value.tensor = decodeTensor(reader.bytesField());
        break;
      case 9:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'Summary.Value.metadata');
        value.metadata = decodeSummaryMetadata(reader.bytesField());
        break;
      default:
        if (header.field >= 3 && header.field <= 6) value.otherValueField = header.field;
        reader.skip(header.wireType);
    }
  }
  return value;
}

/** Decodes a `SummaryMetadata`. */
export function decodeSummaryMetadata(bytes: Uint8Array): SummaryMetadata {
  const reader = new ProtoReader(bytes);
  const metadata: SummaryMetadata = {};
  for (let header = reader.next(); header; header = reader.next()) {
    switch (header.field) {
      case 1: {
        reader.expect(header, WireType.LENGTH_DELIMITED, 'SummaryMetadata.plugin_data');
        const plugin = new ProtoReader(reader.bytesField());
        const pluginData: { pluginName: string; content?: Uint8Array } = { pluginName: '' };
        for (let inner = plugin.next(); inner; inner = plugin.next()) {
          if (inner.field === 1 && inner.wireType === WireType.LENGTH_DELIMITED) pluginData.pluginName = plugin.string();
          else if (inner.field === 2 && inner.wireType === WireType.LENGTH_DELIMITED) pluginData.content = plugin.bytesField();
          else plugin.skip(inner.wireType);
        }
        metadata.pluginData = pluginData;
        break;
      }
      case 2:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'SummaryMetadata.display_name');
        metadata.displayName = reader.string();
        break;
      case 3:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'SummaryMetadata.summary_description');
        metadata.summaryDescription = reader.string();
        break;
      case 4:
        reader.expect(header, WireType.VARINT, 'SummaryMetadata.data_class');
        metadata.dataClass = reader.int64();
        break;
      default:
        reader.skip(header.wireType);
    }
  }
  return metadata;
}

/** Decodes a `TensorProto` (packed and unpacked repeated fields alike). */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  const reader = new ProtoReader(bytes);
  const tensor: TensorProto = { dtype: TensorDataType.DT_INVALID, shape: [] };
  for (let header = reader.next(); header; header = reader.next()) {
    switch (header.field) {
      case 1:
        reader.expect(header, WireType.VARINT, 'TensorProto.dtype');
        tensor.dtype = reader.int64();
        break;
      case 2:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'TensorProto.tensor_shape');
        tensor.shape = decodeShape(reader.bytesField());
        break;
      case 4:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'TensorProto.tensor_content');
        tensor.tensorContent = reader.bytesField();
        break;
      case 5:
        reader.floats(header.wireType, (tensor.floatVal ??= []));
        break;
      case 6:
        reader.doubles(header.wireType, (tensor.doubleVal ??= []));
        break;
      case 7:
        reader.varints(header.wireType, (tensor.intVal ??= []));
        break;
      case 8:
        reader.expect(header, WireType.LENGTH_DELIMITED, 'TensorProto.string_val');
        (tensor.stringVal ??= []).push(reader.bytesField());
        break;
      case 10:
        reader.varints(header.wireType, (tensor.int64Val ??= []));
        break;
      case 11: {
        const flags: number[] = [];
        reader.varints(header.wireType, flags);
        (tensor.boolVal ??= []).push(...flags.map((flag) => flag !== 0));
        break;
      }
      default:
        reader.skip(header.wireType);
    }
  }
  return tensor;
}

function decodeShape(bytes: Uint8Array): number[] {
  const reader = new ProtoReader(bytes);
  const shape: number[] = [];
  for (let header = reader.next(); header; header = reader.next()) {
    if (header.field === 2 && header.wireType === WireType.LENGTH_DELIMITED) {
      const dim = new ProtoReader(reader.bytesField());
      let size = 0;
      for (let inner = dim.next(); inner; inner = dim.next()) {
        if (inner.field === 1 && inner.wireType === WireType.VARINT) size = dim.int64();
        else dim.skip(inner.wireType);
      }
      shape.push(size);
    } else {
      reader.skip(header.wireType);
    }
  }
  return shape;
}

function decodeStringField(bytes: Uint8Array, field: number): string | undefined {
  const reader = new ProtoReader(bytes);
  let result: string | undefined;
  for (let header = reader.next(); header; header = reader.next()) {
    if (header.field === field && header.wireType === WireType.LENGTH_DELIMITED) result = reader.string();
    else reader.skip(header.wireType);
  }
  return result;
}

/**
 * A numeric tensor's elements as numbers, whichever representation holds them (typed lists or
 * little-endian `tensor_content`). A single listed value fills the whole shape, as TensorFlow's
 * version-0 tensors mean it.
 */
export function tensorNumbers(tensor: TensorProto): number[] {
  const count = tensor.shape.reduce((product, size) => product * size, 1);
  const content = tensor.tensorContent;
  if (content && content.length > 0) return numbersFromContent(tensor.dtype, content);
  const listed =
    tensor.floatVal ?? tensor.doubleVal ?? tensor.intVal ?? tensor.int64Val ?? tensor.boolVal?.map(Number) ?? [];
  if (listed.length === 1 && count > 1) return new Array<number>(count).fill(listed[0] as number);
  return listed;
}

function numbersFromContent(dtype: TensorDataType, content: Uint8Array): number[] {
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const read: Record<number, [number, (offset: number) => number]> = {
    [TensorDataType.DT_FLOAT]: [4, (offset) => view.getFloat32(offset, true)],
    [TensorDataType.DT_DOUBLE]: [8, (offset) => view.getFloat64(offset, true)],
    [TensorDataType.DT_INT32]: [4, (offset) => view.getInt32(offset, true)],
    [TensorDataType.DT_UINT8]: [1, (offset) => view.getUint8(offset)],
    [TensorDataType.DT_INT64]: [8, (offset) => Number(view.getBigInt64(offset, true))],
    [TensorDataType.DT_BOOL]: [1, (offset) => view.getUint8(offset)],
  };
  const reader = read[dtype];
  if (!reader) throw new ProtoDecodeError(`tensor_content of dtype ${dtype} is not numeric`, 0);
  const [width, get] = reader;
  if (content.length % width !== 0) {
    throw new ProtoDecodeError(`tensor_content of ${content.length} bytes is not a whole number of ${width}-byte elements`, 0);
  }
  const values: number[] = [];
  for (let offset = 0; offset < content.length; offset += width) values.push(get(offset));
  return values;
}
