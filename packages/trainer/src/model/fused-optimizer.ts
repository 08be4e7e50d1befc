import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { OPTIMIZER_UPDATE_KERNELS, type FusedUpdateKind } from '../backends/kernels/optimizer-update.js';
import { updateInPlace } from '../backends/kernels/update-in-place.js';

/** A tensor with its name, as tfjs optimizers take and give them. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** The hyperparameters of a {@link FusedOptimizer}; the ones an algorithm does not use are ignored. */
export interface FusedOptimizerSettings {
  /** Which update rule. */
  readonly kind: FusedUpdateKind;
  /** Step size. */
  readonly learningRate: number;
  /** Adam's first-moment decay. @default 0.9 */
  readonly beta1?: number;
  /** Adam's second-moment decay. @default 0.999 */
  readonly beta2?: number;
  /** RMSprop's mean-square decay (PyTorch's `alpha`). @default 0.99 */
  readonly decay?: number;
  /** Adam's and RMSprop's epsilon. @default 1e-8 */
  readonly epsilon?: number;
  /**
   * SGD's momentum, as PyTorch's `SGD(momentum=...)` (no dampening, not Nesterov): a velocity slot
   * per variable, `v = momentum * v + g`, then `w -= learningRate * v`. @default 0 (plain SGD, no slot)
   */
  readonly momentum?: number;
  /** `false` to run the update as tfjs ops even where the fused kernel is registered. @default true */
  readonly kernels?: boolean;
}

/** Slot tensors each variable keeps, by update rule: Adam's two moments, RMSprop's mean square, SGD's velocity when it has momentum. */
function slotNamesOf(settings: FusedOptimizerSettings): readonly string[] {
  switch (settings.kind) {
    case 'adam':
      return ['firstMoment', 'secondMoment'];
    case 'rmsprop':
      return ['meanSquare'];
    case 'sgd':
      return (settings.momentum ?? 0) > 0 ? ['velocity'] : [];
  }
}

/** Whether the fused update kernel of `kind` is registered on the backend in use. */
export function fusedUpdateAvailable(kind: FusedUpdateKind): boolean {
  const backendName = tfjs.getBackend();
  return backendName !== undefined && backendName !== null && tfjs.getKernel(OPTIMIZER_UPDATE_KERNELS[kind], backendName) !== undefined;
}

/**
 * An optimizer that updates each variable in one pass instead of tfjs's dozen small ops per
 * variable: on wasm and cpu with hptune's kernels, written over the variable and its slots where
 * they lie (`updateInPlace`), else by one kernel call making the new weights and slots: the arithmetic of PyTorch's
 * `torch.optim.Adam`, `RMSprop` (no momentum, not centred) and `SGD` (with or without momentum). For Adam and SGD that is also
 * `tf.train.adam`'s and `tf.train.sgd`'s; RMSprop adds ε after the square root as PyTorch does,
 * where `tf.train.rmsprop` adds it before (see `RmspropUpdateAttrs`). Where the `Hptune*Update`
 * kernels are not registered (`registerTrainingKernels` installs them on wasm and cpu), it runs the
 * same update as tfjs ops: `createOptimizer` uses that for RMSprop on tfjs-node.
 */
export class FusedOptimizer extends tfjs.Optimizer {
  /** The name tfjs serialization knows this class by. */
  static readonly className = 'HptuneFusedOptimizer';

  private readonly slots = new Map<string, tf.Tensor[]>();
  private step = 0;

  constructor(readonly settings: FusedOptimizerSettings) {
    super();
  }

  /** Applies one update to each named variable, creating its zeroed slots on first sight. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor][] = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor])
      : Object.entries(variableGradients);
    this.step += 1;
    const kernelName = OPTIMIZER_UPDATE_KERNELS[this.settings.kind];
    const attrs = this.attributes();
    const slotNames = slotNamesOf(this.settings);
    const fused = (this.settings.kernels ?? true) && fusedUpdateAvailable(this.settings.kind);
    const momentum = this.settings.momentum ?? 0;
    for (const [name, gradient] of entries) {
      if (gradient === undefined || gradient === null) continue;
      const variable = tfjs.engine().registeredVariables[name];
      if (variable === undefined) throw new Error(`${FusedOptimizer.className}: no variable named '${name}' is registered`);
      let slots = this.slots.get(name);
      if (slots === undefined) {
        slots = slotNames.map(() => tfjs.keep(tfjs.zerosLike(variable)));
        this.slots.set(name, slots);
      }
      if (fused && updateInPlace(this.settings.kind, { variable, gradient, slots, momentum }, attrs as unknown as tf.NamedAttrMap)) continue;
      if (this.settings.kind === 'sgd' && momentum > 0) {
        // The velocity is the step: the plain SGD update (fused kernel or ops) applies it, and it is the new slot.
        const velocity = tfjs.tidy(() => tfjs.add(tfjs.mul(slots[0] as tf.Tensor, momentum), gradient));
        const [value] = fused
          ? (tfjs.engine().runKernel(kernelName, { variable, gradient: velocity }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
          : updateWithOps('sgd', { variable, gradient: velocity }, attrs);
        variable.assign(value as tf.Tensor);
        (value as tf.Tensor).dispose();
        tfjs.dispose(slots);
        this.slots.set(name, [tfjs.keep(velocity)]);
        continue;
      }
      const inputs: tf.NamedTensorMap = { variable, gradient };
      slotNames.forEach((slotName, i) => (inputs[slotName] = slots[i] as tf.Tensor));
      const [value, ...updated] = fused
        ? (tfjs.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
        : updateWithOps(this.settings.kind, inputs, attrs);
      variable.assign(value as tf.Tensor);
      (value as tf.Tensor).dispose();
      tfjs.dispose(slots);
      this.slots.set(name, updated.map((tensor) => tfjs.keep(tensor)));
    }
    this.incrementIterations();
  }

  private attributes(): Record<string, number> {
    const { kind, learningRate } = this.settings;
    const epsilon = this.settings.epsilon ?? 1e-8;
    if (kind === 'adam') {
      const beta1 = this.settings.beta1 ?? 0.9;
      const beta2 = this.settings.beta2 ?? 0.999;
      return { learningRate, beta1, beta2, epsilon, firstCorrection: 1 - beta1 ** this.step, secondCorrection: 1 - beta2 ** this.step };
    }
    if (kind === 'rmsprop') return { learningRate, decay: this.settings.decay ?? 0.99, epsilon };
    return { learningRate };
  }

  /** The update count and every slot, named `<variable>/<slot>`, for checkpoints. */
  override async getWeights(): Promise<NamedTensor[]> {
    const slotNames = slotNamesOf(this.settings);
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, slots] of this.slots) slots.forEach((tensor, i) => weights.push({ name: `${name}/${slotNames[i]}`, tensor }));
    return weights;
  }

  /** Restores what {@link FusedOptimizer.getWeights} returned (copies the tensors). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    const slotNames = slotNamesOf(this.settings);
    const restored = new Map<string, tf.Tensor[]>();
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const index = slotNames.indexOf(name.slice(cut + 1));
      if (cut < 0 || index < 0) throw new Error(`${FusedOptimizer.className}: unknown optimizer weight '${name}'`);
      const variableName = name.slice(0, cut);
      const slots = restored.get(variableName) ?? [];
      slots[index] = tfjs.keep(tensor.clone());
      restored.set(variableName, slots);
    }
    this.disposeSlots();
    for (const [name, slots] of restored) this.slots.set(name, slots);
  }

  /** Frees the slots and the iteration count. */
  override dispose(): void {
    super.dispose();
    this.disposeSlots();
  }

  private disposeSlots(): void {
    for (const slots of this.slots.values()) tfjs.dispose(slots);
    this.slots.clear();
  }

  /** The settings, for tfjs serialization. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.settings };
  }

  /** Rebuilds an optimizer from {@link FusedOptimizer.getConfig}'s output. */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as unknown as FusedOptimizerSettings) as T;
  }
}

tfjs.serialization.registerClass(FusedOptimizer);

/** The fused kernels' update as tfjs ops, for a backend without them: the new variable, then the new slots. */
function updateWithOps(kind: FusedUpdateKind, inputs: tf.NamedTensorMap, attrs: Record<string, number>): tf.Tensor[] {
  return tfjs.tidy(() => {
    const { variable, gradient } = inputs as { variable: tf.Tensor; gradient: tf.Tensor };
    const rate = attrs['learningRate'] as number;
    if (kind === 'sgd') return [tfjs.sub(variable, tfjs.mul(gradient, rate))];
    const epsilon = attrs['epsilon'] as number;
    if (kind === 'rmsprop') {
      const decay = attrs['decay'] as number;
      const meanSquare = tfjs.add(tfjs.mul(inputs['meanSquare'] as tf.Tensor, decay), tfjs.mul(tfjs.square(gradient), 1 - decay));
      return [tfjs.sub(variable, tfjs.div(tfjs.mul(gradient, rate), tfjs.add(tfjs.sqrt(meanSquare), epsilon))), meanSquare];
    }
    const beta1 = attrs['beta1'] as number;
    const beta2 = attrs['beta2'] as number;
    const first = tfjs.add(tfjs.mul(inputs['firstMoment'] as tf.Tensor, beta1), tfjs.mul(gradient, 1 - beta1));
    const second = tfjs.add(tfjs.mul(inputs['secondMoment'] as tf.Tensor, beta2), tfjs.mul(tfjs.square(gradient), 1 - beta2));
    const step = tfjs.div(tfjs.div(first, attrs['firstCorrection'] as number), tfjs.add(tfjs.sqrt(tfjs.div(second, attrs['secondCorrection'] as number)), epsilon));
    return [tfjs.add(tfjs.mul(step, -rate), variable), first, second];
  });
}
