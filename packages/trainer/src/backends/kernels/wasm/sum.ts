import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../../tfjs.js';
import { runWasmKernel } from './delegate.js';
import { asWasmBackend, heapAddress } from './heap.js';
import { buildColumnSumModule, COLUMN_SUM_KEY } from './simd/column-sum.js';
import { simdRuntime } from './simd/runtime.js';

/**
 * Sum on tfjs-backend-wasm that reduces leading axes (e.g. a convolution's bias gradient, summed
 * over batch, rows and columns) with a SIMD column sum in place. tfjs's own kernel first
 * transposes such inputs so the reduced axes come last; every other case goes to it unchanged.
 */
export const sumWasm: tf.KernelFunc = (args) => {
  const { x } = args.inputs as tf.SumInputs;
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  if (x === undefined) throw new Error('Sum: needs input x');
  const axes = [...new Set(tfjs.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  const runtime = leading && x.dtype === 'float32' ? simdRuntime(args.backend) : undefined;
  const rows = x.shape.slice(0, axes.length).reduce((size, dim) => size * dim, 1);
  const cols = x.shape.slice(axes.length).reduce((size, dim) => size * dim, 1);
  if (runtime === undefined || rows === 0 || cols === 0) return runWasmKernel('Sum', args.backend, args.inputs, args.attrs ?? {});
  const wasm = asWasmBackend(args.backend, 'Sum');
  const outShape = keepDims ? x.shape.map((dim, i) => (i < axes.length ? 1 : dim)) : x.shape.slice(axes.length);
  const out = wasm.makeOutput(outShape, 'float32');
  const kernel = runtime.kernel(COLUMN_SUM_KEY, buildColumnSumModule);
  const blocks16 = Math.floor(cols / 16);
  const blocks4 = Math.floor((cols % 16) / 4);
  kernel['columnSum']!(heapAddress(wasm, x), heapAddress(wasm, out), rows, cols, blocks16, blocks4, cols % 4);
  return out;
};
