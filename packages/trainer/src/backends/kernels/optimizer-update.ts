import type * as tf from '@tensorflow/tfjs';
import type { MultiArrayKernel } from './array-kernel.js';

/** The optimizers with a fused update kernel. */
export type FusedUpdateKind = 'adam' | 'rmsprop' | 'sgd';

/** The tfjs kernel name of each fused update. */
export const OPTIMIZER_UPDATE_KERNELS: Readonly<Record<FusedUpdateKind, string>> = {
  adam: 'HptuneAdamUpdate',
  rmsprop: 'HptuneRmspropUpdate',
  sgd: 'HptuneSgdUpdate',
};

/**
 * Attributes of `HptuneAdamUpdate`: tfjs's Adam step, `m' = β1·m + (1−β1)·g`,
 * `v' = β2·v + (1−β2)·g²`, `w' = (m'/c1) / (√(v'/c2) + ε)·(−lr) + w` with the bias corrections
 * `c1 = 1−β1^t`, `c2 = 1−β2^t` for step t (from 1).
 */
export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** `1 − β1^t`. */
  firstCorrection: number;
  /** `1 − β2^t`. */
  secondCorrection: number;
}

/**
 * Attributes of `HptuneRmspropUpdate`: PyTorch's RMSprop without momentum or centring,
 * `s' = ρ·s + (1−ρ)·g²`, `w' = w − lr·g / (√s' + ε)`. Unlike tfjs's `√(s' + ε)`, ε is added after
 * the square root: with ε 1e-8, tfjs's denominator never falls below 1e-4, which shrinks the tiny
 * gradients of softmax hidden layers a hundredfold where PyTorch lets them through.
 * @see https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
 */
export interface RmspropUpdateAttrs {
  learningRate: number;
  /** ρ, PyTorch's `alpha`. */
  decay: number;
  epsilon: number;
}

/** Attributes of `HptuneSgdUpdate`: `w' = w − lr·g`. */
export interface SgdUpdateAttrs {
  learningRate: number;
}

function numberAttr(attrs: tf.NamedAttrMap, name: string, kernelName: string): number {
  const value = attrs[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${kernelName}: attribute '${name}' must be a finite number, got ${String(value)}`);
  return value;
}

function sameShapes(kernelName: string, inputNames: readonly string[], inputs: readonly tf.TensorInfo[]): number[] {
  const shape = inputs[0]!.shape;
  inputs.forEach((info, i) => {
    if (info.shape.length !== shape.length || info.shape.some((dim, d) => dim !== shape[d])) {
      throw new Error(`${kernelName}: '${inputNames[i]}' has shape [${info.shape.join(',')}], expected [${shape.join(',')}] like '${inputNames[0]}'`);
    }
  });
  return [...shape];
}

/** Adam's update of one variable in one pass: inputs variable, gradient, first and second moments; outputs the three new values. */
export const adamUpdateKernel: MultiArrayKernel = {
  kernelName: OPTIMIZER_UPDATE_KERNELS.adam,
  inputNames: ['variable', 'gradient', 'firstMoment', 'secondMoment'],
  plan(inputs, attrs) {
    const name = this.kernelName;
    const shape = sameShapes(name, this.inputNames, inputs);
    const rate = numberAttr(attrs, 'learningRate', name);
    const beta1 = numberAttr(attrs, 'beta1', name);
    const beta2 = numberAttr(attrs, 'beta2', name);
    const epsilon = numberAttr(attrs, 'epsilon', name);
    const c1 = numberAttr(attrs, 'firstCorrection', name);
    const c2 = numberAttr(attrs, 'secondCorrection', name);
    return {
      outputShapes: [shape, shape, shape],
      run([w, g, m, v], [wOut, mOut, vOut]) {
        const length = w!.length;
        for (let i = 0; i < length; i++) {
          const grad = g![i]!;
          const first = beta1 * m![i]! + (1 - beta1) * grad;
          const second = beta2 * v![i]! + (1 - beta2) * grad * grad;
          mOut![i] = first;
          vOut![i] = second;
          wOut![i] = (first / c1 / (Math.sqrt(second / c2) + epsilon)) * -rate + w![i]!;
        }
      },
    };
  },
};

/** RMSprop's update of one variable in one pass: inputs variable, gradient, mean square; outputs the two new values. */
export const rmspropUpdateKernel: MultiArrayKernel = {
  kernelName: OPTIMIZER_UPDATE_KERNELS.rmsprop,
  inputNames: ['variable', 'gradient', 'meanSquare'],
  plan(inputs, attrs) {
    const name = this.kernelName;
    const shape = sameShapes(name, this.inputNames, inputs);
    const rate = numberAttr(attrs, 'learningRate', name);
    const decay = numberAttr(attrs, 'decay', name);
    const epsilon = numberAttr(attrs, 'epsilon', name);
    return {
      outputShapes: [shape, shape],
      run([w, g, s], [wOut, sOut]) {
        const length = w!.length;
        for (let i = 0; i < length; i++) {
          const grad = g![i]!;
          const meanSquare = decay * s![i]! + (1 - decay) * grad * grad;
          sOut![i] = meanSquare;
          wOut![i] = w![i]! - (rate * grad) / (Math.sqrt(meanSquare) + epsilon);
        }
      },
    };
  },
};

/** Plain gradient descent on one variable: inputs variable and gradient; output the new value. */
export const sgdUpdateKernel: MultiArrayKernel = {
  kernelName: OPTIMIZER_UPDATE_KERNELS.sgd,
  inputNames: ['variable', 'gradient'],
  plan(inputs, attrs) {
    const shape = sameShapes(this.kernelName, this.inputNames, inputs);
    const rate = numberAttr(attrs, 'learningRate', this.kernelName);
    return {
      outputShapes: [shape],
      run([w, g], [wOut]) {
        const length = w!.length;
        for (let i = 0; i < length; i++) wOut![i] = w![i]! - rate * g![i]!;
      },
    };
  },
};

/** Each fused update rule's arithmetic, by rule. */
export const UPDATE_KERNEL_OF: Readonly<Record<FusedUpdateKind, MultiArrayKernel>> = {
  adam: adamUpdateKernel,
  rmsprop: rmspropUpdateKernel,
  sgd: sgdUpdateKernel,
};
