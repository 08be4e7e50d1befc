import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../tfjs.js';
import { asCpuBackend, cpuFloats } from './array-kernel.js';
import { OPTIMIZER_UPDATE_KERNELS, UPDATE_KERNEL_OF, type FusedUpdateKind } from './optimizer-update.js';
import { updateInPlaceWasm } from './wasm/elementwise.js';
import { asWasmBackend, heapFloats } from './wasm/heap.js';

/** What {@link updateInPlace} updates: the variable and its slots are written over, the gradient is read. */
export interface InPlaceUpdate {
  readonly variable: tf.Tensor;
  readonly gradient: tf.Tensor;
  /** The update rule's slots, in its kernel's input order (Adam: first then second moment). */
  readonly slots: readonly tf.Tensor[];
  /** SGD's momentum: the velocity (the one slot) becomes `momentum * velocity + gradient` first, then the step. */
  readonly momentum?: number;
}

/** The backend refcount API both tfjs-backend-wasm and tfjs-backend-cpu have. */
interface RefCounting {
  refCount(dataId: tf.DataId): number;
}

/**
 * Applies `kind`'s update (the arithmetic of its `Hptune*Update` kernel) by writing the new
 * variable and slots over the old ones, where they lie: no new tensors, no `assign`, no dispose.
 * One kernel call per variable makes three tensors and the bookkeeping around them, which at
 * LeNet-5's ten small variables cost more than the arithmetic.
 *
 * Only on wasm and cpu with hptune's kernels registered, with float32 tensors of one shape, and
 * only where no other tensor shares the variable's or a slot's memory (a reshape or a clone of
 * it, a checkpoint's copy being restored): writing there would change that tensor too.
 *
 * @param attrs the attributes the rule's kernel takes (see `AdamUpdateAttrs` and its siblings).
 * @returns whether it updated; `false` leaves every tensor as it was, for the kernel path.
 */
export function updateInPlace(kind: FusedUpdateKind, update: InPlaceUpdate, attrs: tf.NamedAttrMap): boolean {
  const backendName = tfjs.getBackend();
  if ((backendName !== 'wasm' && backendName !== 'cpu') || tfjs.getKernel(OPTIMIZER_UPDATE_KERNELS[kind], backendName) === undefined) return false;
  const { variable, gradient, slots } = update;
  const momentum = update.momentum ?? 0;
  const owned = [variable, ...slots];
  const backend = tfjs.backend() as unknown as Partial<RefCounting>;
  if (typeof backend.refCount !== 'function') return false;
  if ([...owned, gradient].some((tensor) => tensor.dtype !== 'float32' || tensor.size !== variable.size)) return false;
  if (owned.some((tensor) => (backend as RefCounting).refCount(tensor.dataId) !== 1)) return false;
  if (kind === 'sgd' && momentum > 0 && slots.length !== 1) return false;
  const floats = (tensor: tf.Tensor): Float32Array =>
    backendName === 'wasm' ? heapFloats(asWasmBackend(backend, 'updateInPlace'), tensor) : cpuFloats(asCpuBackend(backend, 'updateInPlace'), tensor, 'updateInPlace');
  if (kind === 'sgd' && momentum > 0) {
    // PyTorch's SGD momentum: v = momentum * v + g, then w -= rate * v.
    const velocity = floats(slots[0] as tf.Tensor);
    const g = floats(gradient);
    // In float32 at each operation, as the tfjs ops it stands for (a float32 scalar times v, plus g).
    const mu = Math.fround(momentum);
    for (let i = 0; i < velocity.length; i++) velocity[i] = Math.fround(mu * velocity[i]!) + g[i]!;
    runRule('sgd', backendName, backend, [variable, slots[0] as tf.Tensor], attrs, floats);
  } else {
    runRule(kind, backendName, backend, [variable, gradient, ...slots], attrs, floats);
  }
  return true;
}

/** Runs the rule's kernel arithmetic from `inputs` (variable, gradient, slots) back into the variable and slots. */
function runRule(kind: FusedUpdateKind, backendName: 'wasm' | 'cpu', backend: unknown, inputs: readonly tf.Tensor[], attrs: tf.NamedAttrMap, floats: (tensor: tf.Tensor) => Float32Array): void {
  if (backendName === 'wasm') {
    updateInPlaceWasm(kind, backend, inputs, attrs);
    return;
  }
  const arrays = inputs.map(floats);
  UPDATE_KERNEL_OF[kind].plan(inputs, attrs).run(arrays, arrays.filter((_, i) => i !== 1));
}
