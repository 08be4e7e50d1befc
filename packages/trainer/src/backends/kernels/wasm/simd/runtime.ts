import { setFlagsFromString } from 'node:v8';
import { type CodeOptions, encodeModule, FunctionWriter, type Local, PORTABLE_CODE, ValueType } from './assembler.js';

/** Generated kernels keep their modules per memory; a key names one geometry's code. */
type KernelExports = Record<string, (...args: number[]) => void>;

/** A `WebAssembly.Memory`, typed locally (this package compiles without the DOM library). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The slice of the global `WebAssembly` API used here. */
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Runs generated SIMD modules against the tfjs wasm backend's own heap, so they read and write
 * tensors where they lie. Modules are compiled once per key (per geometry) and memory.
 */
export interface SimdRuntime {
  /** The backend's heap; kernels take byte addresses into it. */
  readonly memory: WasmMemory;
  /**
   * The exports of the module `build` makes for this engine's {@link CodeOptions}, compiled and
   * instantiated on first use of `key` with those options.
   */
  kernel(key: string, build: (code: CodeOptions) => Uint8Array): KernelExports;
}

const modulesByMemory = new WeakMap<WasmMemory, Map<string, KernelExports>>();
const runtimesByBackend = new WeakMap<object, SimdRuntime | null>();
let simdSupport: boolean | undefined;
let relaxedSimdSupport: boolean | undefined;
let generatedKernelsEnabled = true;
let fusedMultiplyAddEnabled = true;

/**
 * Turns the generated SIMD kernels off (or back on); the kernels then take their fallback paths
 * (im2col or GEMM in JS and XNNPACK). For tests of those paths and before/after measurements.
 * @default true
 */
export function setGeneratedKernelsEnabled(enabled: boolean): void {
  generatedKernelsEnabled = enabled;
}

/**
 * Turns `f32x4.relaxed_madd` in generated kernels off (or back on where the engine has it): the
 * kernels then multiply and add as two instructions. For tests and before/after measurements.
 * @default true
 */
export function setFusedMultiplyAddEnabled(enabled: boolean): void {
  fusedMultiplyAddEnabled = enabled;
}

/** The {@link CodeOptions} generated kernels are built with now. */
export function codeOptions(): CodeOptions {
  return fusedMultiplyAddEnabled && relaxedSimdSupported() ? { fusedMultiplyAdd: true } : PORTABLE_CODE;
}

/**
 * Whether this engine validates relaxed SIMD's `f32x4.relaxed_madd`. Node 20's V8 (11.3) has it
 * behind `--experimental-wasm-relaxed-simd`, which is turned on here when it is not on already
 * (the flag only lets modules compiled from then on use the proposal; V8 12, in Node 22, has it
 * on by default). On x86-64 with FMA, V8 compiles it to one fused multiply-add: one instruction
 * and one rounding instead of two in the kernels' inner loops.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxedSimdSupport === undefined) {
    const probe = new FunctionWriter([ValueType.v128, ValueType.v128, ValueType.v128], [ValueType.v128]);
    const [a, b, c] = probe.params as [Local, Local, Local];
    probe.get(a).get(b).get(c).f32x4RelaxedMadd();
    const bytes = encodeModule([{ name: 'probe', writer: probe }]);
    const validates = () => typeof wasmApi?.validate === 'function' && wasmApi.validate(bytes);
    relaxedSimdSupport = validates();
    if (!relaxedSimdSupport && simdSupported()) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedSimdSupport = validates();
    }
  }
  return relaxedSimdSupport;
}

/** Whether this engine validates WebAssembly SIMD (Node 16.4+ and current browsers do). */
export function simdSupported(): boolean {
  if (simdSupport === undefined) {
    const probe = new FunctionWriter([], [ValueType.f32]);
    probe.f32Const(1).f32x4Splat().f32x4ExtractLane(0);
    simdSupport = typeof wasmApi?.validate === 'function' && wasmApi.validate(encodeModule([{ name: 'probe', writer: probe }]));
  }
  return simdSupport;
}

function findMemory(backend: unknown): WasmMemory | undefined {
  const module = (backend as { wasm?: Record<string, unknown> } | null)?.wasm;
  if (module === undefined || module === null) return undefined;
  for (const holder of [module, module['asm'], module['wasmExports']]) {
    if (holder === null || typeof holder !== 'object') continue;
    for (const value of Object.values(holder as Record<string, unknown>)) {
      if (value instanceof wasmApi.Memory) return value;
    }
  }
  return undefined;
}

/**
 * The SIMD runtime for this wasm backend, or undefined where generated kernels cannot run
 * (no SIMD in the engine, or a tfjs build whose heap is not reachable); callers then fall back.
 */
export function simdRuntime(backend: unknown): SimdRuntime | undefined {
  if (!generatedKernelsEnabled || !simdSupported() || backend === null || typeof backend !== 'object') {
    return undefined;
  }
  const known = runtimesByBackend.get(backend);
  if (known !== undefined) return known ?? undefined;
  const memory = findMemory(backend);
  const runtime = memory !== undefined && canImport(memory) ? runtimeFor(memory) : undefined;
  runtimesByBackend.set(backend, runtime ?? null);
  return runtime;
}

/**
 * Whether a module importing `memory` as declared here links. A threaded tfjs build shares its
 * memory (SharedArrayBuffer), which a non-shared import does not match; callers then fall back.
 */
function canImport(memory: WasmMemory): boolean {
  try {
    const probe = new FunctionWriter([]);
    new wasmApi.Instance(new wasmApi.Module(encodeModule([{ name: 'probe', writer: probe }])), { env: { memory } });
    return true;
  } catch {
    return false;
  }
}

function runtimeFor(memory: WasmMemory): SimdRuntime {
  let modules = modulesByMemory.get(memory);
  if (modules === undefined) {
    modules = new Map();
    modulesByMemory.set(memory, modules);
  }
  const cache = modules;
  return {
    memory,
    kernel(key, build) {
      const code = codeOptions();
      const codeKey = `${code.fusedMultiplyAdd ? 'fma' : 'portable'}:${key}`;
      let exports = cache.get(codeKey);
      if (exports === undefined) {
        const instance = new wasmApi.Instance(new wasmApi.Module(build(code)), { env: { memory } });
        exports = instance.exports as unknown as KernelExports;
        cache.set(codeKey, exports);
      }
      return exports;
    },
  };
}
