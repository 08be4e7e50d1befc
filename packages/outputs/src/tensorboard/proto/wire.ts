/**
 * The protobuf wire format, as much of it as TensorBoard's messages need: varints, 64- and
 * 32-bit fixed numbers, length-delimited fields and packed repeated numbers.
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { HptuneError } from '@hptune/trial';

/** The wire types of the protobuf encoding (groups, 3 and 4, are not supported). */
export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;
/** One of {@link WireType}'s values. */
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes that are not a well-formed protobuf message; `offset` is where reading stopped. */
export class ProtoDecodeError extends HptuneError {
  /** The byte offset in the message where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super('PROTO_DECODE', `${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/**
 * Builds one protobuf message. Field methods write nothing for proto3 defaults only where their
 * name says so (`…IfSet`); members of a `oneof` must use the plain methods, which always write.
 */
export class ProtoWriter {
  private buffer = new Uint8Array(64);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** The message so far, as a copy-free view of its bytes. */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Writes a varint field: a non-negative integer, or a negative one as 64-bit two's complement. */
  varint(field: number, value: number): this {
    this.tag(field, WireType.VARINT);
    this.rawVarint(value);
    return this;
  }

  /** {@link varint}, skipped when `value` is 0 (proto3's default). */
  varintIfSet(field: number, value: number | undefined): this {
    return value ? this.varint(field, value) : this;
  }

  /** Writes a `bool` field. */
  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  /** Writes a `double` field (8 bytes, little-endian). */
  double(field: number, value: number): this {
    this.tag(field, WireType.FIXED64);
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
    return this;
  }

  /** {@link double}, skipped when `value` is 0 or undefined. */
  doubleIfSet(field: number, value: number | undefined): this {
    return value ? this.double(field, value) : this;
  }

  /** Writes a `float` field (4 bytes, little-endian; the value is rounded to 32 bits). */
  float(field: number, value: number): this {
    this.tag(field, WireType.FIXED32);
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** Writes a `bytes` field, or an embedded message already encoded. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** {@link bytes}, skipped when `value` is empty or undefined. */
  bytesIfSet(field: number, value: Uint8Array | undefined): this {
    return value && value.length > 0 ? this.bytes(field, value) : this;
  }

  /** Writes a `string` field as UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** {@link string}, skipped when `value` is empty or undefined. */
  stringIfSet(field: number, value: string | undefined): this {
    return value ? this.string(field, value) : this;
  }

  /** Writes a packed `repeated float` field (nothing when empty). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    return this.packed(field, values.length * 4, (offset, index) => {
      this.view.setFloat32(offset, values[index] as number, true);
      return 4;
    }, values.length);
  }

  /** Writes a packed `repeated double` field (nothing when empty). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    return this.packed(field, values.length * 8, (offset, index) => {
      this.view.setFloat64(offset, values[index] as number, true);
      return 8;
    }, values.length);
  }

  /** Writes a packed repeated varint field such as `repeated int64` (nothing when empty). */
  packedVarints(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (let index = 0; index < values.length; index++) inner.rawVarint(values[index] as number);
    return this.bytes(field, inner.finish());
  }

  private packed(
    field: number,
    size: number,
    put: (offset: number, index: number) => number,
    count: number,
  ): this {
    if (count === 0) return this;
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.rawVarint(size);
    this.reserve(size);
    for (let index = 0; index < count; index++) this.length += put(this.length, index);
    return this;
  }

  private tag(field: number, wireType: WireType): void {
    this.rawVarint(field * 8 + wireType);
  }

  /** Appends a bare varint; negative numbers take ten bytes, as int32/int64 do on the wire. */
  private rawVarint(value: number): void {
    if (!Number.isInteger(value)) throw new RangeError(`varint ${value} is not an integer`);
    this.reserve(10);
    if (value < 0) {
      let big = BigInt.asUintN(64, BigInt(value));
      while (big >= 0x80n) {
        this.buffer[this.length++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buffer[this.length++] = Number(big);
      return;
    }
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** A field's header as read from the wire. */
export interface FieldHeader {
  readonly field: number;
  readonly wireType: number;
}

/** Reads one protobuf message field by field; unknown fields are skipped with {@link skip}. */
export class ProtoReader {
  private readonly view: DataView;
  private position: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
  }

  /** The next field's header, or `undefined` at the end of the message. */
  next(): FieldHeader | undefined {
    if (this.position >= this.end) return undefined;
    const key = this.uint64();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtoDecodeError('field number 0', this.position);
    return { field, wireType };
  }

  /** Reads a varint as an unsigned number (exact below 2^53). */
  uint64(): number {
    let result = 0;
    let multiplier = 1;
    for (let count = 0; count < 10; count++) {
      if (this.position >= this.end) throw new ProtoDecodeError('varint runs past the end', this.position);
      const byte = this.bytes[this.position++] as number;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 0x80;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes', this.position);
  }

  /** Reads an `int32`, `int64` or enum varint, negative values included. */
  int64(): number {
    const start = this.position;
    const unsigned = this.uint64();
    if (unsigned < 2 ** 63) return unsigned;
    // Only negative numbers reach 2^63; redo them exactly with BigInt.
    let big = 0n;
    let shift = 0n;
    for (let index = start; index < this.position; index++) {
      big |= BigInt((this.bytes[index] as number) & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  }

  /** Reads a `bool`. */
  bool(): boolean {
    return this.uint64() !== 0;
  }

  /** Reads a `double`. */
  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** Reads a `float`. */
  float(): number {
    this.need(4);
    const value = this.view.getFloat32(this.position, true);
    this.position += 4;
    return value;
  }

  /** Reads a length-delimited field as a view of the message's bytes (no copy). */
  bytesField(): Uint8Array {
    const length = this.uint64();
    this.need(length);
    const value = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** Reads a `string` (UTF-8; malformed text is an error). */
  string(): string {
    const at = this.position;
    const bytes = this.bytesField();
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw new ProtoDecodeError('string field is not valid UTF-8', at);
    }
  }

  /** Reads a `repeated float` field, packed or not, appending to `into`. */
  floats(wireType: number, into: number[]): void {
    this.repeated(wireType, WireType.FIXED32, into, () => this.float());
  }

  /** Reads a `repeated double` field, packed or not, appending to `into`. */
  doubles(wireType: number, into: number[]): void {
    this.repeated(wireType, WireType.FIXED64, into, () => this.double());
  }

  /** Reads a repeated varint field (`int32`, `int64`, enum), packed or not, appending to `into`. */
  varints(wireType: number, into: number[]): void {
    this.repeated(wireType, WireType.VARINT, into, () => this.int64());
  }

  /** Skips a field whose value is of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.uint64();
        return;
      case WireType.FIXED64:
        this.need(8);
        this.position += 8;
        return;
      case WireType.LENGTH_DELIMITED:
        this.bytesField();
        return;
      case WireType.FIXED32:
        this.need(4);
        this.position += 4;
        return;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`, this.position);
    }
  }

  /** Checks that a field has the wire type its schema says, before reading it. */
  expect(header: FieldHeader, wireType: WireType, what: string): void {
    if (header.wireType !== wireType) {
      throw new ProtoDecodeError(`${what} (field ${header.field}) has wire type ${header.wireType}, expected ${wireType}`, this.position);
    }
  }

  private repeated(wireType: number, elementType: WireType, into: number[], read: () => number): void {
    if (wireType === elementType) {
      into.push(read());
      return;
    }
    if (wireType !== WireType.LENGTH_DELIMITED) {
      throw new ProtoDecodeError(`repeated field has wire type ${wireType}`, this.position);
    }
    const length = this.uint64();
    this.need(length);
    const stop = this.position + length;
    while (this.position < stop) into.push(read());
    if (this.position !== stop) throw new ProtoDecodeError('packed field overruns its length', this.position);
  }

  private need(bytes: number): void {
    if (this.position + bytes > this.end) {
      throw new ProtoDecodeError(`field needs ${bytes} bytes, ${this.end - this.position} left`, this.position);
    }
  }
}
