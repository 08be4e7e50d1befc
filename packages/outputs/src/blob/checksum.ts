import { createReadStream } from 'node:fs';
import type * as Crc32 from '@node-rs/crc32';
import { loadDependency } from '../load-dependency.js';

let crc32Module: typeof Crc32 | undefined;

/**
 * CRC-32C (Castagnoli) as an unsigned 32-bit number; pass `previous` (the CRC of the bytes before)
 * to continue a running checksum.
 */
export function crc32cNumber(bytes: Uint8Array, previous = 0): number {
  // Loaded on the first checksum, not at import: it is a native addon (see load-dependency.ts).
  crc32Module ??= loadDependency<typeof Crc32>('@node-rs/crc32', 'CRC-32C checksums (TensorBoard records, Cloud Storage uploads)');
  return crc32Module.crc32c(bytes, previous) >>> 0;
}

/** A CRC-32C number as Cloud Storage writes it: base64 of its 4 big-endian bytes. */
export function crc32cToBase64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

/** The number behind a Cloud Storage CRC-32C string (base64 of 4 big-endian bytes). */
export function crc32cFromBase64(value: string): number {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 4) throw new RangeError(`not a base64 CRC-32C: ${JSON.stringify(value)}`);
  return bytes.readUInt32BE(0);
}

/** CRC-32C of `bytes`, base64 big-endian as Cloud Storage reports it. */
export function crc32cBase64(bytes: Uint8Array): string {
  return crc32cToBase64(crc32cNumber(bytes));
}

/** Size and CRC-32C of a file's first `length` bytes (the whole file by default), read in a stream. */
export async function fileChecksum(path: string, length?: number): Promise<{ size: number; crc32c: string }> {
  let crc = 0;
  let size = 0;
  if (length === 0) return { size: 0, crc32c: crc32cToBase64(0) };
  const stream = createReadStream(path, length === undefined ? {} : { start: 0, end: length - 1 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    crc = crc32cNumber(chunk, crc);
    size += chunk.length;
  }
  return { size, crc32c: crc32cToBase64(crc) };
}
