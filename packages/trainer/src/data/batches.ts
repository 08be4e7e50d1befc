import type { ImageSet } from './mnist.js';

/** One batch, ready to become tensors: pixels scaled to [0, 1] and one-hot labels. */
export interface Batch {
  /** Images in the batch (the last batch of an epoch may be smaller). */
  readonly size: number;
  /** `size * rows * columns` pixel values in [0, 1], image after image (NHWC with one channel). */
  readonly images: Float32Array;
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
}

/** The number of batches {@link batchesOf} yields for `count` images. */
export function batchCount(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/**
 * Cuts an image set into batches in `order`. Each batch is two typed arrays filled straight
 * from the bytes: one allocation each, no intermediate JS arrays.
 */
export function* batchesOf(set: ImageSet, options: BatchOptions): Generator<Batch> {
  const classes = options.classes ?? 10;
  for (let start = 0; start < set.count; start += options.batchSize) {
    const size = Math.min(options.batchSize, set.count - start);
    yield fillBatch(set, start, size, classes, options.order);
  }
}

const PIXEL_SCALE = 1 / 255;

function fillBatch(set: ImageSet, start: number, size: number, classes: number, order: Uint32Array | undefined): Batch {
  const pixels = set.rows * set.columns;
  const images = new Float32Array(size * pixels);
  const oneHotLabels = new Float32Array(size * classes);
  for (let row = 0; row < size; row++) {
    const index = order ? (order[start + row] as number) : start + row;
    const source = index * pixels;
    const target = row * pixels;
    for (let pixel = 0; pixel < pixels; pixel++) {
      images[target + pixel] = (set.images[source + pixel] as number) * PIXEL_SCALE;
    }
    oneHotLabels[row * classes + (set.labels[index] as number)] = 1;
  }
  return { size, images, oneHotLabels };
}
