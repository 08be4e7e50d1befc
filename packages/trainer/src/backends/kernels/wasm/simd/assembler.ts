/**
 * A small WebAssembly binary writer, enough for the SIMD kernels generated at run time: i32
 * arithmetic, structured loops, f32 and v128 (f32x4) loads, stores and arithmetic, and one memory
 * imported as `env.memory` (the tfjs wasm backend's heap, so kernels work on tensors in place).
 * @see https://webassembly.github.io/spec/core/binary/index.html
 */

/** Value types, by their binary codes. */
export const ValueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
/** One of {@link ValueType}'s codes. */
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** A growable byte buffer: plain-array pushes were the slowest part of generating large kernels. */
class Bytes {
  private data = new Uint8Array(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint8Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = byte;
  }

  append(bytes: Bytes | Uint8Array): void {
    const view = bytes instanceof Bytes ? bytes.view() : bytes;
    while (this.length + view.length > this.data.length) {
      const grown = new Uint8Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(view, this.length);
    this.length += view.length;
  }

  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

function unsignedLeb(value: number, out: Bytes): void {
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
}

function signedLeb(value: number, out: Bytes): void {
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(text: string, out: Bytes): void {
  const bytes = new TextEncoder().encode(text);
  unsignedLeb(bytes.length, out);
  out.append(bytes);
}

const scratchFloat = new Float32Array(1);
const scratchBytes = new Uint8Array(scratchFloat.buffer);

/** Choices a generator makes for the engine it runs on, besides the geometry it bakes in. */
export interface CodeOptions {
  /** Accumulate with `f32x4.relaxed_madd` (see {@link FunctionWriter.multiplyAdd}). */
  readonly fusedMultiplyAdd: boolean;
}

/** Code every engine with WebAssembly SIMD runs: `f32x4.mul` then `f32x4.add`. */
export const PORTABLE_CODE: CodeOptions = { fusedMultiplyAdd: false };

/** A handle to a local variable of a {@link FunctionWriter}. */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

/**
 * Writes one function body. Instruction methods push their encoding and return `this`, so code
 * reads in stack order: `f.get(a).get(b).i32Add().set(c)`.
 */
export class FunctionWriter {
  readonly params: Local[];
  private readonly extraLocals: Local[] = [];
  private readonly code = new Bytes();

  constructor(
    paramTypes: readonly ValueType[],
    readonly resultTypes: readonly ValueType[] = [],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** Declares a new local of `type`. */
  local(type: ValueType): Local {
    const handle = { index: this.params.length + this.extraLocals.length, type };
    this.extraLocals.push(handle);
    return handle;
  }

  private op(opcode: number, immediate?: number): this {
    this.code.push(opcode);
    if (immediate !== undefined) this.code.push(immediate);
    return this;
  }

  private simd(opcode: number): this {
    this.code.push(0xfd);
    unsignedLeb(opcode, this.code);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    if (offset < 0 || !Number.isInteger(offset)) throw new RangeError(`memory offset ${offset} must be a non-negative integer`);
    unsignedLeb(alignLog2, this.code);
    unsignedLeb(offset, this.code);
    return this;
  }

  /** `local.get`. */
  get(local: Local): this {
    this.op(0x20);
    unsignedLeb(local.index, this.code);
    return this;
  }

  /** `local.set`. */
  set(local: Local): this {
    this.op(0x21);
    unsignedLeb(local.index, this.code);
    return this;
  }

  /** `local.tee`. */
  tee(local: Local): this {
    this.op(0x22);
    unsignedLeb(local.index, this.code);
    return this;
  }

  /** `i32.const`. */
  i32Const(value: number): this {
    this.op(0x41);
    signedLeb(value, this.code);
    return this;
  }

  /** `i32.add`. */
  i32Add(): this {
    return this.op(0x6a);
  }

  /** `i32.sub`. */
  i32Sub(): this {
    return this.op(0x6b);
  }

  /** `i32.mul`. */
  i32Mul(): this {
    return this.op(0x6c);
  }

  /** `i32.eqz`. */
  i32Eqz(): this {
    return this.op(0x45);
  }

  /** `i32.ne`. */
  i32Ne(): this {
    return this.op(0x47);
  }

  /** `i32.lt_u`. */
  i32LtU(): this {
    return this.op(0x49);
  }

  /** Adds a constant to a local: `local += value` (skipped when value is 0). */
  addTo(local: Local, value: number): this {
    if (value === 0) return this;
    return this.get(local).i32Const(value).i32Add().set(local);
  }

  /** `f32.load` from the address on the stack plus `offset` bytes. */
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }

  /** `f32.store` (address, value on the stack). */
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }

  /** `f32.const`. */
  f32Const(value: number): this {
    this.op(0x43);
    scratchFloat[0] = value;
    for (const byte of scratchBytes) this.code.push(byte);
    return this;
  }

  /** `f32.add`. */
  f32Add(): this {
    return this.op(0x92);
  }

  /** `f32.mul`. */
  f32Mul(): this {
    return this.op(0x94);
  }

  /** `v128.load` (unaligned allowed). */
  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(0, offset);
  }

  /** `v128.load32_splat`: one f32 from memory into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(2, offset);
  }

  /** `v128.store` (address, value on the stack; unaligned allowed). */
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(0, offset);
  }

  /** `f32x4.splat`. */
  f32x4Splat(): this {
    return this.simd(0x13);
  }

  /** `f32x4.extract_lane`. */
  f32x4ExtractLane(lane: number): this {
    this.simd(0x1f);
    this.code.push(lane);
    return this;
  }

  /** `f32x4.add`. */
  f32x4Add(): this {
    return this.simd(0xe4);
  }

  /** `f32x4.mul`. */
  f32x4Mul(): this {
    return this.simd(0xe6);
  }

  /**
   * `f32x4.relaxed_madd` (relaxed SIMD): a · b + c, stack order a, b, c; rounded once where the
   * engine fuses it (V8 on a CPU with FMA), twice otherwise.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  /**
   * `accumulator += a · b` on f32x4 lanes: one `f32x4.relaxed_madd` when `fused`, else
   * `f32x4.mul` then `f32x4.add`. The two differ only in rounding.
   */
  multiplyAdd(accumulator: Local, a: Local, b: Local, fused: boolean): this {
    if (fused) return this.get(a).get(b).get(accumulator).f32x4RelaxedMadd().set(accumulator);
    return this.get(accumulator).get(a).get(b).f32x4Mul().f32x4Add().set(accumulator);
  }

  /** `f32x4.sub`. */
  f32x4Sub(): this {
    return this.simd(0xe5);
  }

  /** `f32x4.div`. */
  f32x4Div(): this {
    return this.simd(0xe7);
  }

  /** `f32x4.sqrt`. */
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }

  /** `f32x4.gt`: all-ones lanes where a > b. */
  f32x4Gt(): this {
    return this.simd(0x44);
  }

  /** `f32x4.max` (NaN if either lane is NaN). */
  f32x4Max(): this {
    return this.simd(0xe9);
  }

  /** `f32x4.nearest`: round to the nearest integer, ties to even. */
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }

  /** `f32x4.replace_lane`: (vector, f32) -> the vector with `lane` replaced. */
  f32x4ReplaceLane(lane: number): this {
    this.simd(0x20);
    this.code.push(lane);
    return this;
  }

  /** `i32x4.splat`. */
  i32x4Splat(): this {
    return this.simd(0x11);
  }

  /** `i32x4.add`. */
  i32x4Add(): this {
    return this.simd(0xae);
  }

  /** `i32x4.shl` (vector, i32 shift count). */
  i32x4Shl(): this {
    return this.simd(0xab);
  }

  /** `i32x4.trunc_sat_f32x4_s`: float lanes to signed integers, saturating. */
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }

  /** `f32.max`. */
  f32Max(): this {
    return this.op(0x97);
  }

  /** `f32.sub`. */
  f32Sub(): this {
    return this.op(0x93);
  }

  /** `v128.bitselect`: bits of a where the mask (top of the stack) is 1, of b where 0. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }

  /** `f32x4.eq`: all-ones lanes where equal. */
  f32x4Eq(): this {
    return this.simd(0x41);
  }

  /** `f32x4.pmax`: b where a < b, else a (lane-wise; a NaN b never wins). */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }

  /** `v128.and`. */
  v128And(): this {
    return this.simd(0x4e);
  }

  /** `v128.andnot`: a & ~b. */
  v128Andnot(): this {
    return this.simd(0x4f);
  }

  /** `v128.or`. */
  v128Or(): this {
    return this.simd(0x50);
  }

  /**
   * Stores the first `lanes` (1-4) floats of the v128 in `value` at `address + offset`: whole
   * vector when 4, single lanes otherwise (for a channel tail that must not spill over).
   */
  storeLanes(address: Local, value: Local, lanes: number, offset: number): this {
    if (lanes === 4) return this.get(address).get(value).v128Store(offset);
    for (let lane = 0; lane < lanes; lane++) {
      this.get(address).get(value).f32x4ExtractLane(lane).f32Store(offset + lane * 4);
    }
    return this;
  }

  /** A zero v128 (`f32.const 0; f32x4.splat`). */
  v128Zero(): this {
    return this.f32Const(0).f32x4Splat();
  }

  /** `block … end`; `body` may branch to depth 0 to leave it. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }

  /** `loop … end`; `body` may branch to depth 0 to repeat it. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }

  /**
   * Runs `body` `count` times (a runtime count that may be 0), as {@link FunctionWriter.repeat}
   * behind a guard.
   */
  repeatUnlessZero(count: Local, body: (counter: Local) => void): this {
    return this.block(() => {
      this.get(count).i32Eqz().brIf(0);
      this.repeat(count, body);
    });
  }

  /** `br_if depth`. */
  brIf(depth: number): this {
    this.op(0x0d);
    unsignedLeb(depth, this.code);
    return this;
  }

  /**
   * `for (counter = 0; counter < count; counter++) body()` for a count known to be at least 1,
   * as a bottom-tested loop. The counter is a fresh i32 local unless one is passed to reuse.
   */
  repeat(count: number | Local, body: (counter: Local) => void, counter: Local = this.local(ValueType.i32)): this {
    this.i32Const(0).set(counter);
    return this.loop(() => {
      body(counter);
      this.get(counter).i32Const(1).i32Add().tee(counter);
      if (typeof count === 'number') this.i32Const(count);
      else this.get(count);
      this.i32LtU().brIf(0);
    });
  }

  /** The encoded body: locals declaration, instructions, `end`. */
  encode(): Uint8Array {
    const out = new Bytes();
    // One local declaration entry per local keeps this simple; the count is small.
    unsignedLeb(this.extraLocals.length, out);
    for (const local of this.extraLocals) {
      out.push(1);
      out.push(local.type);
    }
    out.append(this.code);
    out.push(0x0b);
    return out.view();
  }
}

/** A function to export from a generated module. */
export interface ExportedFunction {
  readonly name: string;
  readonly writer: FunctionWriter;
}

function section(id: number, content: Bytes, out: Bytes): void {
  out.push(id);
  unsignedLeb(content.length, out);
  out.append(content);
}

/** Encodes a module importing `env.memory` and exporting `functions`. */
export function encodeModule(functions: readonly ExportedFunction[]): Uint8Array {
  const out = new Bytes();
  out.append(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));

  const types = new Bytes();
  unsignedLeb(functions.length, types);
  for (const { writer } of functions) {
    types.push(0x60);
    unsignedLeb(writer.params.length, types);
    for (const param of writer.params) types.push(param.type);
    unsignedLeb(writer.resultTypes.length, types);
    for (const type of writer.resultTypes) types.push(type);
  }
  section(1, types, out);

  const imports = new Bytes();
  imports.push(1);
  name('env', imports);
  name('memory', imports);
  imports.append(Uint8Array.of(0x02, 0x00, 0x00)); // memory, limits: minimum 0 pages, no maximum
  section(2, imports, out);

  const declarations = new Bytes();
  unsignedLeb(functions.length, declarations);
  functions.forEach((_, index) => unsignedLeb(index, declarations));
  section(3, declarations, out);

  const exports = new Bytes();
  unsignedLeb(functions.length, exports);
  functions.forEach(({ name: exportName }, index) => {
    name(exportName, exports);
    exports.push(0x00);
    unsignedLeb(index, exports);
  });
  section(7, exports, out);

  const code = new Bytes();
  unsignedLeb(functions.length, code);
  for (const { writer } of functions) {
    const body = writer.encode();
    unsignedLeb(body.length, code);
    code.append(body);
  }
  section(10, code, out);

  return out.view().slice();
}
