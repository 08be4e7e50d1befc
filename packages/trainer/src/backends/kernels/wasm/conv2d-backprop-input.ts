import type * as tf from '@tensorflow/tfjs';
import { checkOutputShape, type ConvGeometry, convGeometry, outputPositions, patchSize } from '../geometry.js';
import { col2imAdd } from '../im2col.js';
import { runWasmKernel, wasmMatMul } from './delegate.js';
import { asWasmBackend, HeapScratch, heapFloats, requireFloat32, type WasmHeapBackend } from './heap.js';

/**
 * dx for an NHWC convolution on tfjs-backend-wasm. With stride 1 it is itself a convolution of
 * dy with the filter flipped in space and transposed in channels, which runs in the backend's
 * XNNPACK Conv2D; other strides take dy · Wᵀ in XNNPACK's GEMM and scatter it back (col2im).
 * Output is `inputShape`.
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
  const inputShape = [g.batch, g.inHeight, g.inWidth, g.inChannels];
  if (outputPositions(g) === 0 || patchSize(g) * g.outChannels === 0) {
    const out = wasm.makeOutput(inputShape, 'float32');
    heapFloats(wasm, out).fill(0);
    return out;
  }
  const pads = fullCorrelationPads(g);
  return pads === undefined ? viaColumns(wasm, dy, filter, g) : viaConvolution(wasm, dy, filter, g, pads);
};

/**
 * The pads of the 'full' correlation that maps dy back onto the input (stride 1 only). Bottom and
 * right come from the sizes, not from the forward pads: with a numeric pad tfjs sizes both output
 * axes from the filter's height, so the forward op may leave input columns unread.
 */
function fullCorrelationPads(g: ConvGeometry): [number, number, number, number] | undefined {
  if (g.strideHeight !== 1 || g.strideWidth !== 1) return undefined;
  const pads: [number, number, number, number] = [
    g.filterHeight - 1 - g.padTop,
    g.inHeight - g.outHeight + g.padTop,
    g.filterWidth - 1 - g.padLeft,
    g.inWidth - g.outWidth + g.padLeft,
  ];
  return pads.every((pad) => pad >= 0) ? pads : undefined;
}

function viaConvolution(
  wasm: WasmHeapBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  [top, bottom, left, right]: [number, number, number, number],
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = g;
  const scratch = new HeapScratch(wasm);
  try {
    // A fresh tensor (XNNPACK caches its packed filter under the filter's id).
    const flipped = scratch.alloc([kh, kw, co, ci]);
    const source = heapFloats(wasm, filter);
    const target = heapFloats(wasm, flipped);
    // flipped[r, c, o, i] = filter[kh-1-r, kw-1-c, i, o]
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        const sourceTap = ((kh - 1 - r) * kw + (kw - 1 - c)) * ci * co;
        const targetTap = (r * kw + c) * co * ci;
        for (let i = 0; i < ci; i++) {
          for (let o = 0; o < co; o++) target[targetTap + o * ci + i] = source[sourceTap + i * co + o] as number;
        }
      }
    }
    const pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    const dx = runWasmKernel(
      'Conv2D',
      wasm,
      { x: dy, filter: flipped },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] } as unknown as tf.NamedAttrMap,
    );
    const expected = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    if (dx.shape.some((dim, i) => dim !== expected[i])) {
      wasm.disposeData(dx.dataId);
      throw new Error(`Conv2DBackpropInput: full correlation gave [${dx.shape.join(', ')}], expected [${expected.join(', ')}]`);
    }
    return dx;
  } finally {
    scratch.release();
  }
}

function viaColumns(wasm: WasmHeapBackend, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const positions = outputPositions(g);
  const patch = patchSize(g);
  const co = g.outChannels;
  const scratch = new HeapScratch(wasm);
  const dx = wasm.makeOutput([g.batch, g.inHeight, g.inWidth, g.inChannels], 'float32');
  try {
    const filterT = scratch.alloc([1, co, patch]);
    const source = heapFloats(wasm, filter);
    const target = heapFloats(wasm, filterT);
    for (let k = 0; k < patch; k++) {
      for (let o = 0; o < co; o++) target[o * patch + k] = source[k * co + o] as number;
    }
    const rows: tf.TensorInfo = { dataId: dy.dataId, shape: [1, positions, co], dtype: 'float32' };
    const columns = scratch.adopt(wasmMatMul(wasm, rows, filterT));
    const dxValues = heapFloats(wasm, dx);
    dxValues.fill(0);
    col2imAdd(heapFloats(wasm, columns), g, dxValues);
    return dx;
  } catch (error) {
    wasm.disposeData(dx.dataId);
    throw error;
  } finally {
    scratch.release();
  }
}
