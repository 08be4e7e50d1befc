import type * as tf from '@tensorflow/tfjs';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` these kernels use: tensors live in the wasm
 * module's heap, found through `dataIdMap`; `makeOutput` allocates there; `typedArrayFromHeap`
 * views a tensor in place (no copy).
 */
export interface WasmHeapBackend {
  /** Maps a tensor's dataId to its record in the wasm heap. */
  readonly dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  /** Allocates an output tensor on the wasm heap (uninitialised memory). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A typed array over the tensor's bytes in the heap; invalid once the heap grows. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** Drops one reference to the data and frees it at zero. */
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** The parts of `BackendWasm` that {@link renewHeapId} uses besides {@link WasmHeapBackend}. */
interface WasmTensorRegistry {
  readonly dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  readonly wasm: { readonly tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void } };
}

/**
 * Tells the wasm module that a tensor's bytes were written over in place: the tensor gets a new
 * id there, the same memory, and the old id is disposed. tfjs's wasm kernels cache work by tensor
 * id (XNNPACK keeps a convolution's or a product's packed weights under the weights' id and
 * drops them when that id is disposed), so without this they would go on using the old values.
 * `BackendWasm.move` and `disposeData` do the same two calls, with an allocation and a free.
 */
export function renewHeapId(backend: WasmHeapBackend, info: tf.TensorInfo): void {
  const registry = backend as unknown as Partial<WasmTensorRegistry>;
  const record = backend.dataIdMap.get(info.dataId);
  if (record === undefined) throw new Error('tensor is not on the wasm backend');
  if (typeof registry.dataIdNextNumber !== 'number' || typeof registry.wasm?.tfjs?.registerTensor !== 'function' || typeof registry.wasm.tfjs.disposeData !== 'function') {
    throw new Error('renewHeapId: this tfjs-backend-wasm has no dataIdNextNumber or wasm.tfjs.registerTensor/disposeData (see the kernels README on the pinned version)');
  }
  const id = registry.dataIdNextNumber++;
  registry.wasm.tfjs.registerTensor(id, info.shape.reduce((size, dim) => size * dim, 1), record.memoryOffset);
  registry.wasm.tfjs.disposeData(record.id);
  record.id = id;
}

/** Narrows the `backend` a kernel receives to the wasm backend, or says clearly why it is not one. */
export function asWasmBackend(backend: unknown, kernelName: string): WasmHeapBackend {
  const candidate = backend as Partial<WasmHeapBackend> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.makeOutput !== 'function' ||
    typeof candidate.typedArrayFromHeap !== 'function' ||
    candidate.dataIdMap === undefined
  ) {
    throw new Error(`${kernelName}: the hptune wasm kernel ran on a backend that is not tfjs-backend-wasm`);
  }
  return candidate as WasmHeapBackend;
}

/**
 * A float32 view of a tensor in the heap. Take views only after the last allocation of a kernel
 * call: an allocation can grow the heap, which detaches every earlier view.
 */
export function heapFloats(backend: WasmHeapBackend, info: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) {
    throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  }
  return view;
}

/** The byte address of a tensor's data in the wasm heap. */
export function heapAddress(backend: WasmHeapBackend, info: tf.TensorInfo): number {
  const record = backend.dataIdMap.get(info.dataId);
  if (record === undefined) throw new Error('tensor is not on the wasm backend');
  return record.memoryOffset;
}

/** Rejects non-float32 inputs, which the float32 loops below would misread. */
export function requireFloat32(kernelName: string, inputs: Record<string, tf.TensorInfo>): void {
  for (const [name, info] of Object.entries(inputs)) {
    if (info.dtype !== 'float32') {
      throw new Error(`${kernelName}: input '${name}' is ${info.dtype}; these kernels take float32 only`);
    }
  }
}

/**
 * Scratch tensors for one kernel call, allocated on the wasm heap and freed together at the end,
 * so a thrown error cannot leak heap memory.
 */
export class HeapScratch {
  private readonly owned: tf.TensorInfo[] = [];

  constructor(private readonly backend: WasmHeapBackend) {}

  /** Allocates a float32 tensor of `shape` that {@link HeapScratch.release} frees. */
  alloc(shape: number[]): tf.TensorInfo {
    const info = this.backend.makeOutput(shape, 'float32');
    this.owned.push(info);
    return info;
  }

  /** Takes ownership of a tensor made elsewhere (e.g. another kernel's output). */
  adopt(info: tf.TensorInfo): tf.TensorInfo {
    this.owned.push(info);
    return info;
  }

  /** Frees every scratch tensor. */
  release(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId);
  }
}
