import type * as tf from '@tensorflow/tfjs';
import { onWasm } from '../array-kernel.js';
import { avgPoolGradKernel, maxPoolGradKernel, poolGeometryFromAttrs } from '../pool-grad.js';
import { asWasmBackend, heapAddress, heapFloats, requireFloat32 } from './heap.js';
import { buildAvgPoolGradModule, buildMaxPoolGradModule, poolGradientFits, poolGradientKey, windowsCoverInput } from './simd/pool-grad.js';
import { simdRuntime } from './simd/runtime.js';

/**
 * AvgPoolGrad or MaxPoolGrad on tfjs-backend-wasm: a SIMD kernel generated for the geometry when
 * the windows are disjoint and inside the image (LeNet's pools), else the JS loops over heap views.
 */
function poolGradWasm(kind: 'avg' | 'max'): tf.KernelFunc {
  const kernelName = kind === 'avg' ? 'AvgPoolGrad' : 'MaxPoolGrad';
  const fallback = onWasm(kind === 'avg' ? avgPoolGradKernel : maxPoolGradKernel);
  return (args) => {
    const wasm = asWasmBackend(args.backend, kernelName);
    const { dy, input } = args.inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
    if (dy === undefined || input === undefined) throw new Error(`${kernelName}: needs inputs dy and input`);
    requireFloat32(kernelName, { dy, input });
    const g = poolGeometryFromAttrs(input, args.attrs ?? {});
    const runtime = simdRuntime(wasm);
    if (runtime === undefined || !poolGradientFits(g) || g.batch === 0 || g.channels === 0) return fallback(args);
    // The kernels' vector loads may reach 3 floats past the ends of dy and x.
    const heapEnd = runtime.memory.buffer.byteLength;
    const dyEnd = heapAddress(wasm, dy) + (dy.shape.reduce((size, dim) => size * dim, 1) + 4) * 4;
    const xEnd = heapAddress(wasm, input) + (input.shape.reduce((size, dim) => size * dim, 1) + 4) * 4;
    if (dyEnd > heapEnd || (kind === 'max' && xEnd > heapEnd)) return fallback(args);
    const kernel = runtime.kernel(poolGradientKey(kind, g), () =>
      kind === 'avg' ? buildAvgPoolGradModule(g) : buildMaxPoolGradModule(g),
    );
    const dx = wasm.makeOutput([...input.shape], 'float32');
    // The kernel writes every pixel of every window; only pixels outside them need zeroing first.
    if (!windowsCoverInput(g)) heapFloats(wasm, dx).fill(0);
    const dxAddress = heapAddress(wasm, dx);
    if (kind === 'avg') kernel['avgPoolGrad']!(heapAddress(wasm, dy), dxAddress, g.batch);
    else kernel['maxPoolGrad']!(heapAddress(wasm, dy), dxAddress, heapAddress(wasm, input) - dxAddress, g.batch);
    return dx;
  };
}

/** AvgPoolGrad for tfjs-backend-wasm. */
export const avgPoolGradWasm = poolGradWasm('avg');
/** MaxPoolGrad for tfjs-backend-wasm. */
export const maxPoolGradWasm = poolGradWasm('max');
