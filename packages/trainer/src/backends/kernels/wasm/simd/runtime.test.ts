import { afterEach, describe, expect, it } from 'vitest';
import { encodeModule, FunctionWriter, type Local, ValueType } from './assembler.js';
import { buildColumnSumModule, COLUMN_SUM_KEY } from './column-sum.js';
import {
  codeOptions,
  relaxedSimdSupported,
  setFusedMultiplyAddEnabled,
  setGeneratedKernelsEnabled,
  simdRuntime,
  simdSupported,
  type WasmMemory,
} from './runtime.js';

interface WasmConstructors {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, (...args: number[]) => void> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmConstructors }).WebAssembly;
const Memory = Wasm.Memory;

/** Stands in for tfjs-backend-wasm: generated kernels only need `wasm.asm.memory`. */
function fakeBackend(memory: WasmMemory): object {
  return { wasm: { asm: { memory } } };
}

/** `axpy(x, y, out, vectors)`: out = a·x + y per lane with a = x's own lanes, through multiplyAdd. */
function multiplyAddModule(fused: boolean): Uint8Array {
  const f = new FunctionWriter([ValueType.i32, ValueType.i32, ValueType.i32, ValueType.i32]);
  const [x, y, out, vectors] = f.params as [Local, Local, Local, Local];
  const a = f.local(ValueType.v128);
  const sum = f.local(ValueType.v128);
  f.repeatUnlessZero(vectors, () => {
    f.get(x).v128Load().set(a);
    f.get(y).v128Load().set(sum);
    f.multiplyAdd(sum, a, a, fused);
    f.get(out).get(sum).v128Store();
    f.addTo(x, 16).addTo(y, 16).addTo(out, 16);
  });
  return encodeModule([{ name: 'axpy', writer: f }]);
}

describe('simdRuntime', () => {
  afterEach(() => {
    setGeneratedKernelsEnabled(true);
    setFusedMultiplyAddEnabled(true);
  });

  it('runs generated kernels on the memory it finds (a column sum of a 3×5 matrix)', () => {
    expect(simdSupported()).toBe(true);
    const memory = new Memory({ initial: 1 });
    const runtime = simdRuntime(fakeBackend(memory))!;
    expect(runtime).toBeDefined();
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500], 16);
    runtime.kernel(COLUMN_SUM_KEY, buildColumnSumModule)['columnSum']!(64, 256, 3, 5, 0, 1, 1);
    expect(Array.from(heap.subarray(64, 69))).toEqual([111, 222, 333, 444, 555]);
  });

  it('compiles a kernel once per key and memory', () => {
    const runtime = simdRuntime(fakeBackend(new Memory({ initial: 1 })))!;
    let builds = 0;
    const build = () => {
      builds++;
      return buildColumnSumModule();
    };
    expect(runtime.kernel('once', build)).toBe(runtime.kernel('once', build));
    expect(builds).toBe(1);
  });

  it('declines a shared (threaded) memory and anything without a memory, so kernels fall back', () => {
    expect(simdRuntime(fakeBackend(new Memory({ initial: 1, maximum: 2, shared: true })))).toBeUndefined();
    expect(simdRuntime({ wasm: {} })).toBeUndefined();
    expect(simdRuntime(null)).toBeUndefined();
  });

  it('can be switched off for the fallback paths', () => {
    setGeneratedKernelsEnabled(false);
    expect(simdRuntime(fakeBackend(new Memory({ initial: 1 })))).toBeUndefined();
  });

  it('builds with relaxed SIMD multiply-add on Node 20 (its V8 flag turned on), and without it when switched off', () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(codeOptions()).toEqual({ fusedMultiplyAdd: true });
    setFusedMultiplyAddEnabled(false);
    expect(codeOptions()).toEqual({ fusedMultiplyAdd: false });
  });

  it('keeps one compiled module per key and code options', () => {
    const runtime = simdRuntime(fakeBackend(new Memory({ initial: 1 })))!;
    const built: boolean[] = [];
    const build = (code: { fusedMultiplyAdd: boolean }) => {
      built.push(code.fusedMultiplyAdd);
      return multiplyAddModule(code.fusedMultiplyAdd);
    };
    const fused = runtime.kernel('axpy', build);
    setFusedMultiplyAddEnabled(false);
    const unfused = runtime.kernel('axpy', build);
    expect(unfused).not.toBe(fused);
    expect(runtime.kernel('axpy', build)).toBe(unfused);
    expect(built).toEqual([true, false]);
  });

  it('multiplyAdd gives a·b + c fused or not: equal up to one rounding', () => {
    const memory = new Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    const x = Float32Array.from({ length: 8 }, (_, i) => 1 + i / 3 + 1e-4);
    const y = Float32Array.from({ length: 8 }, (_, i) => -(i + 1) * 0.7);
    heap.set(x, 0);
    heap.set(y, 8);
    const results = [true, false].map((fused) => {
      const instance = new Wasm.Instance(new Wasm.Module(multiplyAddModule(fused)), { env: { memory } });
      instance.exports['axpy']!(0, 32, 64, 2);
      return Array.from(heap.subarray(16, 24));
    });
    for (let i = 0; i < 8; i++) {
      const exact = (x[i] as number) * (x[i] as number) + (y[i] as number);
      for (const result of results) expect(Math.abs((result[i] as number) - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -22);
    }
  });
});
