import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../../tfjs.js';
import { transpose2d } from '../matrix.js';
import { runWasmKernel, wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapAddress, heapFloats, type WasmHeapBackend } from './heap.js';
import { buildGemmModule, gemmFits, gemmKey, gemmOverRead, type GemmSpec } from './simd/dense-gemm.js';
import { simdRuntime } from './simd/runtime.js';

const sizeOf = (dims: readonly number[]): number => dims.reduce((size, dim) => size * dim, 1);

/**
 * Aᵀ·B or A·Bᵀ by a kernel generated for the sizes (no transposed copy, no repacking), or
 * undefined where none applies (no SIMD, sizes it does not take, B too close to the heap's end).
 */
function viaGeneratedGemm(wasm: WasmHeapBackend, backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, spec: GemmSpec): tf.TensorInfo | undefined {
  const runtime = simdRuntime(backend);
  if (runtime === undefined || !gemmFits(spec)) return undefined;
  const bEnd = heapAddress(wasm, b) + (sizeOf(b.shape) + gemmOverRead(spec)) * 4;
  if (bEnd > runtime.memory.buffer.byteLength) return undefined;
  const out = wasm.makeOutput([spec.m, spec.n], 'float32');
  runtime.kernel(gemmKey(spec), (code) => buildGemmModule(spec, code))['gemm']!(heapAddress(wasm, a), heapAddress(wasm, b), heapAddress(wasm, out), 0);
  return out;
}

/**
 * _FusedMatMul on tfjs-backend-wasm: a single product A·B with a bias [N] and a linear or relu
 * activation (a dense layer's forward pass) by a generated kernel, which reads the weights as
 * they are where XNNPACK first repacks them (every step, since training replaces them); anything
 * else goes to tfjs's own kernel.
 */
export const fusedMatMulWasm: tf.KernelFunc = (args) => {
  const { a, b, bias, preluActivationWeights } = args.inputs as tf._FusedMatMulInputs;
  const { transposeA, transposeB, activation } = args.attrs as unknown as tf._FusedMatMulAttrs;
  const runtime = simdRuntime(args.backend);
  const [m = 0, t = 0] = a?.shape.slice(-2) ?? [];
  const n = b?.shape[b.shape.length - 1] ?? 0;
  const spec: GemmSpec = { kind: 'nn', m, n, t, bias: bias !== undefined, relu: activation === 'relu' };
  const handled =
    runtime !== undefined &&
    a !== undefined &&
    b !== undefined &&
    !transposeA &&
    !transposeB &&
    preluActivationWeights === undefined &&
    (activation === undefined || activation === 'linear' || activation === 'relu') &&
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    a.shape.length >= 2 &&
    b.shape.length >= 2 &&
    sizeOf(a.shape.slice(0, -2)) === 1 &&
    sizeOf(b.shape.slice(0, -2)) === 1 &&
    b.shape[b.shape.length - 2] === t &&
    (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n)) &&
    gemmFits(spec);
  if (!handled) return runWasmKernel('_FusedMatMul', args.backend, args.inputs, args.attrs ?? {});
  const wasm = asWasmBackend(args.backend, '_FusedMatMul');
  const overRead = gemmOverRead(spec) * 4;
  const heapEnd = runtime.memory.buffer.byteLength;
  const bEnd = heapAddress(wasm, b) + sizeOf(b.shape) * 4 + overRead;
  const biasEnd = bias === undefined ? 0 : heapAddress(wasm, bias) + n * 4 + overRead;
  if (bEnd > heapEnd || biasEnd > heapEnd) return runWasmKernel('_FusedMatMul', args.backend, args.inputs, args.attrs ?? {});
  const outer = tfjs.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = wasm.makeOutput([...outer, m, n], 'float32');
  runtime.kernel(gemmKey(spec), (code) => buildGemmModule(spec, code))['gemm']!(heapAddress(wasm, a), heapAddress(wasm, b), heapAddress(wasm, out), bias === undefined ? 0 : heapAddress(wasm, bias));
  return out;
};

/**
 * BatchMatMul on tfjs-backend-wasm for transposed single-matrix products. tfjs's wasm kernel
 * sends any transposeA/transposeB product to a scalar loop; the dense layers' gradients (x^T·dy
 * and dy·W^T) are exactly those. They run in kernels generated for their sizes (see
 * {@link buildGemmModule}) where those apply; otherwise the transposed operand is copied out
 * transposed and the plain product runs in XNNPACK's GEMM.
 * Batched (more than one matrix) or non-float32 products go to tfjs's own kernel unchanged.
 */
export const batchMatMulWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  if (a === undefined || b === undefined) throw new Error('BatchMatMul: needs inputs a and b');
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const [aRows = 0, aCols = 0] = a.shape.slice(-2);
  const [bRows = 0, bCols = 0] = b.shape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const plain =
    !(transposeA || transposeB) ||
    sizeOf(outerA) !== 1 ||
    sizeOf(outerB) !== 1 ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    a.shape.length < 2 ||
    b.shape.length < 2 ||
    k !== (transposeB ? bCols : bRows) ||
    m * n * k === 0;
  if (plain) return runWasmKernel('BatchMatMul', backend, inputs, attrs ?? {});

  const wasm = asWasmBackend(backend, 'BatchMatMul');
  const outer = tfjs.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const generated = transposeA !== transposeB ? viaGeneratedGemm(wasm, backend, a, b, { kind: transposeA ? 'tn' : 'nt', m, n, t: k }) : undefined;
  if (generated !== undefined) return { dataId: generated.dataId, shape: [...outer, m, n], dtype: 'float32' };

  const scratch = new HeapScratch(wasm);
  try {
    const left = transposeA ? scratch.alloc([1, m, k]) : { dataId: a.dataId, shape: [1, m, k], dtype: 'float32' as const };
    // Always a private B: XNNPACK caches its packed weights under B's tensor id.
    const right = scratch.alloc([1, k, n]);
    if (transposeA) transpose2d(heapFloats(wasm, a), aRows, aCols, heapFloats(wasm, left));
    if (transposeB) transpose2d(heapFloats(wasm, b), bRows, bCols, heapFloats(wasm, right));
    else heapFloats(wasm, right).set(heapFloats(wasm, b));
    const product = wasmMatMul(wasm, left, right);
    return { dataId: product.dataId, shape: [...outer, m, n], dtype: 'float32' };
  } finally {
    scratch.release();
  }
};
