/**
 * TFRecord framing, the container of TensorBoard event files: each record is
 * `u64 length (little-endian) | u32 masked CRC-32C of the length | data | u32 masked CRC-32C of the data`.
 * @see https://www.tensorflow.org/tutorials/load_data/tfrecord#tfrecords_format_details
 */
import { crc32cNumber } from '../blob/checksum.js';
import { HptuneError } from '@hptune/trial';

/** Bytes a record adds around its data: 8 of length and two 4-byte checksums. */
export const RECORD_OVERHEAD_BYTES = 16;

const MASK_DELTA = 0xa282ead8;
const HEADER_BYTES = 12;

/** Masks a CRC-32C as TFRecord does, so that a CRC of data that holds CRCs stays well spread. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** The masked CRC-32C (Castagnoli) of `bytes`. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32cNumber(bytes));
}

/** Frames `data` as one TFRecord. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const record = Buffer.allocUnsafe(data.length + RECORD_OVERHEAD_BYTES);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(data, HEADER_BYTES);
  record.writeUInt32LE(maskedCrc32c(data), HEADER_BYTES + data.length);
  return record;
}

/** One record read back: its data and where its header starts in the file. */
export interface TfRecord {
  /** Byte offset of the record's header. */
  readonly offset: number;
  /** The record's data (a view of the buffer it was read from). */
  readonly data: Uint8Array;
}

/** What {@link CorruptRecordError} says is wrong with a record. */
export type RecordCorruption = 'length-checksum' | 'data-checksum' | 'bad-event';

/** A record whose checksum does not match, or whose data is not what it should hold. */
export class CorruptRecordError extends HptuneError {
  /** The file (or other source) the record came from. */
  readonly source: string;
  /** Byte offset of the bad record's header. */
  readonly offset: number;
  /** Which check failed: the length's checksum, the data's, or the data's decoding as an Event. */
  readonly corruption: RecordCorruption;

  constructor(options: { source: string; offset: number; corruption: RecordCorruption; detail: string; cause?: unknown }) {
    super(
      'TB_CORRUPT_RECORD',
      `${options.source}: corrupt record at byte ${options.offset}: ${options.detail}; the file is damaged from there on, ` +
        'so keep what was read before it and rewrite or delete the file',
      { cause: options.cause },
    );
    this.source = options.source;
    this.offset = options.offset;
    this.corruption = options.corruption;
  }
}

/** Everything {@link scanRecords} found in a buffer. */
export interface RecordScan {
  /** The complete, verified records, in order. */
  readonly records: TfRecord[];
  /** Bytes at the end that do not yet make a whole record (a file being written); 0 when none. */
  readonly trailingBytes: number;
  /** The first corrupt record; reading stopped there. */
  readonly corruption?: CorruptRecordError;
}

/**
 * Reads every TFRecord in `buffer`, verifying both checksums of each. An incomplete record at the
 * end is not an error (it is counted in `trailingBytes`); a checksum mismatch stops the scan and
 * is returned as `corruption`, naming `source` and the record's offset.
 */
export function scanRecords(buffer: Uint8Array, options: { source: string }): RecordScan {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const records: TfRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) break;
    const lengthCrc = bytes.readUInt32LE(offset + 8);
    const expectedLengthCrc = maskedCrc32c(bytes.subarray(offset, offset + 8));
    if (lengthCrc !== expectedLengthCrc) {
      return {
        records,
        trailingBytes: 0,
        corruption: new CorruptRecordError({
          source: options.source,
          offset,
          corruption: 'length-checksum',
          detail: `length checksum ${hex(lengthCrc)} does not match ${hex(expectedLengthCrc)}`,
        }),
      };
    }
    const length = bytes.readBigUInt64LE(offset);
    const end = BigInt(offset + HEADER_BYTES) + length + 4n;
    if (end > BigInt(bytes.length)) break;
    const dataStart = offset + HEADER_BYTES;
    const data = bytes.subarray(dataStart, dataStart + Number(length));
    const dataCrc = bytes.readUInt32LE(dataStart + data.length);
    const expectedDataCrc = maskedCrc32c(data);
    if (dataCrc !== expectedDataCrc) {
      return {
        records,
        trailingBytes: 0,
        corruption: new CorruptRecordError({
          source: options.source,
          offset,
          corruption: 'data-checksum',
          detail: `data checksum ${hex(dataCrc)} does not match ${hex(expectedDataCrc)} over ${data.length} bytes`,
        }),
      };
    }
    records.push({ offset, data });
    offset = Number(end);
  }
  return { records, trailingBytes: bytes.length - offset };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
