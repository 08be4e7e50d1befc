import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng, HPARAMS_SESSION_END_TAG, HPARAMS_SESSION_START_TAG, inspectLogDir, readLogDir, type SummaryPoint } from '@hptune/outputs/tensorboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEventFileWithFixtures,
  shapeOf,
  type DecodedValue,
} from '@hptune/testing/tensorboard';
import { loadMnist } from '../data/mnist.js';
import { recordingSink } from '../testing/sinks.js';
import { TENSORBOARD_SCALAR_TAGS, TEST_IMAGES_TAG, TEST_PREDICTIONS_TAG, WEIGHTS_TAG_PREFIX } from './tensorboard-observer.js';
import { train, type TrainResult } from './train.js';

const WEIGHTS = ['conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias', 'output/kernel', 'output/bias'];
const EPOCHS = 3;

describe('TensorBoard logs of a 3-epoch training run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hptune-tb-train-'));
  const logDir = join(dir, 'logs');
  let result: TrainResult;
  let points: SummaryPoint[];

  beforeAll(async () => {
    result = await train({
      tfjsBackend: 'wasm',
      trainSize: 256,
      testSize: 64,
      numEpochs: EPOCHS,
      batchSize: 32,
      optimizer: 'sgd',
      learningRate: 0.05,
      activation: 'leakyrelu',
      outputDir: dir,
      env: { CLOUD_ML_TRIAL_ID: '7' },
      out: recordingSink(),
      err: recordingSink(),
    });
    const logs = readLogDir(logDir);
    expect(logs.runs.map((run) => run.name)).toEqual(['.']);
    points = (logs.runs[0] as (typeof logs.runs)[number]).points;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const byTag = (tag: string) => points.filter((point) => point.tag === tag);

  it('logs every scalar once per epoch, matching the run\'s history', () => {
    for (const [key, tag] of Object.entries(TENSORBOARD_SCALAR_TAGS)) {
      const values = byTag(tag);
      expect(values.map((point) => point.step), tag).toEqual([1, 2, 3]);
      expect(values.every((point) => point.pluginName === 'scalars' && point.kind === 'scalar'), tag).toBe(true);
      const expected = result.history.map((epoch) =>
        key === 'learningRate' ? 0.05 : (epoch[key as Exclude<keyof typeof TENSORBOARD_SCALAR_TAGS, 'learningRate'>] as number),
      );
      // Stored as float32.
      expect(values.map((point) => (point.kind === 'scalar' ? point.value : Number.NaN)), tag).toEqual(expected.map((value) => Math.fround(value)));
    }
  });

  it('logs a well-formed histogram of every trainable weight each epoch', () => {
    for (const weight of WEIGHTS) {
      const values = byTag(`${WEIGHTS_TAG_PREFIX}${weight}`);
      expect(values.map((point) => point.step), weight).toEqual([1, 2, 3]);
      for (const point of values) {
        if (point.kind !== 'histogram') throw new Error(`${weight} is ${point.kind}`);
        expect(point.buckets).toHaveLength(30);
        const size = { 'conv1/kernel': 150, 'conv1/bias': 6, 'conv2/kernel': 2400, 'conv2/bias': 16, 'dense1/kernel': 48000, 'dense1/bias': 120, 'dense2/kernel': 10080, 'dense2/bias': 84, 'output/kernel': 840, 'output/bias': 10 }[weight];
        expect(point.buckets.reduce((sum, [, , count]) => sum + count, 0), weight).toBe(size);
        for (const [left, right] of point.buckets) expect(right).toBeGreaterThanOrEqual(left);
      }
    }
    // Training moves the weights: the kernels' spread changes from epoch to epoch.
    const conv1 = byTag(`${WEIGHTS_TAG_PREFIX}conv1/kernel`).map((point) => (point.kind === 'histogram' ? point.buckets : []));
    expect(conv1[0]).not.toEqual(conv1[2]);
  });

  it('logs the first 8 test images as PNGs with their true and predicted labels each epoch', () => {
    const test = loadMnist({ trainSize: 1, testSize: 8 }).test;
    const images = byTag(TEST_IMAGES_TAG);
    expect(images.map((point) => point.step)).toEqual([1, 2, 3]);
    for (const point of images) {
      if (point.kind !== 'images') throw new Error(`images are ${point.kind}`);
      expect([point.width, point.height, point.images.length]).toEqual([28, 28, 8]);
      point.images.forEach((png, index) => {
        const bytes = Buffer.from(png);
        expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
        // IHDR: width and height, big-endian, right after the chunk's length and type.
        expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([28, 28]);
        const expected = encodePng({ width: 28, height: 28, channels: 1, pixels: test.images.subarray(index * 784, (index + 1) * 784) });
        expect(bytes.equals(Buffer.from(expected)), `image ${index} is test image ${index}`).toBe(true);
      });
    }
    const predictions = byTag(TEST_PREDICTIONS_TAG);
    expect(predictions.map((point) => point.step)).toEqual([1, 2, 3]);
    for (const point of predictions) {
      if (point.kind !== 'text') throw new Error(`predictions are ${point.kind}`);
      const rows = point.text.split('\n').filter((line) => /^\| \d/.test(line));
      expect(rows).toHaveLength(8);
      rows.forEach((row, index) => {
        const [image, truth, predicted] = row.split('|').slice(1, 4).map((cell) => Number(cell.trim()));
        expect(image).toBe(index + 1);
        expect(truth).toBe(test.labels[index]);
        expect(predicted).toBeGreaterThanOrEqual(0);
        expect(predicted).toBeLessThan(10);
      });
    }
  });

  it('writes no HParams session: the study\'s coordinator is its one writer', () => {
    expect(inspectLogDir(logDir).runs[0]?.session).toBeUndefined();
    expect(byTag(HPARAMS_SESSION_START_TAG)).toHaveLength(0);
    expect(byTag(HPARAMS_SESSION_END_TAG)).toHaveLength(0);
  });

  it('decodes with protobufjs and the published field numbers: metadata on each tag\'s first value, the right tensor forms', () => {
    const files = readdirSync(logDir).filter((name) => name.includes('tfevents'));
    expect(files).toHaveLength(1);
    const events = decodeEventFileWithFixtures(join(logDir, files[0] as string));
    expect(events[0]?.file_version).toBe('brain.Event:2');
    const values = events.flatMap((event) => (event.summary?.value ?? []).map((value) => ({ step: event.step ?? 0, value })));
    const first = new Map<string, DecodedValue>();
    for (const { value } of values) if (!first.has(value.tag)) first.set(value.tag, value);
    const tags = [...first.keys()];
    expect(tags).toEqual(expect.arrayContaining([...Object.values(TENSORBOARD_SCALAR_TAGS), TEST_IMAGES_TAG, TEST_PREDICTIONS_TAG, ...WEIGHTS.map((w) => WEIGHTS_TAG_PREFIX + w)]));
    for (const [tag, value] of first) {
      expect(value.metadata?.plugin_data?.plugin_name, tag).toBeTruthy();
    }
    const scalar = first.get('test/accuracy') as DecodedValue;
    expect([scalar.metadata?.plugin_data?.plugin_name, scalar.metadata?.data_class, scalar.tensor?.dtype, shapeOf(scalar.tensor)]).toEqual(['scalars', 'DATA_CLASS_SCALAR', 'DT_FLOAT', []]);
    const histogram = first.get('weights/dense1/kernel') as DecodedValue;
    expect([histogram.metadata?.plugin_data?.plugin_name, histogram.tensor?.dtype, shapeOf(histogram.tensor)]).toEqual(['histograms', 'DT_DOUBLE', [30, 3]]);
    const image = first.get(TEST_IMAGES_TAG) as DecodedValue;
    expect([image.metadata?.plugin_data?.plugin_name, image.tensor?.dtype, shapeOf(image.tensor)]).toEqual(['images', 'DT_STRING', [10]]);
    expect(image.tensor?.string_val?.slice(0, 2).map((bytes) => bytes.toString())).toEqual(['28', '28']);
  });
});
