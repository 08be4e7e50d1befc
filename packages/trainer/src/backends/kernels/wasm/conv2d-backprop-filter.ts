import type * as tf from '@tensorflow/tfjs';
import { checkOutputShape, type ConvGeometry, convGeometry, outputPositions, patchSize } from '../geometry.js';
import { im2colTransposed } from '../im2col.js';
import { COLUMN_SCRATCH_BYTES } from './conv2d-backprop-input.js';
import { wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapAddress, heapFloats, requireFloat32, type WasmHeapBackend } from './heap.js';
import {
  buildFilterGradientModule,
  filterGradientKey,
  filterGradientPasses,
  MAX_GENERATED_PASSES,
  paddedInput,
  paddedOutChannels,
} from './simd/filter-gradient.js';
import { buildPadModule, padKey } from './simd/pad.js';
import { type SimdRuntime, simdRuntime } from './simd/runtime.js';

/** Conv2DBackpropFilter's attributes, plus `dilations` when a caller passes them (rejected unless 1). */
export type Conv2DBackpropFilterKernelAttrs = tf.Conv2DBackpropFilterAttrs & {
  dilations?: number | [number, number];
};

/**
 * dW = Σ_p im2col(x)[p]ᵀ · dy[p] on tfjs-backend-wasm. Where the engine has WebAssembly SIMD
 * (Node 16.4+, current browsers) a kernel generated for the geometry runs in the backend's own
 * heap without writing the im2col matrix; otherwise (or for filters too large to unroll, see
 * {@link MAX_GENERATED_PASSES}) the transposed im2col matrix is written by a JS loop and
 * multiplied in the backend's XNNPACK GEMM, a batch chunk at a time.
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
  if (outputPositions(g) === 0 || patchSize(g) * g.outChannels === 0) {
    const out = wasm.makeOutput(filterShape, 'float32');
    heapFloats(wasm, out).fill(0);
    return out;
  }
  const runtime = filterGradientPasses(g) <= MAX_GENERATED_PASSES ? simdRuntime(wasm) : undefined;
  return runtime === undefined ? viaIm2col(wasm, x, dy, g, filterShape) : viaSimd(wasm, runtime, x, dy, g, filterShape);
};

function viaSimd(
  wasm: WasmHeapBackend,
  runtime: SimdRuntime,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): tf.TensorInfo {
  const input = paddedInput(g);
  const outStride = paddedOutChannels(g);
  const patch = patchSize(g);
  const dyLength = outputPositions(g) * g.outChannels;
  const kernel = runtime.kernel(filterGradientKey(g, input), (code) => buildFilterGradientModule(g, input, undefined, code));
  const scratch = new HeapScratch(wasm);
  const out = wasm.makeOutput(filterShape, 'float32');
  try {
    const padded = input.copy ? scratch.alloc([g.batch, input.height, input.width, g.inChannels]) : undefined;
    const product = outStride === g.outChannels ? out : scratch.alloc([patch, outStride]);
    // The kernel's vector loads of dy may reach (outStride - outChannels) floats past its end.
    const dyEnd = heapAddress(wasm, dy) + (dyLength + outStride - g.outChannels) * 4;
    const gradient = dyEnd <= runtime.memory.buffer.byteLength ? dy : scratch.alloc([dyLength + outStride]);
    // Heap views only now: the allocations above may have grown (and detached) the heap.
    if (gradient !== dy) {
      const copy = heapFloats(wasm, gradient);
      copy.fill(0, dyLength);
      copy.set(heapFloats(wasm, dy));
    }
    heapFloats(wasm, product).fill(0);
    if (padded !== undefined) {
      heapFloats(wasm, padded).fill(0);
      runtime.kernel(padKey(g, input), () => buildPadModule(g, input))['pad']!(heapAddress(wasm, x), heapAddress(wasm, padded), g.batch);
    }
    kernel['filterGradient']!(
      heapAddress(wasm, padded ?? x),
      heapAddress(wasm, gradient),
      heapAddress(wasm, product),
      g.batch,
    );
    if (product !== out) {
      const wide = heapFloats(wasm, product);
      const narrow = heapFloats(wasm, out);
      for (let k = 0; k < patch; k++) {
        for (let o = 0; o < g.outChannels; o++) narrow[k * g.outChannels + o] = wide[k * outStride + o] as number;
      }
    }
    return out;
  } catch (error) {
    wasm.disposeData(out.dataId);
    throw error;
  } finally {
    scratch.release();
  }
}

function viaIm2col(
  wasm: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): tf.TensorInfo {
  const patch = patchSize(g);
  const co = g.outChannels;
  const imagePositions = g.outHeight * g.outWidth;
  const imageSize = g.inHeight * g.inWidth * g.inChannels;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(COLUMN_SCRATCH_BYTES / (imagePositions * patch * 4))));
  const scratch = new HeapScratch(wasm);
  const out = wasm.makeOutput(filterShape, 'float32');
  try {
    const columns = scratch.alloc([1, patch, chunk * imagePositions]);
    heapFloats(wasm, out).fill(0);
    for (let first = 0; first < g.batch; first += chunk) {
      const count = Math.min(chunk, g.batch - first);
      const rows = count * imagePositions;
      const part: ConvGeometry = { ...g, batch: count };
      // A fresh copy of dy per chunk: XNNPACK caches its packed B under the B tensor's id.
      const gradient = wasm.makeOutput([1, rows, co], 'float32');
      try {
        heapFloats(wasm, gradient).set(
          heapFloats(wasm, dy).subarray(first * imagePositions * co, (first + count) * imagePositions * co),
        );
        im2colTransposed(heapFloats(wasm, x).subarray(first * imageSize), part, heapFloats(wasm, columns));
        const product = wasmMatMul(wasm, { dataId: columns.dataId, shape: [1, patch, rows], dtype: 'float32' }, gradient);
        const sum = heapFloats(wasm, out);
        const values = heapFloats(wasm, product);
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number);
        wasm.disposeData(product.dataId);
      } finally {
        wasm.disposeData(gradient.dataId);
      }
    }
    return out;
  } catch (error) {
    wasm.disposeData(out.dataId);
    throw error;
  } finally {
    scratch.release();
  }
}
