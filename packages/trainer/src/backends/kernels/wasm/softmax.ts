import type * as tf from '@tensorflow/tfjs';
import { runWasmKernel } from './delegate.js';
import { asWasmBackend, heapAddress, heapFloats } from './heap.js';
import { simdRuntime } from './simd/runtime.js';
import { buildSoftmaxModule, rowsPerUnit, softmaxKey, softmaxLayout } from './simd/softmax.js';

/** e^(x − max) / Σ e^(x − max) along each row of `channels`, in JS: the rows the SIMD kernel leaves. */
function softmaxRows(x: Float32Array, y: Float32Array, channels: number): void {
  for (let row = 0; row < x.length; row += channels) {
    let max = -Infinity;
    for (let c = 0; c < channels; c++) max = Math.max(max, x[row + c]!);
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const e = Math.fround(Math.exp(x[row + c]! - max));
      y[row + c] = e;
      sum += e;
    }
    for (let c = 0; c < channels; c++) y[row + c] = y[row + c]! / Math.fround(sum);
  }
}

/**
 * Softmax on tfjs-backend-wasm over the last axis by a generated SIMD kernel (a vectorised
 * e^x): tfjs's own kernel takes about 7 ns a float, most of a training step with softmax as the
 * hidden activation. Other axes, dtypes and engines without SIMD go to tfjs's kernel.
 */
export const softmaxWasm: tf.KernelFunc = (args) => {
  const { logits } = args.inputs as { logits?: tf.TensorInfo };
  const dim = (args.attrs as { dim?: number } | undefined)?.dim;
  if (logits === undefined) throw new Error('Softmax: needs input logits');
  const rank = logits.shape.length;
  const channels = logits.shape[rank - 1] ?? 0;
  const runtime = simdRuntime(args.backend);
  const lastAxis = dim === rank - 1 || dim === -1;
  if (runtime === undefined || !lastAxis || logits.dtype !== 'float32' || softmaxLayout(channels) === undefined) {
    return runWasmKernel('Softmax', args.backend, args.inputs, args.attrs ?? {});
  }
  const wasm = asWasmBackend(args.backend, 'Softmax');
  const out = wasm.makeOutput([...logits.shape], 'float32');
  const rows = logits.shape.reduce((size, d) => size * d, 1) / channels;
  const count = Math.floor(rows / rowsPerUnit(channels));
  runtime.kernel(softmaxKey(channels), () => buildSoftmaxModule(channels))['softmax']!(heapAddress(wasm, logits), heapAddress(wasm, out), count);
  const done = count * rowsPerUnit(channels) * channels;
  if (done < rows * channels) softmaxRows(heapFloats(wasm, logits).subarray(done), heapFloats(wasm, out).subarray(done), channels);
  return out;
};

/**
 * Softmax's gradient from its output over rows of `channels` with the generated kernel, at byte
 * addresses; returns how many floats it did (the caller finishes the rest), 0 when it cannot run.
 */
export function softmaxGradSimd(backend: unknown, dy: tf.TensorInfo, y: tf.TensorInfo, dx: tf.TensorInfo, channels: number): number {
  const runtime = simdRuntime(backend);
  if (runtime === undefined || softmaxLayout(channels) === undefined) return 0;
  const wasm = asWasmBackend(backend, 'softmaxGrad');
  const rows = y.shape.reduce((size, d) => size * d, 1) / channels;
  const count = Math.floor(rows / rowsPerUnit(channels));
  runtime.kernel(softmaxKey(channels), () => buildSoftmaxModule(channels))['softmaxGrad']!(heapAddress(wasm, dy), heapAddress(wasm, y), heapAddress(wasm, dx), count);
  return count * rowsPerUnit(channels) * channels;
}
