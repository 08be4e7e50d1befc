import * as tf from '@tensorflow/tfjs';
import { transpose2d } from '../matrix.js';
import { runWasmKernel, wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapFloats } from './heap.js';

const sizeOf = (dims: readonly number[]): number => dims.reduce((size, dim) => size * dim, 1);

/**
 * BatchMatMul on tfjs-backend-wasm that keeps transposed single-matrix products on XNNPACK.
 * tfjs's wasm kernel sends any transposeA/transposeB product to a scalar loop; the dense layers'
 * gradients (x^T·dy and dy·W^T) are exactly those. Here the transposed operand is copied out
 * transposed (cheap next to the product) and the plain product runs in XNNPACK's GEMM.
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
  const scratch = new HeapScratch(wasm);
  try {
    const left = transposeA ? scratch.alloc([1, m, k]) : { dataId: a.dataId, shape: [1, m, k], dtype: 'float32' as const };
    // Always a private B: XNNPACK caches its packed weights under B's tensor id.
    const right = scratch.alloc([1, k, n]);
    if (transposeA) transpose2d(heapFloats(wasm, a), aRows, aCols, heapFloats(wasm, left));
    if (transposeB) transpose2d(heapFloats(wasm, b), bRows, bCols, heapFloats(wasm, right));
    else heapFloats(wasm, right).set(heapFloats(wasm, b));
    const product = wasmMatMul(wasm, left, right);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    return { dataId: product.dataId, shape: [...outer, m, n], dtype: 'float32' };
  } finally {
    scratch.release();
  }
};
