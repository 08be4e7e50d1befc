import * as tf from '@tensorflow/tfjs';
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
  const current = tf.getKernel('Conv2D', 'cpu');
  if (current !== undefined && current.kernelFunc !== conv2DCpu) tfjsConv2D = current.kernelFunc;
}
