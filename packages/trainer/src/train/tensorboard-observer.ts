/**
 * TensorBoard logs of a training run: per-epoch scalars, weight histograms per layer and a few test
 * images with their predicted labels, written with `@hptune/outputs`'s event writer. The run's HParams
 * session is not the trainer's to write: a study's coordinator writes each trial's (core's
 * `backends/local/tensorboard.ts`), with the study's verdict as its status. TensorBoard trouble never stops training: every failure is
 * reported to `onError` (once per kind) and the run goes on.
 */
import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { SummaryWriter, type RawImage, type SummaryWriterStatus } from '@hptune/outputs/tensorboard';
import { batchesOf } from '../data/batches.js';
import type { ImageSet } from '../data/mnist.js';
import type { EpochMetrics, TrainingContext, TrainingObserver } from './observers.js';

/** The scalar tags logged after every epoch (step = epoch, counted from 1). */
export const TENSORBOARD_SCALAR_TAGS = {
  /** Mean cross-entropy over the epoch's training batches. */
  trainLoss: 'train/loss',
  /** Training accuracy during the epoch, 0-1. */
  trainAccuracy: 'train/accuracy',
  /** Mean cross-entropy over the test set after the epoch. */
  testLoss: 'test/loss',
  /** Test accuracy after the epoch, 0-1. */
  testAccuracy: 'test/accuracy',
  /** The optimizer's learning rate. */
  learningRate: 'learning_rate',
  /** Training images per second during the epoch. */
  imagesPerSecond: 'images_per_second',
} as const;

/** Each trainable weight's histogram goes under `weights/<layer>/<weight>`, e.g. `weights/conv1/kernel`. */
export const WEIGHTS_TAG_PREFIX = 'weights/';

/** The tag of the example test images (plugin `images`), logged every epoch. */
export const TEST_IMAGES_TAG = 'test/images';

/** The tag of the example images' true and predicted labels (plugin `text`, a Markdown table), every epoch. */
export const TEST_PREDICTIONS_TAG = 'test/predictions';

/** How many of the first test images are shown with their predictions. @default 8 */
export const DEFAULT_TENSORBOARD_IMAGES = 8;

/** Options of {@link createTensorBoardObserver}. */
export interface TensorBoardObserverOptions {
  /** The local run directory the event files go into. */
  logDir: string;
  /** How many of the first test images to show. @default {@link DEFAULT_TENSORBOARD_IMAGES} */
  images?: number;
  /** Told of the first failure of each kind, as one line; must not throw. @default ignore */
  onError?: (message: string) => void;
  /** Milliseconds between the writer's background flushes. @default 5000 */
  flushIntervalMs?: number;
}

/** A {@link TrainingObserver} writing TensorBoard logs, to be closed with the run's outcome. */
export interface TensorBoardObserver extends TrainingObserver {
  /** The local run directory. */
  readonly logDir: string;
  /**
   * Flushes and closes the event file; later hooks write nothing. Safe to call more than once.
   * @returns whether every event reached the disk
   */
  close(): boolean;
  /** The writer's counters: files, events and bytes written, failures. */
  status(): SummaryWriterStatus;
}

interface Examples {
  readonly images: RawImage[];
  readonly labels: Uint8Array;
  /** The images as the model takes them: pixels scaled to [0, 1]. */
  readonly input: Float32Array;
}

/**
 * Creates the TensorBoard observer: at the start, it picks the example images; after each epoch,
 * the {@link TENSORBOARD_SCALAR_TAGS}, a histogram of every trainable weight, the first test images
 * and a table of their true and predicted labels; everything flushed to disk after each epoch, so
 * a killed run keeps every finished epoch.
 */
export function createTensorBoardObserver(options: TensorBoardObserverOptions): TensorBoardObserver {
  const reported = new Set<string>();
  const report = (kind: string, message: string): void => {
    if (reported.has(kind)) return;
    reported.add(kind);
    try {
      options.onError?.(message);
    } catch {
      // A failing reporter must not take training down either.
    }
  };
  const writer = new SummaryWriter({
    logDir: options.logDir,
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
    onError: (error) => report(`writer ${error.operation}`, `TensorBoard: ${error.message}`),
  });
  const imageCount = options.images ?? DEFAULT_TENSORBOARD_IMAGES;
  let examples: Examples | undefined;
  let closed = false;
  const guard = async (what: string, body: () => Promise<void> | void): Promise<void> => {
    if (closed) return;
    try {
      await body();
    } catch (error) {
      report(what, `TensorBoard: could not log ${what} (${(error as Error).message}); training goes on`);
    }
  };

  return {
    logDir: options.logDir,
    status: () => writer.status(),

    onTrainBegin: (context) =>
      guard('the example images', () => {
        examples = pickExamples(context.data.test, imageCount);
      }),

    onEpochEnd: async (metrics, context) => {
      await guard('the epoch scalars', () => logScalars(writer, metrics, context));
      await guard('the weight histograms', () => logHistograms(writer, metrics.epoch, context.model));
      if (examples !== undefined) {
        const chosen = examples;
        await guard('the test images', () => logExamples(writer, metrics.epoch, context.model, chosen));
      }
      if (!closed) writer.flush();
    },

    close() {
      if (closed) return writer.status().droppedEvents === 0 && writer.status().pendingEvents === 0;
      closed = true;
      return writer.close();
    },
  };
}

function logScalars(writer: SummaryWriter, metrics: EpochMetrics, context: TrainingContext): void {
  const step = metrics.epoch;
  writer.scalar(TENSORBOARD_SCALAR_TAGS.trainLoss, metrics.trainLoss, step);
  writer.scalar(TENSORBOARD_SCALAR_TAGS.trainAccuracy, metrics.trainAccuracy, step);
  writer.scalar(TENSORBOARD_SCALAR_TAGS.testLoss, metrics.testLoss, step);
  writer.scalar(TENSORBOARD_SCALAR_TAGS.testAccuracy, metrics.testAccuracy, step);
  writer.scalar(TENSORBOARD_SCALAR_TAGS.learningRate, context.learningRate, step);
  writer.scalar(TENSORBOARD_SCALAR_TAGS.imagesPerSecond, metrics.imagesPerSecond, step);
}

async function logHistograms(writer: SummaryWriter, step: number, model: tf.LayersModel): Promise<void> {
  for (const weight of model.trainableWeights) {
    // `read()` hands out the variable itself: nothing is created, so nothing needs disposing.
    const values = await weight.read().data();
    writer.histogram(`${WEIGHTS_TAG_PREFIX}${weight.name}`, values, step);
  }
}

function pickExamples(set: ImageSet, wanted: number): Examples | undefined {
  const count = Math.min(wanted, set.count);
  if (count < 1) return undefined;
  const pixels = set.rows * set.columns;
  const subset: ImageSet = {
    count,
    rows: set.rows,
    columns: set.columns,
    images: set.images.slice(0, count * pixels),
    labels: set.labels.slice(0, count),
  };
  const [batch] = batchesOf(subset, { batchSize: count });
  const images = Array.from({ length: count }, (_, index): RawImage => ({
    width: set.columns,
    height: set.rows,
    channels: 1,
    pixels: subset.images.subarray(index * pixels, (index + 1) * pixels),
  }));
  const { images: pixelValues, pixelScale } = batch as NonNullable<typeof batch>;
  return { images, labels: subset.labels, input: pixelValues.map((value) => value * pixelScale) };
}

async function logExamples(writer: SummaryWriter, step: number, model: tf.LayersModel, examples: Examples): Promise<void> {
  const count = examples.labels.length;
  const [, height, width, channels] = model.inputs[0]?.shape ?? [];
  const probabilities = tfjs.tidy(() => model.apply(tfjs.tensor4d(examples.input, [count, height ?? 28, width ?? 28, channels ?? 1]), { training: false }) as tf.Tensor2D);
  let values: Float32Array;
  try {
    values = (await probabilities.data()) as Float32Array;
  } finally {
    probabilities.dispose();
  }
  const classes = values.length / count;
  const rows: string[] = [];
  let right = 0;
  for (let index = 0; index < count; index++) {
    const scores = values.subarray(index * classes, (index + 1) * classes);
    let predicted = 0;
    for (let digit = 1; digit < classes; digit++) if ((scores[digit] as number) > (scores[predicted] as number)) predicted = digit;
    const label = examples.labels[index] as number;
    if (predicted === label) right++;
    rows.push(`| ${index + 1} | ${label} | ${predicted} | ${(scores[predicted] as number).toFixed(3)} | ${predicted === label ? 'yes' : '**no**'} |`);
  }
  writer.image(TEST_IMAGES_TAG, examples.images, step, {
    description: `The first ${count} test images, left to right; their true and predicted labels are in ${TEST_PREDICTIONS_TAG} at the same step.`,
  });
  writer.text(
    TEST_PREDICTIONS_TAG,
    [
      `Predictions after epoch ${step} for the images of ${TEST_IMAGES_TAG}, left to right: ${right} of ${count} right.`,
      '',
      '| image | true | predicted | probability | right |',
      '|---:|---:|---:|---:|:---:|',
      ...rows,
    ].join('\n'),
    step,
  );
}
