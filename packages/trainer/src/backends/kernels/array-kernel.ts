import type * as tf from '@tensorflow/tfjs';
import { asWasmBackend, heapFloats, requireFloat32 } from './wasm/heap.js';

/** One call's work, planned from shapes and attributes before any memory is touched. */
export interface ArrayKernelPlan {
  /** Shape of the single float32 output. */
  readonly outputShape: number[];
  /** Fills `out` (every element) from the inputs, given in {@link ArrayKernel.inputNames} order. */
  run(inputs: readonly Float32Array[], out: Float32Array): void;
}

/**
 * A kernel written once over plain Float32Arrays, then bound to a backend by {@link onWasm}
 * (arrays are views into the wasm heap, no copies) or {@link onCpu} (the cpu backend's arrays).
 */
export interface ArrayKernel {
  /** The tfjs kernel name, e.g. `AvgPoolGrad`. */
  readonly kernelName: string;
  /** The kernel's float32 inputs, in the order `run` receives them. */
  readonly inputNames: readonly string[];
  /** Resolves geometry and output shape from the inputs' shapes and the attributes. */
  plan(inputs: readonly tf.TensorInfo[], attrs: tf.NamedAttrMap): ArrayKernelPlan;
}

function collectInputs(kernel: ArrayKernel | MultiArrayKernel, inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const infos = kernel.inputNames.map((name) => {
    const info = inputs[name];
    if (info === undefined) throw new Error(`${kernel.kernelName}: missing input '${name}'`);
    return info;
  });
  requireFloat32(kernel.kernelName, Object.fromEntries(kernel.inputNames.map((name, i) => [name, infos[i]!])));
  return infos;
}

/** Binds an {@link ArrayKernel} to tfjs-backend-wasm: inputs and output are views into its heap. */
export function onWasm(kernel: ArrayKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = asWasmBackend(backend, kernel.kernelName);
    const infos = collectInputs(kernel, inputs);
    const plan = kernel.plan(infos, attrs ?? {});
    const out = wasm.makeOutput(plan.outputShape, 'float32');
    // Views are taken after the allocation, which may have grown (and detached) the heap.
    plan.run(
      infos.map((info) => heapFloats(wasm, info)),
      heapFloats(wasm, out),
    );
    return out;
  };
}

/** The part of tfjs-backend-cpu's `MathBackendCPU` these kernels use. */
export interface CpuArrayBackend {
  /** Tensor storage: plain typed arrays by dataId. */
  readonly data: { get(dataId: tf.DataId): { values?: unknown } | undefined };
  /** Registers `values` as a new tensor and returns its info. */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

/** Narrows the `backend` a kernel receives to the cpu backend, or says clearly why it is not one. */
export function asCpuBackend(backend: unknown, kernelName: string): CpuArrayBackend {
  const candidate = backend as Partial<CpuArrayBackend> | null;
  if (candidate === null || typeof candidate?.makeTensorInfo !== 'function' || candidate.data === undefined) {
    throw new Error(`${kernelName}: the hptune cpu kernel ran on a backend that is not tfjs-backend-cpu`);
  }
  return candidate as CpuArrayBackend;
}

/** The float32 values of a cpu-backend tensor. */
export function cpuFloats(backend: CpuArrayBackend, info: tf.TensorInfo, kernelName: string): Float32Array {
  const values = backend.data.get(info.dataId)?.values;
  if (!(values instanceof Float32Array)) {
    throw new Error(`${kernelName}: expected float32 values on the cpu backend`);
  }
  return values;
}

/** Binds an {@link ArrayKernel} to tfjs-backend-cpu. */
export function onCpu(kernel: ArrayKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = asCpuBackend(backend, kernel.kernelName);
    const infos = collectInputs(kernel, inputs);
    const plan = kernel.plan(infos, attrs ?? {});
    const out = new Float32Array(plan.outputShape.reduce((size, dim) => size * dim, 1));
    plan.run(
      infos.map((info) => cpuFloats(cpu, info, kernel.kernelName)),
      out,
    );
    return cpu.makeTensorInfo(plan.outputShape, 'float32', out);
  };
}

/** One call's work for a kernel with several float32 outputs. */
export interface MultiArrayKernelPlan {
  /** Shapes of the outputs, in the order `run` receives them and the kernel returns them. */
  readonly outputShapes: number[][];
  /** Fills every element of every output from the inputs (in {@link MultiArrayKernel.inputNames} order). */
  run(inputs: readonly Float32Array[], outs: readonly Float32Array[]): void;
}

/** An {@link ArrayKernel} with several outputs (e.g. an optimizer update: new weights and slots). */
export interface MultiArrayKernel {
  /** The tfjs kernel name. */
  readonly kernelName: string;
  /** The kernel's float32 inputs, in the order `run` receives them. */
  readonly inputNames: readonly string[];
  /** Resolves the output shapes from the inputs' shapes and the attributes. */
  plan(inputs: readonly tf.TensorInfo[], attrs: tf.NamedAttrMap): MultiArrayKernelPlan;
}

/** Binds a {@link MultiArrayKernel} to tfjs-backend-wasm: views into its heap, no copies. */
export function onWasmMulti(kernel: MultiArrayKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = asWasmBackend(backend, kernel.kernelName);
    const infos = collectInputs(kernel, inputs);
    const plan = kernel.plan(infos, attrs ?? {});
    const outs = plan.outputShapes.map((shape) => wasm.makeOutput(shape, 'float32'));
    plan.run(
      infos.map((info) => heapFloats(wasm, info)),
      outs.map((out) => heapFloats(wasm, out)),
    );
    return outs;
  };
}

/** Binds a {@link MultiArrayKernel} to tfjs-backend-cpu. */
export function onCpuMulti(kernel: MultiArrayKernel): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const cpu = asCpuBackend(backend, kernel.kernelName);
    const infos = collectInputs(kernel, inputs);
    const plan = kernel.plan(infos, attrs ?? {});
    const outs = plan.outputShapes.map((shape) => new Float32Array(shape.reduce((size, dim) => size * dim, 1)));
    plan.run(
      infos.map((info) => cpuFloats(cpu, info, kernel.kernelName)),
      outs,
    );
    return outs.map((values, i) => cpu.makeTensorInfo(plan.outputShapes[i]!, 'float32', values));
  };
}
