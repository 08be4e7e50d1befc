import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../../tfjs.js';
import { asCpuBackend, cpuFloats } from '../array-kernel.js';
import { convGeometry } from '../geometry.js';
import { conv2DForward } from './conv2d-gradients.js';

/**
 * Conv2D on tfjs-backend-cpu for NHWC float32 without dilation, by {@link conv2DForward};
 * anything else (NCHW, dilations, other dtypes) goes to tfjs's own kernel, captured by
 * {@link captureTfjsCpuConv2D} before this one replaced it.
 */
export const conv2DCpu: tf.KernelFunc = (args) => {
  const { x, filter } = args.inputs as tf.Conv2DInputs;
  const a = args.attrs as unknown as tf.Conv2DAttrs;
  if (x === undefined || filter === undefined) throw new Error('Conv2D: needs inputs x and filter');
  const dilations = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : (a.dilations ?? [1, 1]);
  const handled =
    (a.dataFormat ?? 'NHWC') === 'NHWC' &&
    dilations[0] === 1 &&
    dilations[1] === 1 &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    x.shape.length === 4 &&
    filter.shape.length === 4;
  if (!handled) {
    if (tfjsConv2D === undefined) throw new Error('Conv2D: tfjs-backend-cpu kernel not captured');
    return tfjsConv2D(args);
  }
  const cpu = asCpuBackend(args.backend, 'Conv2D');
  const g = convGeometry({
    kernelName: 'Conv2D',
    inputShape: x.shape,
    filterShape: filter.shape,
    strides: a.strides,
    pad: a.pad,
    dimRoundingMode: a.dimRoundingMode,
  });
  const outShape = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  const y = new Float32Array(outShape.reduce((size, dim) => size * dim, 1));
  conv2DForward(cpuFloats(cpu, x, 'Conv2D'), cpuFloats(cpu, filter, 'Conv2D'), g, y);
  return cpu.makeTensorInfo(outShape, 'float32', y);
};

let tfjsConv2D: tf.KernelFunc | undefined;

/** Keeps tfjs-backend-cpu's own Conv2D for the cases {@link conv2DCpu} hands back. */
export function captureTfjsCpuConv2D(): void {
  const current = tfjs.getKernel('Conv2D', 'cpu');
  if (current !== undefined && current.kernelFunc !== conv2DCpu) tfjsConv2D = current.kernelFunc;
}

let tfjsFusedConv2D: tf.KernelFunc | undefined;

/** Keeps tfjs-backend-cpu's own FusedConv2D for the cases {@link fusedConv2DCpu} hands back. */
export function captureTfjsCpuFusedConv2D(): void {
  const current = tfjs.getKernel('FusedConv2D', 'cpu');
  if (current !== undefined && current.kernelFunc !== fusedConv2DCpu) tfjsFusedConv2D = current.kernelFunc;
}

/**
 * FusedConv2D on tfjs-backend-cpu: {@link conv2DCpu}, then the bias (one per output channel) and a
 * linear, relu or leaky relu activation in place. tfjs's own kernel runs its slow convolution
 * whatever Conv2D is registered; prelu, other activations and NCHW go to it unchanged.
 */
export const fusedConv2DCpu: tf.KernelFunc = (args) => {
  const { x, filter, bias, preluActivationWeights } = args.inputs as tf.FusedConv2DInputs;
  const a = args.attrs as unknown as tf.FusedConv2DAttrs;
  const activation = a.activation ?? 'linear';
  const handled =
    (a.dataFormat ?? 'NHWC') === 'NHWC' &&
    preluActivationWeights === undefined &&
    (activation === 'linear' || activation === 'relu' || activation === 'leakyrelu') &&
    (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === filter?.shape[3]));
  if (!handled || x === undefined || filter === undefined) {
    if (tfjsFusedConv2D === undefined) throw new Error('FusedConv2D: tfjs-backend-cpu kernel not captured');
    return tfjsFusedConv2D(args);
  }
  const out = conv2DCpu({ inputs: { x, filter }, backend: args.backend, attrs: { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: a.dilations, dimRoundingMode: a.dimRoundingMode } }) as tf.TensorInfo;
  const cpu = asCpuBackend(args.backend, 'FusedConv2D');
  const y = cpuFloats(cpu, out, 'FusedConv2D');
  const b = bias === undefined ? undefined : cpuFloats(cpu, bias, 'FusedConv2D');
  const channels = filter.shape[3] ?? 1;
  const alpha = activation === 'leakyrelu' ? (a.leakyreluAlpha ?? 0.2) : activation === 'relu' ? 0 : 1;
  for (let i = 0; i < y.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const value = y[i + c]! + (b === undefined ? 0 : b[c]!);
      y[i + c] = value < 0 ? alpha * value : value;
    }
  }
  return out;
};
