import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HptuneError } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdxFile } from './idx.js';

/** Builds an IDX file: big-endian magic, big-endian dimensions, then the bytes. */
function idxBytes(magic: number, dimensions: number[], values: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dimensions.length);
  header.writeUInt32BE(magic, 0);
  dimensions.forEach((size, axis) => header.writeUInt32BE(size, 4 + 4 * axis));
  return Buffer.concat([header, Buffer.from(values)]);
}

const twoImages = idxBytes(0x803, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);

function parseError(bytes: Uint8Array, kind: 'images' | 'labels' = 'images'): HptuneError {
  try {
    parseIdx(bytes, { kind, source: '/data/x-idx3-ubyte' });
  } catch (error) {
    expect(error).toBeInstanceOf(HptuneError);
    return error as HptuneError;
  }
  throw new Error('parseIdx accepted a bad file');
}

describe('parseIdx', () => {
  it('reads the big-endian dimensions and the data of an images file', () => {
    const parsed = parseIdx(twoImages, { kind: 'images', source: 'x' });
    expect(parsed.dimensions).toEqual([2, 2, 3]);
    expect([...parsed.data]).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  it('reads a labels file', () => {
    const parsed = parseIdx(idxBytes(0x801, [3], [7, 0, 9]), { kind: 'labels', source: 'x' });
    expect(parsed.dimensions).toEqual([3]);
    expect([...parsed.data]).toEqual([7, 0, 9]);
  });

  it('handles dimensions above 2^24 without sign trouble', () => {
    const header = idxBytes(0x801, [0x01000001], []);
    const error = parseError(header, 'labels');
    expect(error.message).toContain('expected 16777225');
  });

  it('rejects a labels file where images are expected, naming both magic numbers and the file', () => {
    const error = parseError(idxBytes(0x801, [3], [1, 2, 3]));
    expect(error.code).toBe('CORRUPT_DATA_FILE');
    expect(error.message).toContain('/data/x-idx3-ubyte');
    expect(error.message).toContain('magic number 0x00000801, expected 0x00000803');
  });

  it('rejects a file shorter than the magic number', () => {
    expect(parseError(new Uint8Array([0, 0, 8])).message).toContain('is truncated: 3 bytes');
  });

  it('rejects a truncated header', () => {
    expect(parseError(twoImages.subarray(0, 10)).message).toContain('shorter than its 16-byte header');
  });

  it('rejects truncated data, saying how long it should be', () => {
    const error = parseError(twoImages.subarray(0, twoImages.length - 1));
    expect(error.message).toContain('is truncated: 27 bytes, expected 28 (16-byte header + 2x2x3 values)');
  });

  it('rejects trailing bytes', () => {
    expect(parseError(Buffer.concat([twoImages, Buffer.from([1, 2])])).message).toContain('2 bytes of trailing data');
  });

  it('rejects a zero dimension', () => {
    expect(parseError(idxBytes(0x803, [2, 0, 3], [])).message).toContain('dimension 1 of size 0');
  });
});

describe('readIdxFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hptune-idx-'));

  it('reads a file from disk', () => {
    const path = join(dir, 'good-idx3-ubyte');
    writeFileSync(path, twoImages);
    expect(readIdxFile(path, 'images').dimensions).toEqual([2, 2, 3]);
  });

  it('names a truncated file on disk', () => {
    const path = join(dir, 'cut-idx3-ubyte');
    writeFileSync(path, twoImages.subarray(0, 20));
    expect(() => readIdxFile(path, 'images')).toThrow(`IDX file ${path} is truncated: 20 bytes, expected 28`);
  });

  it('names a missing file', () => {
    const path = join(dir, 'missing');
    expect(() => readIdxFile(path, 'labels')).toThrow(expect.objectContaining({ code: 'DATA_FILE_UNREADABLE', message: expect.stringContaining(path) }));
  });
});
