import type * as tf from '@tensorflow/tfjs';
import { checkOutputShape, type ConvGeometry, convGeometry, outputPositions, patchSize } from '../geometry.js';
import { col2imAdd } from '../im2col.js';
import { wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapAddress, heapFloats, requireFloat32, type WasmHeapBackend } from './heap.js';
import { cropFromPadded } from './padding.js';
import { paddedInput } from './simd/filter-gradient.js';
import { buildInputGradientModule, inputGradientFilter, inputGradientKey, inputGradientRun } from './simd/input-gradient.js';
import { type SimdRuntime, simdRuntime } from './simd/runtime.js';

/**
 * Most bytes of im2col-shaped columns one GEMM of the fallbacks writes; larger batches go through
 * in chunks. The size of a core's L2 cache on the development machine (AMD EPYC, 512 KiB): col2im
 * then reads the columns from L2, not from memory. Against 16 MiB (one chunk for LeNet's batches),
 * it took 8-18% less CPU per Conv2DBackpropInput at batch 64 and 11-26% at batch 128 (same at
 * 32), alternating in one process under load 10-11.
 */
export const COLUMN_SCRATCH_BYTES = 512 * 1024;

/**
 * dx for an NHWC convolution on tfjs-backend-wasm. Where the engine has WebAssembly SIMD, a kernel
 * generated for the geometry adds each dy position's filter-row runs onto dx without writing the
 * im2col columns (`simd/input-gradient.ts`). Otherwise the columns dy · Wᵀ come from the backend's
 * XNNPACK GEMM and a JS loop adds them back onto the image (col2im), in chunks of at most
 * {@link COLUMN_SCRATCH_BYTES}. Any stride and padding. Output is `inputShape`.
 */
export const conv2DBackpropInputWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const kernelName = 'Conv2DBackpropInput';
  const wasm = asWasmBackend(backend, kernelName);
  const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
  if (dy === undefined || filter === undefined) throw new Error(`${kernelName}: needs inputs dy and filter`);
  requireFloat32(kernelName, { dy, filter });
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
  const g = convGeometry({
    kernelName,
    inputShape: a.inputShape,
    filterShape: filter.shape,
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
    dataFormat: a.dataFormat,
    dilations: a.dilations,
  });
  checkOutputShape(g, dy.shape, kernelName);
  const dx = wasm.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], 'float32');
  if (outputPositions(g) === 0 || patchSize(g) * g.outChannels === 0) {
    heapFloats(wasm, dx).fill(0);
    return dx;
  }
  try {
    const runtime = simdRuntime(wasm);
    if (runtime === undefined) inputGradientViaColumns(wasm, dy, filter, g, dx);
    else generatedInputGradient(wasm, runtime, dy, filter, g, dx);
    return dx;
  } catch (error) {
    wasm.disposeData(dx.dataId);
    throw error;
  }
};

function generatedInputGradient(
  wasm: WasmHeapBackend,
  runtime: SimdRuntime,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  dx: tf.TensorInfo,
): void {
  const input = paddedInput(g);
  const kernel = runtime.kernel(inputGradientKey(g, input), (code) => buildInputGradientModule(g, input, code));
  const scratch = new HeapScratch(wasm);
  try {
    const wt = scratch.alloc([g.filterHeight * g.outChannels * inputGradientRun(g)]);
    const padded = input.copy ? scratch.alloc([g.batch, input.height, input.width, g.inChannels]) : undefined;
    // Views only now: the allocations above may have grown (and detached) the heap.
    inputGradientFilter(heapFloats(wasm, filter), g, heapFloats(wasm, wt));
    const target = padded ?? dx;
    heapFloats(wasm, target).fill(0);
    kernel['inputGradient']!(heapAddress(wasm, dy), heapAddress(wasm, wt), heapAddress(wasm, target), g.batch);
    if (padded !== undefined) cropFromPadded(heapFloats(wasm, padded), g, input, heapFloats(wasm, dx));
  } finally {
    scratch.release();
  }
}

function inputGradientViaColumns(
  wasm: WasmHeapBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  dx: tf.TensorInfo,
): void {
  const patch = patchSize(g);
  const co = g.outChannels;
  const imagePositions = g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(COLUMN_SCRATCH_BYTES / (imagePositions * patch * 4))));
  const scratch = new HeapScratch(wasm);
  try {
    const filterT = scratch.alloc([1, co, patch]);
    const dyChunk = chunk === g.batch ? undefined : scratch.alloc([1, chunk * imagePositions, co]);
    transposeFilter(heapFloats(wasm, filter), patch, co, heapFloats(wasm, filterT));
    const imageSize = g.inHeight * g.inWidth * g.inChannels;
    for (let first = 0; first < g.batch; first += chunk) {
      const count = Math.min(chunk, g.batch - first);
      const rows = count * imagePositions;
      let left: tf.TensorInfo;
      if (dyChunk === undefined) {
        left = { dataId: dy.dataId, shape: [1, rows, co], dtype: 'float32' };
      } else {
        const source = heapFloats(wasm, dy).subarray(first * imagePositions * co, (first + count) * imagePositions * co);
        heapFloats(wasm, dyChunk).set(source);
        left = count === chunk ? dyChunk : { dataId: dyChunk.dataId, shape: [1, rows, co], dtype: 'float32' };
      }
      const columns = wasmMatMul(wasm, left, filterT);
      try {
        const dxChunk = heapFloats(wasm, dx).subarray(first * imageSize, (first + count) * imageSize);
        dxChunk.fill(0);
        col2imAdd(heapFloats(wasm, columns), { ...g, batch: count }, dxChunk);
      } finally {
        wasm.disposeData(columns.dataId);
      }
    }
  } finally {
    scratch.release();
  }
}

/** filterT[o, k] = filter[k, o]: Wᵀ as the GEMM's B operand, a fresh tensor each call. */
function transposeFilter(filter: Float32Array, patch: number, co: number, filterT: Float32Array): void {
  for (let k = 0; k < patch; k++) {
    for (let o = 0; o < co; o++) filterT[o * patch + k] = filter[k * co + o] as number;
  }
}
