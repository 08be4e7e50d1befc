import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../../tfjs.js';

/** Kernel functions written here, so a second registration never mistakes one for tfjs's own. */
export const ownKernelFunctions = new WeakSet<tf.KernelFunc>();

const originals = new Map<string, tf.KernelConfig>();

/**
 * Remembers tfjs-backend-wasm's own kernel for `kernelName` before it is replaced, so the
 * replacement can still delegate to it (e.g. the XNNPACK matrix product behind BatchMatMul).
 */
export function rememberWasmOriginal(kernelName: string): void {
  if (originals.has(kernelName)) return;
  const current = tfjs.getKernel(kernelName, 'wasm');
  if (current !== undefined && !ownKernelFunctions.has(current.kernelFunc)) {
    originals.set(kernelName, current);
  }
}

/** Runs tfjs-backend-wasm's own kernel (the remembered original when one was replaced). */
export function runWasmKernel(
  kernelName: string,
  backend: unknown,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const kernel = originals.get(kernelName) ?? tfjs.getKernel(kernelName, 'wasm');
  if (kernel === undefined || ownKernelFunctions.has(kernel.kernelFunc)) {
    throw new Error(`tfjs-backend-wasm's own '${kernelName}' kernel is not available to delegate to`);
  }
  const out = kernel.kernelFunc({ inputs, backend: backend as object, attrs });
  if (Array.isArray(out)) throw new Error(`'${kernelName}' returned several tensors, expected one`);
  return out;
}

/**
 * C[1, M, N] = A[1, M, K] · B[1, K, N] by the wasm backend's BatchMatMul with no transposes and
 * batch 1, the case it hands to XNNPACK's SIMD fully-connected operator. That operator caches
 * the packed B under B's tensor id until B is freed, so B must be a scratch tensor the caller
 * frees (never a user tensor that might later meet BatchMatMul in another shape).
 */
export function wasmMatMul(backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return runWasmKernel('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
}
