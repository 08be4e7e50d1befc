import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../tfjs.js';
import { ACTIVATION_GRAD_KERNEL } from '../../backends/kernels/activation-grad.js';
import { SOFTMAX_CROSS_ENTROPY_KERNEL } from '../../backends/kernels/softmax-cross-entropy.js';
import type { Stage, StageActivation, TrainingPlan } from './plan.js';

/** The kernels {@link forwardBackward} dispatches; a backend must have every one. */
export const BACKPROP_KERNELS: readonly string[] = [
  'Reshape',
  'Multiply',
  'FusedConv2D',
  '_FusedMatMul',
  'Softmax',
  'LeakyRelu',
  'MaxPool',
  'MaxPoolGrad',
  'AvgPool',
  'AvgPoolGrad',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  'Sum',
  'Add',
  ACTIVATION_GRAD_KERNEL,
  SOFTMAX_CROSS_ENTROPY_KERNEL,
];

/** Whether the backend in use has every kernel of {@link BACKPROP_KERNELS} (wasm and cpu with hptune's kernels do). */
export function backpropAvailable(): boolean {
  const backendName = tfjs.getBackend();
  if (backendName === undefined || backendName === null) return false;
  return BACKPROP_KERNELS.every((name) => tfjs.getKernel(name, backendName) !== undefined);
}

/** What one forward and backward pass produced. */
export interface BackpropResult {
  /** [mean loss, images classified right]. */
  readonly metrics: tf.Tensor1D;
  /** The loss' gradient for each of the plan's variables, in its order, named as the optimizer expects. */
  readonly gradients: { name: string; tensor: tf.Tensor }[];
}

const run = (kernelName: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor =>
  tfjs.engine().runKernel(kernelName, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

const reshape = (x: tf.Tensor, shape: number[]): tf.Tensor => run('Reshape', { x }, { shape });

/**
 * The activation a fused kernel applies itself: relu only (XNNPACK clamps the output as it
 * writes it); leaky relu and softmax run as their own kernels after a linear one, which on wasm
 * is faster than the fused kernels' own extra pass.
 */
function fusedActivation(activation: StageActivation): Record<string, unknown> {
  return { activation: activation.kind === 'relu' ? 'relu' : 'linear' };
}

function activateUnfused(activation: StageActivation, z: tf.Tensor): tf.Tensor {
  if (activation.kind === 'softmax') return run('Softmax', { logits: z }, { dim: z.shape.length - 1 });
  if (activation.kind === 'leakyrelu') return run('LeakyRelu', { x: z }, { alpha: activation.alpha });
  return z;
}

/** dz from dy through the activation, using its output y. */
function throughActivation(activation: StageActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (activation.kind === 'linear') return dy;
  return run(ACTIVATION_GRAD_KERNEL, { dy, y }, { activation: activation.kind, alpha: activation.kind === 'leakyrelu' ? activation.alpha : 0 });
}

/** `x` times `factor`: the input's own scale when the model does not start with a rescaling. */
function scaled(x: tf.Tensor, factor: number): tf.Tensor {
  return factor === 1 ? x : run('Multiply', { a: x, b: tfjs.scalar(factor) });
}

/** A rescaling stage's output for `x` times `inputScale`: the two factors multiplied first, one kernel call. */
function rescale(stage: Extract<Stage, { kind: 'rescale' }>, x: tf.Tensor, inputScale: number): tf.Tensor {
  return run('Add', { a: run('Multiply', { a: x, b: tfjs.scalar(stage.scale * inputScale) }), b: tfjs.scalar(stage.offset) });
}

function forward(stage: Exclude<Stage, { kind: 'rescale' }>, x: tf.Tensor): tf.Tensor {
  switch (stage.kind) {
    case 'conv2d': {
      const inputs: tf.NamedTensorMap = { x, filter: stage.kernel };
      if (stage.bias) inputs['bias'] = stage.bias;
      const z = run('FusedConv2D', inputs, { strides: stage.strides, pad: stage.padding, dataFormat: 'NHWC', dilations: [1, 1], ...fusedActivation(stage.activation) });
      return activateUnfused(stage.activation, z);
    }
    case 'pool':
      return run(stage.pooling === 'max' ? 'MaxPool' : 'AvgPool', { x }, { filterSize: stage.poolSize, strides: stage.strides, pad: stage.padding });
    case 'flatten':
      return reshape(x, [x.shape[0] as number, x.size / (x.shape[0] as number)]);
    case 'dense': {
      const [rows = 0, features = 0] = x.shape;
      const units = stage.kernel.shape[1] as number;
      const inputs: tf.NamedTensorMap = { a: reshape(x, [1, rows, features]), b: reshape(stage.kernel, [1, features, units]) };
      if (stage.bias) inputs['bias'] = stage.bias;
      const z = reshape(run('_FusedMatMul', inputs, { transposeA: false, transposeB: false, ...fusedActivation(stage.activation) }), [rows, units]);
      return activateUnfused(stage.activation, z);
    }
  }
}

/**
 * Runs the backward pass of one stage: records its weights' gradients in `gradients` and returns
 * the gradient for its input (undefined when `needInput` is false: nothing before it learns).
 */
function backward(stage: Stage, x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor, needInput: boolean, gradients: Map<tf.Variable, tf.Tensor>): tf.Tensor | undefined {
  switch (stage.kind) {
    case 'rescale':
      return needInput ? run('Multiply', { a: dy, b: tfjs.scalar(stage.scale) }) : undefined;
    case 'flatten':
      return reshape(dy, x.shape);
    case 'pool': {
      const attrs = { filterSize: stage.poolSize, strides: stage.strides, pad: stage.padding };
      return stage.pooling === 'max' ? run('MaxPoolGrad', { dy, input: x, output: y }, attrs) : run('AvgPoolGrad', { dy, input: x }, attrs);
    }
    case 'conv2d': {
      const dz = throughActivation(stage.activation, dy, y);
      const geometry = { strides: stage.strides, pad: stage.padding, dataFormat: 'NHWC' };
      gradients.set(stage.kernel, run('Conv2DBackpropFilter', { x, dy: dz }, { ...geometry, filterShape: stage.kernel.shape }));
      if (stage.bias) gradients.set(stage.bias, run('Sum', { x: dz }, { axis: [0, 1, 2], keepDims: false }));
      return needInput ? run('Conv2DBackpropInput', { dy: dz, filter: stage.kernel }, { ...geometry, inputShape: x.shape }) : undefined;
    }
    case 'dense': {
      const dz = throughActivation(stage.activation, dy, y);
      const [rows = 0, features = 0] = x.shape;
      const units = stage.kernel.shape[1] as number;
      const dz3 = reshape(dz, [1, rows, units]);
      const kernelGradient = run('BatchMatMul', { a: reshape(x, [1, rows, features]), b: dz3 }, { transposeA: true, transposeB: false });
      gradients.set(stage.kernel, reshape(kernelGradient, [features, units]));
      if (stage.bias) gradients.set(stage.bias, run('Sum', { x: dz }, { axis: [0], keepDims: false }));
      if (!needInput) return undefined;
      const dx = run('BatchMatMul', { a: dz3, b: reshape(stage.kernel, [1, features, units]) }, { transposeA: false, transposeB: true });
      return reshape(dx, [rows, features]);
    }
  }
}

const learns = (stage: Stage): boolean => stage.kind === 'conv2d' || stage.kind === 'dense';

/**
 * One forward and backward pass of `plan` over a batch, kernel by kernel, without tfjs's gradient
 * tape: every activation is kept from the forward pass, and each layer's gradients come from the
 * same kernels tfjs's own gradients use (Conv2DBackpropFilter/Input, pooling gradients,
 * transposed products, sums) plus two fused ones (an activation's gradient from its output; the
 * softmax, clipped cross-entropy and their gradient). Call inside `tf.tidy`: every intermediate
 * tensor is left to it.
 *
 * The model's input is `images` times `inputScale` (raw pixel bytes times 1/255): a first
 * rescaling stage takes the factor into its own, so no kernel call is added.
 */
export function forwardBackward(plan: TrainingPlan, images: tf.Tensor, oneHotLabels: tf.Tensor, inputScale = 1): BackpropResult {
  const inputs: tf.Tensor[] = [];
  const outputs: tf.Tensor[] = [];
  let x = images;
  for (const [index, stage] of plan.stages.entries()) {
    const factor = index === 0 ? inputScale : 1;
    if (stage.kind === 'rescale') {
      inputs.push(x);
      x = rescale(stage, x, factor);
    } else {
      x = scaled(x, factor);
      inputs.push(x);
      x = forward(stage, x);
    }
    outputs.push(x);
  }
  const [metrics, logitsGradient] = tfjs.engine().runKernel(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits: x, labels: oneHotLabels }, {}) as tf.Tensor[];
  const firstLearning = plan.stages.findIndex(learns);
  const gradients = new Map<tf.Variable, tf.Tensor>();
  let dy = logitsGradient as tf.Tensor;
  for (let index = plan.stages.length - 1; index >= firstLearning && index >= 0; index--) {
    const dx = backward(plan.stages[index] as Stage, inputs[index] as tf.Tensor, outputs[index] as tf.Tensor, dy, index > firstLearning, gradients);
    if (dx === undefined) break;
    dy = dx;
  }
  return {
    metrics: metrics as tf.Tensor1D,
    gradients: plan.variables.map((variable) => {
      const tensor = gradients.get(variable);
      if (tensor === undefined) throw new Error(`no gradient computed for ${variable.name}`);
      return { name: variable.name, tensor };
    }),
  };
}
