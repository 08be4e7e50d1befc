import type * as tf from '@tensorflow/tfjs';
import { onWasm, onWasmMulti, type MultiArrayKernel } from '../array-kernel.js';
import { activationGradAttrs, activationGradKernel, runActivationGrad } from '../activation-grad.js';
import { adamUpdateKernel, rmspropUpdateKernel, sgdUpdateKernel } from '../optimizer-update.js';
import { runWasmKernel } from './delegate.js';
import { asWasmBackend, heapAddress, heapFloats, requireFloat32 } from './heap.js';
import { simdRuntime } from './simd/runtime.js';
import { buildElementwiseModule, ELEMENTWISE_KEY } from './simd/elementwise.js';
import { softmaxGradSimd } from './softmax.js';

const sizeOf = (shape: readonly number[]): number => shape.reduce((size, dim) => size * dim, 1);

/**
 * HptuneActivationGrad on tfjs-backend-wasm by generated SIMD kernels: relu and leaky relu over
 * whole vectors of four, softmax over whole rows (or groups of four rows); the floats left over,
 * softmax over channel counts with no generated kernel, and engines without SIMD by the JS loops.
 */
export const activationGradWasm: tf.KernelFunc = (args) => {
  const { activation, alpha } = activationGradAttrs(args.attrs ?? {});
  const runtime = simdRuntime(args.backend);
  if (runtime === undefined) return onWasmActivationGrad(args);
  const { dy, y } = args.inputs as { dy?: tf.TensorInfo; y?: tf.TensorInfo };
  if (dy === undefined || y === undefined) throw new Error(`${activationGradKernel.kernelName}: needs inputs dy and y`);
  requireFloat32(activationGradKernel.kernelName, { dy, y });
  const plan = activationGradKernel.plan([dy, y], args.attrs ?? {});
  const wasm = asWasmBackend(args.backend, activationGradKernel.kernelName);
  const out = wasm.makeOutput(plan.outputShape, 'float32');
  const length = sizeOf(plan.outputShape);
  const width = y.shape[y.shape.length - 1] ?? 1;
  let done: number;
  if (activation === 'softmax') {
    done = softmaxGradSimd(wasm, dy, y, out, width);
  } else {
    const vectors = length >> 2;
    const kernel = runtime.kernel(ELEMENTWISE_KEY, buildElementwiseModule);
    if (activation === 'relu') kernel['reluGrad']!(heapAddress(wasm, dy), heapAddress(wasm, y), heapAddress(wasm, out), vectors);
    else kernel['leakyReluGrad']!(heapAddress(wasm, dy), heapAddress(wasm, y), heapAddress(wasm, out), vectors, alpha);
    done = vectors * 4;
  }
  if (done < length) {
    runActivationGrad(activation, alpha, width, heapFloats(wasm, dy).subarray(done), heapFloats(wasm, y).subarray(done), heapFloats(wasm, out).subarray(done));
  }
  return out;
};

const onWasmActivationGrad = onWasm(activationGradKernel);

/**
 * LeakyRelu on tfjs-backend-wasm by the generated SIMD kernel (float32; the last few floats in
 * JS); other dtypes and engines without SIMD go to tfjs's own kernel.
 */
export const leakyReluWasm: tf.KernelFunc = (args) => {
  const { x } = args.inputs as { x?: tf.TensorInfo };
  const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0.2;
  if (x === undefined) throw new Error('LeakyRelu: needs input x');
  const runtime = simdRuntime(args.backend);
  if (runtime === undefined || x.dtype !== 'float32') return runWasmKernel('LeakyRelu', args.backend, args.inputs, args.attrs ?? {});
  const wasm = asWasmBackend(args.backend, 'LeakyRelu');
  const out = wasm.makeOutput([...x.shape], 'float32');
  const length = sizeOf(x.shape);
  const vectors = length >> 2;
  runtime.kernel(ELEMENTWISE_KEY, buildElementwiseModule)['leakyRelu']!(heapAddress(wasm, x), heapAddress(wasm, out), vectors, alpha);
  const input = heapFloats(wasm, x);
  const output = heapFloats(wasm, out);
  for (let i = vectors * 4; i < length; i++) output[i] = input[i]! < 0 ? alpha * input[i]! : input[i]!;
  return out;
};

/** The f32 scalars each generated update takes after its vector count, from the kernel's attributes. */
type UpdateScalars = (attrs: tf.NamedAttrMap) => number[];

const attr = (attrs: tf.NamedAttrMap, name: string): number => attrs[name] as number;

/**
 * An optimizer update on tfjs-backend-wasm: the generated SIMD kernel over whole vectors, the
 * kernel's JS loop over the last few floats, or the JS loop alone without SIMD.
 */
function optimizerUpdateWasm(kernel: MultiArrayKernel, exportName: string, scalars: UpdateScalars): tf.KernelFunc {
  const fallback = onWasmMulti(kernel);
  return (args) => {
    const runtime = simdRuntime(args.backend);
    if (runtime === undefined) return fallback(args);
    const wasm = asWasmBackend(args.backend, kernel.kernelName);
    const infos = kernel.inputNames.map((name) => {
      const info = args.inputs[name];
      if (info === undefined) throw new Error(`${kernel.kernelName}: missing input '${name}'`);
      return info;
    });
    requireFloat32(kernel.kernelName, Object.fromEntries(kernel.inputNames.map((name, i) => [name, infos[i]!])));
    const attrs = args.attrs ?? {};
    const plan = kernel.plan(infos, attrs);
    const outs = plan.outputShapes.map((shape) => wasm.makeOutput(shape, 'float32'));
    const length = sizeOf(plan.outputShapes[0] ?? []);
    const vectors = length >> 2;
    const addresses = [...infos, ...outs].map((info) => heapAddress(wasm, info));
    runtime.kernel(ELEMENTWISE_KEY, buildElementwiseModule)[exportName]!(...addresses, vectors, ...scalars(attrs));
    const done = vectors * 4;
    if (done < length) {
      plan.run(
        infos.map((info) => heapFloats(wasm, info).subarray(done)),
        outs.map((out) => heapFloats(wasm, out).subarray(done)),
      );
    }
    return outs;
  };
}

/** HptuneAdamUpdate on tfjs-backend-wasm. */
export const adamUpdateWasm = optimizerUpdateWasm(adamUpdateKernel, 'adamUpdate', (attrs) => {
  const beta1 = attr(attrs, 'beta1');
  const beta2 = attr(attrs, 'beta2');
  return [beta1, 1 - beta1, beta2, 1 - beta2, attr(attrs, 'firstCorrection'), attr(attrs, 'secondCorrection'), attr(attrs, 'epsilon'), -attr(attrs, 'learningRate')];
});

/** HptuneRmspropUpdate on tfjs-backend-wasm. */
export const rmspropUpdateWasm = optimizerUpdateWasm(rmspropUpdateKernel, 'rmspropUpdate', (attrs) => {
  const decay = attr(attrs, 'decay');
  return [decay, 1 - decay, attr(attrs, 'epsilon'), attr(attrs, 'learningRate')];
});

/** HptuneSgdUpdate on tfjs-backend-wasm. */
export const sgdUpdateWasm = optimizerUpdateWasm(sgdUpdateKernel, 'sgdUpdate', (attrs) => [-attr(attrs, 'learningRate')]);
