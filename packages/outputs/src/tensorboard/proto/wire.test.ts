import { describe, expect, it } from 'vitest';
import { ProtoDecodeError, ProtoReader, ProtoWriter, WireType } from './wire.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('protobuf wire format', () => {
  it('encodes the examples of the protobuf encoding guide byte for byte', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
  });

  it('writes negative int64 as ten bytes of two’s complement and reads them back', () => {
    const bytes = new ProtoWriter().varint(2, -1).varint(3, -(2 ** 40)).finish();
    expect(hex(bytes.subarray(0, 11))).toBe('10ffffffffffffffffff01');
    const reader = new ProtoReader(bytes);
    reader.next();
    expect(reader.int64()).toBe(-1);
    reader.next();
    expect(reader.int64()).toBe(-(2 ** 40));
  });

  it('round-trips large steps, doubles, floats and packed numbers', () => {
    const bytes = new ProtoWriter()
      .varint(1, 2 ** 53 - 1)
      .double(2, Math.PI)
      .float(3, 0.1)
      .packedFloats(5, [1.5, -2.25])
      .packedDoubles(6, [1e-300, 7])
      .finish();
    const reader = new ProtoReader(bytes);
    const seen: Record<number, unknown> = {};
    for (let header = reader.next(); header; header = reader.next()) {
      if (header.field === 1) seen[1] = reader.uint64();
      else if (header.field === 2) seen[2] = reader.double();
      else if (header.field === 3) seen[3] = reader.float();
      else if (header.field === 5) reader.floats(header.wireType, (seen[5] = []) as number[]);
      else if (header.field === 6) reader.doubles(header.wireType, (seen[6] = []) as number[]);
    }
    expect(seen).toEqual({ 1: 2 ** 53 - 1, 2: Math.PI, 3: Math.fround(0.1), 5: [1.5, -2.25], 6: [1e-300, 7] });
  });

  it('reads unpacked repeated numbers too, as older writers emit them', () => {
    const bytes = new ProtoWriter().float(5, 1).float(5, 2).finish();
    const reader = new ProtoReader(bytes);
    const values: number[] = [];
    for (let header = reader.next(); header; header = reader.next()) reader.floats(header.wireType, values);
    expect(values).toEqual([1, 2]);
  });

  it('skips unknown fields of every wire type', () => {
    const bytes = new ProtoWriter().varint(9, 5).double(10, 1).string(11, 'x').float(12, 1).string(1, 'kept').finish();
    const reader = new ProtoReader(bytes);
    let kept = '';
    for (let header = reader.next(); header; header = reader.next()) {
      if (header.field === 1) kept = reader.string();
      else reader.skip(header.wireType);
    }
    expect(kept).toBe('kept');
  });

  it('rejects truncated and malformed input with the offset', () => {
    const truncated = new ProtoWriter().string(1, 'hello').finish().subarray(0, 4);
    const reader = new ProtoReader(truncated);
    reader.next();
    expect(() => reader.string()).toThrow(ProtoDecodeError);
    expect(() => new ProtoReader(Uint8Array.of(0x0b)).skip(3)).toThrow(/unsupported wire type 3/);
    expect(() => new ProtoReader(Uint8Array.of(0x80, 0x80)).uint64()).toThrow(/varint runs past the end at byte 2/);
    const wrongType = new ProtoReader(new ProtoWriter().varint(1, 1).finish());
    const header = wrongType.next();
    expect(header).toEqual({ field: 1, wireType: WireType.VARINT });
    expect(() => wrongType.expect(header as never, WireType.FIXED64, 'Event.wall_time')).toThrow(/Event.wall_time \(field 1\) has wire type 0/);
  });
});
