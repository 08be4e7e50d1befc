import type * as tf from '@tensorflow/tfjs';
import { onWasm, type MultiArrayKernel } from '../array-kernel.js';
import { activationGradAttrs, activationGradKernel, runActivationGrad } from '../activation-grad.js';
import { UPDATE_KERNEL_OF, type FusedUpdateKind } from '../optimizer-update.js';
import { runWasmKernel } from './delegate.js';
import { asWasmBackend, heapAddress, heapFloats, renewHeapId, requireFloat32, type WasmHeapBackend } from './heap.js';
import { simdRuntime, type SimdRuntime } from './simd/runtime.js';
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

/** An optimizer update's arithmetic, its generated SIMD export and the scalars that export takes. */
interface GeneratedUpdate {
  readonly kernel: MultiArrayKernel;
  readonly exportName: string;
  readonly scalars: UpdateScalars;
}

const GENERATED_UPDATES: Readonly<Record<FusedUpdateKind, GeneratedUpdate>> = {
  adam: {
    kernel: UPDATE_KERNEL_OF.adam,
    exportName: 'adamUpdate',
    scalars: (attrs) => {
      const beta1 = attr(attrs, 'beta1');
      const beta2 = attr(attrs, 'beta2');
      return [beta1, 1 - beta1, beta2, 1 - beta2, attr(attrs, 'firstCorrection'), attr(attrs, 'secondCorrection'), attr(attrs, 'epsilon'), -attr(attrs, 'learningRate')];
    },
  },
  rmsprop: {
    kernel: UPDATE_KERNEL_OF.rmsprop,
    exportName: 'rmspropUpdate',
    scalars: (attrs) => {
      const decay = attr(attrs, 'decay');
      return [decay, 1 - decay, attr(attrs, 'epsilon'), attr(attrs, 'learningRate')];
    },
  },
  sgd: { kernel: UPDATE_KERNEL_OF.sgd, exportName: 'sgdUpdate', scalars: (attrs) => [-attr(attrs, 'learningRate')] },
};

/**
 * Runs an update from `infos` (the kernel's inputs, in order) into `outs`: the generated SIMD
 * kernel over whole vectors, the kernel's JS loop over the last few floats, or the JS loop alone
 * without SIMD. `outs` may be the inputs themselves (an update in place): every output float is
 * written after the inputs at its own index are read.
 */
function runUpdate(update: GeneratedUpdate, wasm: WasmHeapBackend, runtime: SimdRuntime | undefined, infos: readonly tf.TensorInfo[], outs: readonly tf.TensorInfo[], attrs: tf.NamedAttrMap): void {
  const plan = update.kernel.plan(infos, attrs);
  const length = sizeOf(plan.outputShapes[0] ?? []);
  const done = runtime === undefined ? 0 : (length >> 2) * 4;
  if (runtime !== undefined) {
    const addresses = [...infos, ...outs].map((info) => heapAddress(wasm, info));
    runtime.kernel(ELEMENTWISE_KEY, buildElementwiseModule)[update.exportName]!(...addresses, length >> 2, ...update.scalars(attrs));
  }
  if (done < length) {
    plan.run(
      infos.map((info) => heapFloats(wasm, info).subarray(done)),
      outs.map((out) => heapFloats(wasm, out).subarray(done)),
    );
  }
}

/** An optimizer update on tfjs-backend-wasm, into new tensors. */
function optimizerUpdateWasm(update: GeneratedUpdate): tf.KernelFunc {
  const { kernel } = update;
  return (args) => {
    const wasm = asWasmBackend(args.backend, kernel.kernelName);
    const infos = kernel.inputNames.map((name) => {
      const info = args.inputs[name];
      if (info === undefined) throw new Error(`${kernel.kernelName}: missing input '${name}'`);
      return info;
    });
    requireFloat32(kernel.kernelName, Object.fromEntries(kernel.inputNames.map((name, i) => [name, infos[i]!])));
    const attrs = args.attrs ?? {};
    const outs = kernel.plan(infos, attrs).outputShapes.map((shape) => wasm.makeOutput(shape, 'float32'));
    runUpdate(update, wasm, simdRuntime(args.backend), infos, outs, attrs);
    return outs;
  };
}

/**
 * `kind`'s update on tfjs-backend-wasm written over its own inputs: `infos` are the kernel's
 * inputs in order (variable, gradient, then the slots), and the new variable and slots replace
 * the old ones in the heap, each under a new wasm-side id ({@link renewHeapId}). The caller makes
 * sure no other tensor shares their memory.
 */
export function updateInPlaceWasm(kind: FusedUpdateKind, backend: unknown, infos: readonly tf.TensorInfo[], attrs: tf.NamedAttrMap): void {
  const update = GENERATED_UPDATES[kind];
  requireFloat32(update.kernel.kernelName, Object.fromEntries(update.kernel.inputNames.map((name, i) => [name, infos[i]!])));
  const wasm = asWasmBackend(backend, update.kernel.kernelName);
  const outs = infos.filter((_, i) => i !== 1);
  runUpdate(update, wasm, simdRuntime(backend), infos, outs, attrs);
  for (const out of outs) renewHeapId(wasm, out);
}

/** HptuneAdamUpdate on tfjs-backend-wasm. */
export const adamUpdateWasm = optimizerUpdateWasm(GENERATED_UPDATES.adam);

/** HptuneRmspropUpdate on tfjs-backend-wasm. */
export const rmspropUpdateWasm = optimizerUpdateWasm(GENERATED_UPDATES.rmsprop);

/** HptuneSgdUpdate on tfjs-backend-wasm. */
export const sgdUpdateWasm = optimizerUpdateWasm(GENERATED_UPDATES.sgd);
