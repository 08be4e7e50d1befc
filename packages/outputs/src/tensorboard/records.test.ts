import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, encodeRecord, maskCrc, maskedCrc32c, scanRecords } from './records.js';

/** The CRC-32C of RFC 3720 computed bit by bit: an oracle independent of the library under test. */
function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (crc & 1 ? 0x82f63b78 : 0);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('CRC-32C', () => {
  it('matches the published check value and the RFC 3720 test vectors', () => {
    expect(crc32c('123456789')).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, index) => index))).toBe(0x46dd794e);
  });

  it('agrees with a bit-by-bit implementation on assorted payloads', () => {
    let seed = 7;
    for (let length = 0; length < 300; length += 37) {
      const bytes = Uint8Array.from({ length }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      expect(crc32c(bytes)).toBe(bitwiseCrc32c(bytes));
    }
  });

  it('masks as TFRecord does: rotate right by 15, add 0xa282ead8, modulo 2^32', () => {
    expect(maskCrc(0)).toBe(0xa282ead8);
    expect(maskCrc(0xffffffff)).toBe((0xffffffff + 0xa282ead8) % 2 ** 32);
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(maskCrc(0xe3069283));
  });
});

describe('TFRecord framing', () => {
  it('frames a payload byte for byte (expected bytes computed with an independent CRC-32C)', () => {
    expect(Buffer.from(encodeRecord(new TextEncoder().encode('hello'))).toString('hex')).toBe(
      '0500000000000000' + 'eab2043e' + '68656c6c6f' + 'bb1f1c19',
    );
    // An Event { wall_time: 1700000000.5, file_version: "brain.Event:2" }.
    const event = fromHex('0900002040fc54d9411a0d627261696e2e4576656e743a32');
    expect(Buffer.from(encodeRecord(event)).toString('hex')).toBe(
      '1800000000000000a37f4b22' + '0900002040fc54d9411a0d627261696e2e4576656e743a32' + '2b353110',
    );
  });

  it('reads back every record with its offset, empty records included', () => {
    const payloads = ['a', '', 'third record'].map((text) => new TextEncoder().encode(text));
    const file = Buffer.concat(payloads.map(encodeRecord));
    const scan = scanRecords(file, { source: 'f' });
    expect(scan.records.map((record) => new TextDecoder().decode(record.data))).toEqual(['a', '', 'third record']);
    expect(scan.records.map((record) => record.offset)).toEqual([0, 17, 33]);
    expect(scan.trailingBytes).toBe(0);
    expect(scan.corruption).toBeUndefined();
  });

  it('treats an incomplete last record as bytes still being written, at every cut point', () => {
    const first = encodeRecord(new TextEncoder().encode('complete'));
    const second = encodeRecord(new TextEncoder().encode('being written'));
    for (let cut = 1; cut < second.length; cut++) {
      const scan = scanRecords(Buffer.concat([first, second.subarray(0, cut)]), { source: 'f' });
      expect(scan.records).toHaveLength(1);
      expect(scan.trailingBytes).toBe(cut);
      expect(scan.corruption).toBeUndefined();
    }
  });

  it('reports a flipped data byte as a data checksum mismatch at the record offset', () => {
    const file = Buffer.concat([encodeRecord(new Uint8Array([1, 2, 3])), encodeRecord(new Uint8Array([4, 5, 6]))]);
    file.writeUInt8(file.readUInt8(19 + 12) ^ 0x01, 19 + 12);
    const scan = scanRecords(file, { source: 'run/events.out.tfevents.x' });
    expect(scan.records).toHaveLength(1);
    expect(scan.corruption).toBeInstanceOf(CorruptRecordError);
    expect(scan.corruption).toMatchObject({ offset: 19, corruption: 'data-checksum', code: 'TB_CORRUPT_RECORD' });
    expect(scan.corruption?.message).toMatch(/^run\/events\.out\.tfevents\.x: corrupt record at byte 19: data checksum/);
  });

  it('reports a damaged length as a length checksum mismatch rather than reading garbage', () => {
    const file = Buffer.from(encodeRecord(new Uint8Array(10)));
    file.writeUInt8(0xff, 0);
    const scan = scanRecords(file, { source: 'f' });
    expect(scan.records).toHaveLength(0);
    expect(scan.corruption).toMatchObject({ offset: 0, corruption: 'length-checksum' });
  });
});
