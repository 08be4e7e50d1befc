import type * as tf from '@tensorflow/tfjs';
import { checkOutputShape, type ConvGeometry, convGeometry, outputPositions, patchSize } from '../geometry.js';
import { col2imAdd } from '../im2col.js';
import { wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapAddress, heapFloats, requireFloat32, type WasmHeapBackend } from './heap.js';
import { cropFromPadded } from './padding.js';
import { buildCol2imModule, col2imKey } from './simd/col2im.js';
import { paddedInput } from './simd/filter-gradient.js';
import { simdRuntime } from './simd/runtime.js';

/**
 * Most bytes of im2col-shaped columns one GEMM writes; larger batches go through in chunks. The
 * size of a core's L2 cache on the development machine (AMD EPYC, 512 KiB): col2im then reads the
 * columns from L2, not from memory. Against 16 MiB (one chunk for LeNet's batches), it took 8-18%
 * less CPU per Conv2DBackpropInput at batch 64 and 11-26% at batch 128 (same at 32), alternating
 * in one process under load 10-11.
 */
export const COLUMN_SCRATCH_BYTES = 512 * 1024;

/**
 * dx for an NHWC convolution on tfjs-backend-wasm: the columns dy · Wᵀ come from the backend's
 * XNNPACK GEMM, then are added back onto the image (col2im) by a SIMD kernel generated for the
 * geometry (a JS loop where the engine lacks SIMD). Any stride and padding; images go through in
 * chunks so the columns never exceed {@link COLUMN_SCRATCH_BYTES}. Output is `inputShape`.
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
    inputGradient(wasm, dy, filter, g, dx);
    return dx;
  } catch (error) {
    wasm.disposeData(dx.dataId);
    throw error;
  }
};

function inputGradient(
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
  const chunkGeometry: ConvGeometry = { ...g, batch: chunk };
  const input = paddedInput(g);
  const runtime = simdRuntime(wasm);
  const col2im = runtime?.kernel(col2imKey(g, input), () => buildCol2imModule(g, input));
  const scratch = new HeapScratch(wasm);
  try {
    const filterT = scratch.alloc([1, co, patch]);
    const dyChunk = chunk === g.batch ? undefined : scratch.alloc([1, chunk * imagePositions, co]);
    const padded =
      col2im !== undefined && input.copy ? scratch.alloc([chunk, input.height, input.width, g.inChannels]) : undefined;
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
        const part: ConvGeometry = count === chunk ? chunkGeometry : { ...g, batch: count };
        const dxChunk = heapFloats(wasm, dx).subarray(first * imageSize, (first + count) * imageSize);
        if (col2im === undefined) {
          dxChunk.fill(0);
          col2imAdd(heapFloats(wasm, columns), part, dxChunk);
        } else if (padded === undefined) {
          dxChunk.fill(0);
          col2im['col2im']!(heapAddress(wasm, columns), heapAddress(wasm, dx) + first * imageSize * 4, count);
        } else {
          heapFloats(wasm, padded).fill(0);
          col2im['col2im']!(heapAddress(wasm, columns), heapAddress(wasm, padded), count);
          cropFromPadded(heapFloats(wasm, padded), part, input, heapFloats(wasm, dx).subarray(first * imageSize));
        }
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
