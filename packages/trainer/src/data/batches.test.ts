import { describe, expect, it } from 'vitest';
import { batchCount, batchesOf, PIXEL_SCALE } from './batches.js';
import type { ImageSet } from './mnist.js';

// Five 1x2 "images"; image i has pixels [i, 255] and label i % 3.
const set: ImageSet = {
  count: 5,
  rows: 1,
  columns: 2,
  images: new Uint8Array([0, 255, 1, 255, 2, 255, 3, 255, 4, 255]),
  labels: new Uint8Array([0, 1, 2, 0, 1]),
};

describe('batchesOf', () => {
  it('cuts the set into full batches and a smaller last one', () => {
    const batches = [...batchesOf(set, { batchSize: 2, classes: 3 })];
    expect(batches.map((batch) => batch.size)).toEqual([2, 2, 1]);
    expect(batchCount(5, 2)).toBe(3);
    expect(batches[2]?.images.length).toBe(2);
    expect(batches[2]?.oneHotLabels.length).toBe(3);
  });

  it('keeps pixels as bytes with the scale to [0, 1] beside them, and one-hot encodes labels', () => {
    const [first] = batchesOf(set, { batchSize: 2, classes: 3 });
    expect([...(first?.images ?? [])]).toEqual([0, 255, 1, 255]);
    expect(first?.pixelScale).toBe(PIXEL_SCALE);
    expect(PIXEL_SCALE * 255).toBeCloseTo(1, 12);
    expect([...(first?.oneHotLabels ?? [])]).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('fills the same arrays for every full batch with reuseArrays, each batch right when it is yielded', () => {
    const seen: { images: Float32Array; pixels: number[]; labels: number[] }[] = [];
    for (const batch of batchesOf(set, { batchSize: 2, classes: 3, reuseArrays: true })) {
      seen.push({ images: batch.images, pixels: [...batch.images], labels: [...batch.oneHotLabels] });
    }
    expect(seen[0]?.images).toBe(seen[1]?.images);
    expect(seen[2]?.images).not.toBe(seen[0]?.images);
    expect(seen.map((batch) => batch.pixels)).toEqual([[0, 255, 1, 255], [2, 255, 3, 255], [4, 255]]);
    // The one-hot rows are cleared between batches: one 1 per image.
    expect(seen.map((batch) => batch.labels)).toEqual([[1, 0, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0], [0, 1, 0]]);
  });

  it('visits images in the given order', () => {
    const order = new Uint32Array([4, 2, 0, 1, 3]);
    const [first] = batchesOf(set, { batchSize: 3, classes: 3, order });
    expect([...(first?.images ?? [])].filter((_, i) => i % 2 === 0)).toEqual([4, 2, 0]);
    expect([...(first?.oneHotLabels ?? [])]).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });
});
