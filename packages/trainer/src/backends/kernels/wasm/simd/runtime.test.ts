import { afterEach, describe, expect, it } from 'vitest';
import { buildColumnSumModule, COLUMN_SUM_KEY } from './column-sum.js';
import { setGeneratedKernelsEnabled, simdRuntime, simdSupported, type WasmMemory } from './runtime.js';

interface MemoryConstructor {
  new (descriptor: { initial: number; maximum?: number; shared?: boolean }): WasmMemory;
}
const Memory = (globalThis as unknown as { WebAssembly: { Memory: MemoryConstructor } }).WebAssembly.Memory;

/** Stands in for tfjs-backend-wasm: generated kernels only need `wasm.asm.memory`. */
function fakeBackend(memory: WasmMemory): object {
  return { wasm: { asm: { memory } } };
}

describe('simdRuntime', () => {
  afterEach(() => setGeneratedKernelsEnabled(true));

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
});
