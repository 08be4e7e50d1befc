import * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_UPDATE_KERNELS, type FusedUpdateKind } from '../backends/kernels/optimizer-update.js';

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
}

/** Slot tensors each variable keeps, by update rule: Adam's two moments, RMSprop's mean square. */
const SLOT_NAMES: Readonly<Record<FusedUpdateKind, readonly string[]>> = {
  adam: ['firstMoment', 'secondMoment'],
  rmsprop: ['meanSquare'],
  sgd: [],
};

/** Whether the fused update kernel of `kind` is registered on the backend in use. */
export function fusedUpdateAvailable(kind: FusedUpdateKind): boolean {
  const backendName = tf.getBackend();
  return backendName !== undefined && backendName !== null && tf.getKernel(OPTIMIZER_UPDATE_KERNELS[kind], backendName) !== undefined;
}

/**
 * An optimizer that updates each variable with one kernel call (new weights and slots in one
 * pass) instead of tfjs's dozen small ops per variable: the same arithmetic as
 * `tf.train.adam`, `tf.train.rmsprop` (no momentum, not centred) and `tf.train.sgd`, so training
 * follows the same path. Needs the `Hptune*Update` kernels that `registerTrainingKernels` installs
 * on wasm and cpu; `createOptimizer` returns tfjs's own optimizers elsewhere.
 */
export class FusedOptimizer extends tf.Optimizer {
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
    const slotNames = SLOT_NAMES[this.settings.kind];
    for (const [name, gradient] of entries) {
      if (gradient === undefined || gradient === null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) throw new Error(`${FusedOptimizer.className}: no variable named '${name}' is registered`);
      let slots = this.slots.get(name);
      if (slots === undefined) {
        slots = slotNames.map(() => tf.keep(tf.zerosLike(variable)));
        this.slots.set(name, slots);
      }
      const inputs: tf.NamedTensorMap = { variable, gradient };
      slotNames.forEach((slotName, i) => (inputs[slotName] = slots[i] as tf.Tensor));
      const [value, ...updated] = tf.engine().runKernel(kernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      variable.assign(value as tf.Tensor);
      (value as tf.Tensor).dispose();
      tf.dispose(slots);
      this.slots.set(name, updated.map((tensor) => tf.keep(tensor)));
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
    const slotNames = SLOT_NAMES[this.settings.kind];
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [name, slots] of this.slots) slots.forEach((tensor, i) => weights.push({ name: `${name}/${slotNames[i]}`, tensor }));
    return weights;
  }

  /** Restores what {@link FusedOptimizer.getWeights} returned (copies the tensors). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.step = this.iterations;
    const slotNames = SLOT_NAMES[this.settings.kind];
    const restored = new Map<string, tf.Tensor[]>();
    for (const { name, tensor } of rest) {
      const cut = name.lastIndexOf('/');
      const index = slotNames.indexOf(name.slice(cut + 1));
      if (cut < 0 || index < 0) throw new Error(`${FusedOptimizer.className}: unknown optimizer weight '${name}'`);
      const variableName = name.slice(0, cut);
      const slots = restored.get(variableName) ?? [];
      slots[index] = tf.keep(tensor.clone());
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
    for (const slots of this.slots.values()) tf.dispose(slots);
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

tf.serialization.registerClass(FusedOptimizer);
