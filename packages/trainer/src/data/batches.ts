import type { ImageSet } from './mnist.js';

/** One batch, ready to become tensors: pixel values, the factor that scales them to the model's input, and one-hot labels. */
export interface Batch {
  /** Images in the batch (the last batch of an epoch may be smaller). */
  readonly size: number;
  /**
   * `size * rows * columns` pixel values, image after image (NHWC with one channel); the model's
   * input is each value times `pixelScale`.
   */
  readonly images: Float32Array;
  /**
   * What the model's input is `images` times: {@link PIXEL_SCALE} for batches of raw 0-255 bytes
   * ({@link batchesOf}), 1 for values already in [0, 1]. The product is taken in the graph (in the
   * training step, folded into the model's first rescaling), not by a JavaScript loop over every
   * pixel (about 1% of a batch-32 epoch).
   */
  readonly pixelScale: number;
  /** `size * classes` values: 1 at each image's label, 0 elsewhere. */
  readonly oneHotLabels: Float32Array;
}

/** Options of {@link batchesOf}. */
export interface BatchOptions {
  /** Images per batch. */
  batchSize: number;
  /** Number of classes for the one-hot labels. @default 10 */
  classes?: number;
  /** The order to visit images in, e.g. a seeded permutation. @default file order */
  order?: Uint32Array;
  /**
   * Fill the same two arrays for every full batch instead of new ones: no allocation per batch (a
   * training epoch of batch 64 otherwise allocates about 190 MB of arrays for the collector). Each
   * batch is then valid only until the next one is asked for: for a consumer that copies it
   * first, as making tensors of it does. @default false
   */
  reuseArrays?: boolean;
}

/** The number of batches {@link batchesOf} yields for `count` images. */
export function batchCount(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/**
 * Cuts an image set into batches in `order`. Each batch is two typed arrays filled straight
 * from the bytes, no intermediate JS arrays: new ones per batch, or with `reuseArrays` the same
 * ones for every full batch. Pixels stay 0-255 with `pixelScale` {@link PIXEL_SCALE}.
 */
export function* batchesOf(set: ImageSet, options: BatchOptions): Generator<Batch> {
  const classes = options.classes ?? 10;
  const pixels = set.rows * set.columns;
  // A Buffer (how the IDX files are read) indexes more slowly in the hot loop than a plain view of its bytes.
  const bytes = new Uint8Array(set.images.buffer, set.images.byteOffset, set.images.byteLength);
  let reused: Batch | undefined;
  for (let start = 0; start < set.count; start += options.batchSize) {
    const size = Math.min(options.batchSize, set.count - start);
    const full = size === options.batchSize;
    const arrays = options.reuseArrays && full ? (reused ??= emptyBatch(size, pixels, classes)) : emptyBatch(size, pixels, classes);
    yield fillBatch(arrays, { bytes, labels: set.labels, pixels, start, classes, order: options.order });
  }
}

/** The factor from a pixel byte (0-255) to the model's input ([0, 1]). */
export const PIXEL_SCALE = 1 / 255;

function emptyBatch(size: number, pixels: number, classes: number): Batch {
  return { size, images: new Float32Array(size * pixels), pixelScale: PIXEL_SCALE, oneHotLabels: new Float32Array(size * classes) };
}

function fillBatch(batch: Batch, from: { bytes: Uint8Array; labels: Uint8Array; pixels: number; start: number; classes: number; order: Uint32Array | undefined }): Batch {
  const { bytes, labels, pixels, start, classes, order } = from;
  const { size, images, oneHotLabels } = batch;
  oneHotLabels.fill(0);
  for (let row = 0; row < size; row++) {
    const index = order ? (order[start + row] as number) : start + row;
    // A typed-array set converts bytes to floats natively, far faster than a per-pixel JS loop.
    images.set(bytes.subarray(index * pixels, (index + 1) * pixels), row * pixels);
    oneHotLabels[row * classes + (labels[index] as number)] = 1;
  }
  return batch;
}
