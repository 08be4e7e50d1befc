import type * as tf from '@tensorflow/tfjs';
import { checkOutputShape, convGeometry, outputPositions, patchSize } from '../geometry.js';
import { im2colTransposed } from '../im2col.js';
import { wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapFloats, requireFloat32 } from './heap.js';

/** Conv2DBackpropFilter's attributes, plus `dilations` when a caller passes them (rejected unless 1). */
export type Conv2DBackpropFilterKernelAttrs = tf.Conv2DBackpropFilterAttrs & {
  dilations?: number | [number, number];
};

/**
 * dW = im2col(x)ᵀ · dy on tfjs-backend-wasm. The transposed im2col matrix is written straight
 * into the wasm heap by a JS loop; the product runs in the backend's XNNPACK SIMD GEMM.
 * Output [filterHeight, filterWidth, inChannels, outChannels].
 */
export const conv2DBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const kernelName = 'Conv2DBackpropFilter';
  const wasm = asWasmBackend(backend, kernelName);
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  if (x === undefined || dy === undefined) throw new Error(`${kernelName}: needs inputs x and dy`);
  requireFloat32(kernelName, { x, dy });
  const a = attrs as unknown as Conv2DBackpropFilterKernelAttrs;
  const g = convGeometry({
    kernelName,
    inputShape: x.shape,
    filterShape: a.filterShape,
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
    dataFormat: a.dataFormat,
    dilations: a.dilations,
  });
  checkOutputShape(g, dy.shape, kernelName);
  const filterShape = [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];
  const positions = outputPositions(g);
  const patch = patchSize(g);
  if (positions === 0 || patch * g.outChannels === 0) {
    const out = wasm.makeOutput(filterShape, 'float32');
    heapFloats(wasm, out).fill(0);
    return out;
  }
  const scratch = new HeapScratch(wasm);
  try {
    const columns = scratch.alloc([1, patch, positions]);
    // A private copy of dy: XNNPACK caches its packed weights under the B tensor's id.
    const gradient = scratch.alloc([1, positions, g.outChannels]);
    heapFloats(wasm, gradient).set(heapFloats(wasm, dy));
    im2colTransposed(heapFloats(wasm, x), g, heapFloats(wasm, columns));
    const product = wasmMatMul(wasm, columns, gradient);
    return { dataId: product.dataId, shape: filterShape, dtype: 'float32' };
  } finally {
    scratch.release();
  }
};
