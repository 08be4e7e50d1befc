/**
 * Summary values in the form TensorBoard 2.x's plugins read: a tensor plus, on a tag's first
 * value in a file, metadata naming the plugin and the data class.
 * @see https://github.com/tensorflow/tensorboard/blob/master/tensorboard/dataclass_compat.py
 */
import { ValidationError } from '@hptune/trial';
import { toEncodedImage, type ImageInput } from './png.js';
import { DataClass, TensorDataType, type SummaryMetadata, type SummaryValue, type TensorProto } from './proto/tensorboard.js';

/** The TensorBoard plugins hptune writes for. */
export const PluginName = {
  SCALARS: 'scalars',
  HISTOGRAMS: 'histograms',
  IMAGES: 'images',
  TEXT: 'text',
  HPARAMS: 'hparams',
} as const;

/** Buckets of a histogram when none are asked for, as TensorBoard's own summary. @default 30 */
export const DEFAULT_HISTOGRAM_BUCKETS = 30;

/** The most buckets a histogram may have. */
export const MAX_HISTOGRAM_BUCKETS = 10_000;

/** What every summary may carry besides its data. */
export interface SummaryOptions {
  /** A longer description shown in TensorBoard's tooltip; Markdown. */
  description?: string;
  /** A name shown instead of the tag. */
  displayName?: string;
}

/** Options of a histogram summary. */
export interface HistogramOptions extends SummaryOptions {
  /** How many equal-width buckets span [min, max]. @default {@link DEFAULT_HISTOGRAM_BUCKETS} */
  buckets?: number;
}

/** One histogram bucket: `[left edge, right edge, count]`, a row of TensorBoard's `[k, 3]` tensor. */
export type HistogramBucket = readonly [left: number, right: number, count: number];

/** A scalar: a rank-0 `DT_FLOAT` tensor, plugin `scalars`, data class SCALAR. */
export function scalarValue(tag: string, value: number, options: SummaryOptions = {}): SummaryValue {
  checkTag(tag);
  if (typeof value !== 'number') {
    throw new ValidationError({ field: `scalar ${tag}`, value, problem: 'is not a number', fix: 'pass a number (NaN and Infinity are recorded as such)' });
  }
  return {
    tag,
    metadata: metadata(PluginName.SCALARS, DataClass.SCALAR, options),
    tensor: { dtype: TensorDataType.DT_FLOAT, shape: [], floatVal: [value] },
  };
}

/**
 * A histogram: a `[k, 3]` `DT_DOUBLE` tensor of left edge, right edge and count per bucket,
 * plugin `histograms`, data class TENSOR. Non-finite values (NaN, ±Infinity) are left out.
 */
export function histogramValue(tag: string, values: ArrayLike<number>, options: HistogramOptions = {}): SummaryValue {
  checkTag(tag);
  const buckets = histogramBuckets(values, options.buckets ?? DEFAULT_HISTOGRAM_BUCKETS);
  return {
    tag,
    metadata: metadata(PluginName.HISTOGRAMS, DataClass.TENSOR, options),
    tensor: { dtype: TensorDataType.DT_DOUBLE, shape: [buckets.length, 3], doubleVal: buckets.flat() },
  };
}

/**
 * Groups values into `bucketCount` equal-width buckets over [min, max], as TensorBoard's
 * `histogram` summary does: with no data every bucket is `[0, 0, 0]`; when all values are equal
 * every bucket has that value as both edges and the last holds the count.
 */
export function histogramBuckets(values: ArrayLike<number>, bucketCount: number = DEFAULT_HISTOGRAM_BUCKETS): HistogramBucket[] {
  if (!Number.isInteger(bucketCount) || bucketCount < 1 || bucketCount > MAX_HISTOGRAM_BUCKETS) {
    throw new ValidationError({ field: 'buckets', value: bucketCount, problem: `must be a whole number from 1 to ${MAX_HISTOGRAM_BUCKETS}`, fix: `pass e.g. ${DEFAULT_HISTOGRAM_BUCKETS}` });
  }
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as number;
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
    count++;
  }
  if (count === 0) return Array.from({ length: bucketCount }, () => [0, 0, 0] as const);
  if (min === max) {
    return Array.from({ length: bucketCount }, (_, index) => [min, max, index === bucketCount - 1 ? count : 0] as const);
  }
  const width = (max - min) / bucketCount;
  const counts = new Array<number>(bucketCount).fill(0);
  for (let index = 0; index < values.length; index++) {
    const value = values[index] as number;
    if (!Number.isFinite(value)) continue;
    const bucket = Math.min(Math.floor((value - min) / width), bucketCount - 1);
    counts[bucket] = (counts[bucket] as number) + 1;
  }
  return counts.map((bucketCountValue, index) => [
    min + width * index,
    index === bucketCount - 1 ? max : min + width * (index + 1),
    bucketCountValue,
  ] as const);
}

/**
 * Images: a rank-1 `DT_STRING` tensor `[width, height, png, png, ...]` (width and height as
 * decimal strings), plugin `images`, data class BLOB_SEQUENCE, as TensorBoard's `image` summary
 * writes them. All images of one value share the first image's size in TensorBoard's eyes.
 */
export function imageValue(tag: string, images: ImageInput | readonly ImageInput[], options: SummaryOptions = {}): SummaryValue {
  checkTag(tag);
  const list = Array.isArray(images) ? (images as readonly ImageInput[]) : [images as ImageInput];
  if (list.length === 0) {
    throw new ValidationError({ field: `image ${tag}`, value: [], problem: 'holds no image', fix: 'pass at least one image' });
  }
  const encoded = list.map((image, index) => toEncodedImage(image, list.length === 1 ? `image ${tag}` : `image ${tag}[${index}]`));
  const first = encoded[0] as (typeof encoded)[number];
  const text = new TextEncoder();
  return {
    tag,
    metadata: metadata(PluginName.IMAGES, DataClass.BLOB_SEQUENCE, options),
    tensor: {
      dtype: TensorDataType.DT_STRING,
      shape: [encoded.length + 2],
      stringVal: [text.encode(String(first.width)), text.encode(String(first.height)), ...encoded.map((image) => image.png)],
    },
  };
}

/** Text (Markdown): a rank-0 `DT_STRING` tensor, plugin `text`, data class TENSOR. */
export function textValue(tag: string, text: string, options: SummaryOptions = {}): SummaryValue {
  checkTag(tag);
  return {
    tag,
    metadata: metadata(PluginName.TEXT, DataClass.TENSOR, options),
    tensor: { dtype: TensorDataType.DT_STRING, shape: [], stringVal: [new TextEncoder().encode(text)] },
  };
}

/**
 * The tensor TensorBoard stores with summaries that hold only metadata (the HParams ones):
 * an empty `DT_FLOAT` vector.
 */
export function nullTensor(): TensorProto {
  return { dtype: TensorDataType.DT_FLOAT, shape: [0] };
}

/** Rejects a tag TensorBoard could not show: it must be a non-empty string. */
export function checkTag(tag: string): void {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new ValidationError({ field: 'tag', value: tag, problem: 'must be a non-empty string', fix: "name the series, e.g. 'train/loss'" });
  }
}

function metadata(pluginName: string, dataClass: DataClass, options: SummaryOptions): SummaryMetadata {
  return {
    pluginData: { pluginName },
    dataClass,
    ...(options.displayName ? { displayName: options.displayName } : {}),
    ...(options.description ? { summaryDescription: options.description } : {}),
  };
}
