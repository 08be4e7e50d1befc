import type * as tf from '@tensorflow/tfjs';

/** A hidden activation as the explicit backward pass handles it: computed from its output. */
export type StageActivation = { readonly kind: 'linear' } | { readonly kind: 'relu' } | { readonly kind: 'leakyrelu'; readonly alpha: number } | { readonly kind: 'softmax' };

/** Height and width, in pixels. */
export type Pair = readonly [number, number];

/** One step of a sequential model's forward pass, with what its backward pass needs. */
export type Stage =
  | { readonly kind: 'rescale'; readonly scale: number; readonly offset: number }
  | {
      readonly kind: 'conv2d';
      readonly name: string;
      readonly kernel: tf.Variable;
      readonly bias: tf.Variable | undefined;
      readonly strides: Pair;
      readonly padding: 'same' | 'valid';
      readonly activation: StageActivation;
    }
  | { readonly kind: 'pool'; readonly name: string; readonly pooling: 'max' | 'avg'; readonly poolSize: Pair; readonly strides: Pair; readonly padding: 'same' | 'valid' }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'dense'; readonly name: string; readonly kernel: tf.Variable; readonly bias: tf.Variable | undefined; readonly activation: StageActivation };

/**
 * A sequential classifier the trainer can train without tfjs's gradient tape: the stages in
 * order, the last one a dense layer producing logits, whose softmax the loss kernel takes.
 */
export interface TrainingPlan {
  readonly stages: readonly Stage[];
  /** Every trainable variable, in the model's order (the order gradients are applied in). */
  readonly variables: readonly tf.Variable[];
}

/** What {@link planSequentialTraining} decided. */
export type PlanOutcome = { readonly supported: true; readonly plan: TrainingPlan } | { readonly supported: false; readonly reason: string };

type Config = tf.serialization.ConfigDict;

const pair = (value: unknown): Pair | undefined => {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  return undefined;
};

function activationOf(name: unknown): StageActivation | undefined {
  if (name === undefined || name === null || name === 'linear') return { kind: 'linear' };
  if (name === 'relu') return { kind: 'relu' };
  if (name === 'softmax') return { kind: 'softmax' };
  return undefined;
}

function weightsOf(layer: tf.layers.Layer): { kernel: tf.Variable; bias: tf.Variable | undefined } | undefined {
  const weights = layer.trainableWeights;
  const kernel = weights.find((weight) => weight.originalName.endsWith('/kernel'));
  const bias = weights.find((weight) => weight.originalName.endsWith('/bias'));
  if (kernel === undefined || weights.length !== (bias === undefined ? 1 : 2)) return undefined;
  return { kernel: kernel.read() as tf.Variable, bias: bias?.read() as tf.Variable | undefined };
}

/** A layer option that would change the arithmetic this plan does not model. */
function unmodelled(config: Config): string | undefined {
  for (const key of ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint']) {
    if (config[key] !== undefined && config[key] !== null) return key;
  }
  if (config['dataFormat'] !== undefined && config['dataFormat'] !== 'channelsLast') return `dataFormat ${String(config['dataFormat'])}`;
  const dilation = pair(config['dilationRate'] ?? 1);
  if (dilation === undefined || dilation[0] !== 1 || dilation[1] !== 1) return 'dilationRate';
  return undefined;
}

/**
 * Reads a sequential model into stages the explicit backward pass runs: Rescaling, Conv2D,
 * MaxPooling2D, AveragePooling2D, Flatten, Dense, with linear, relu or softmax activations, a
 * LeakyReLU layer folded into the linear layer before it, and a final Dense with softmax.
 * Anything else (other layers, regularizers, constraints, channels-first) is unsupported, and the
 * trainer then trains through tfjs's gradient tape as before.
 */
export function planSequentialTraining(model: tf.LayersModel): PlanOutcome {
  const stages: Stage[] = [];
  const unsupported = (reason: string): PlanOutcome => ({ supported: false, reason });
  const layers = model.layers;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index] as tf.layers.Layer;
    const className = layer.getClassName();
    const config = layer.getConfig();
    if (layer.weights.length !== layer.trainableWeights.length) return unsupported(`${layer.name}: frozen weights`);
    const problem = unmodelled(config);
    if (problem !== undefined) return unsupported(`${layer.name}: ${problem}`);
    const previous = stages[stages.length - 1];
    switch (className) {
      case 'Rescaling': {
        const { scale, offset } = config;
        if (typeof scale !== 'number' || typeof (offset ?? 0) !== 'number') return unsupported(`${layer.name}: per-channel rescaling`);
        stages.push({ kind: 'rescale', scale, offset: (offset ?? 0) as number });
        break;
      }
      case 'Conv2D':
      case 'Dense': {
        const weights = weightsOf(layer);
        const activation = activationOf(config['activation']);
        if (weights === undefined) return unsupported(`${layer.name}: unexpected weights`);
        if (activation === undefined) return unsupported(`${layer.name}: activation ${String(config['activation'])}`);
        if (className === 'Dense') {
          if (weights.kernel.shape.length !== 2) return unsupported(`${layer.name}: dense kernel of rank ${weights.kernel.shape.length}`);
          stages.push({ kind: 'dense', name: layer.name, ...weights, activation });
          break;
        }
        const strides = pair(config['strides'] ?? 1);
        const padding = config['padding'];
        if (strides === undefined || (padding !== 'same' && padding !== 'valid')) return unsupported(`${layer.name}: strides or padding`);
        stages.push({ kind: 'conv2d', name: layer.name, ...weights, strides, padding, activation });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const poolSize = pair(config['poolSize']);
        const strides = pair(config['strides'] ?? config['poolSize']);
        const padding = config['padding'];
        if (poolSize === undefined || strides === undefined || (padding !== 'same' && padding !== 'valid')) return unsupported(`${layer.name}: pool geometry`);
        stages.push({ kind: 'pool', name: layer.name, pooling: className === 'MaxPooling2D' ? 'max' : 'avg', poolSize, strides, padding });
        break;
      }
      case 'Flatten':
        stages.push({ kind: 'flatten' });
        break;
      case 'LeakyReLU': {
        const alpha = config['alpha'];
        if ((previous?.kind !== 'conv2d' && previous?.kind !== 'dense') || previous.activation.kind !== 'linear') {
          return unsupported(`${layer.name}: LeakyReLU not right after a linear Conv2D or Dense`);
        }
        if (typeof alpha !== 'number' || !(alpha > 0)) return unsupported(`${layer.name}: alpha ${String(alpha)}`);
        stages[stages.length - 1] = { ...previous, activation: { kind: 'leakyrelu', alpha } };
        break;
      }
      default:
        return unsupported(`${layer.name}: layer ${className}`);
    }
  }
  const last = stages[stages.length - 1];
  if (last?.kind !== 'dense' || last.activation.kind !== 'softmax') return unsupported('the last layer is not a Dense layer with softmax');
  stages[stages.length - 1] = { ...last, activation: { kind: 'linear' } };
  const variables = stages.flatMap((stage) => (stage.kind === 'conv2d' || stage.kind === 'dense' ? [stage.kernel, ...(stage.bias ? [stage.bias] : [])] : []));
  const modelOrder = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  if (modelOrder.length !== variables.length || modelOrder.some((variable) => !variables.includes(variable))) {
    return unsupported('trainable weights outside the planned layers');
  }
  return { supported: true, plan: { stages, variables: modelOrder } };
}
