import type * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry } from '../geometry.js';
import { runWasmKernel } from './delegate.js';
import { asWasmBackend, HeapScratch, heapAddress, heapFloats, type WasmHeapBackend } from './heap.js';
import { paddedInput } from './simd/filter-gradient.js';
import { buildPadModule, padKey } from './simd/pad.js';
import { type SimdRuntime, simdRuntime } from './simd/runtime.js';
import { buildChannelConvModule, channelConvFits, channelConvKey } from './simd/channel-conv.js';
import { buildSingleChannelConvModule, singleChannelConvFits, singleChannelConvKey } from './simd/single-channel-conv.js';

/** Which generated kernel takes a call: the single-channel one, the multi-channel one, or none. */
type GeneratedConv = { kind: 'single-channel' | 'channel'; geometry: ConvGeometry };

/** The generated kernel that can take this call, else undefined (tfjs's kernel then runs). */
function generatedConv(inputs: tf.FusedConv2DInputs, a: tf.FusedConv2DAttrs): GeneratedConv | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = a.activation ?? 'linear';
  const dilations = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : (a.dilations ?? [1, 1]);
  if (
    x === undefined ||
    filter === undefined ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    x.shape.length !== 4 ||
    filter.shape.length !== 4 ||
    preluActivationWeights !== undefined ||
    (activation !== 'linear' && activation !== 'relu') ||
    (a.dataFormat ?? 'NHWC') !== 'NHWC' ||
    dilations[0] !== 1 ||
    dilations[1] !== 1 ||
    (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3]))
  ) {
    return undefined;
  }
  const g = convGeometry({ kernelName: 'FusedConv2D', inputShape: x.shape, filterShape: filter.shape, strides: a.strides, pad: a.pad, dimRoundingMode: a.dimRoundingMode });
  if (g.batch === 0) return undefined;
  if (singleChannelConvFits(g)) return { kind: 'single-channel', geometry: g };
  if (channelConvFits(g)) return { kind: 'channel', geometry: g };
  return undefined;
}

/**
 * FusedConv2D on tfjs-backend-wasm, with bias and an optional relu, by a kernel generated for the
 * geometry: a single-channel input (LeNet's first layer, about twice as fast there as XNNPACK's
 * GEMM) or several input channels with output channels in whole vectors and no padding (LeNet's
 * second layer; see `simd/channel-conv.ts`). Everything else goes to tfjs's own kernel.
 */
export const fusedConv2DWasm: tf.KernelFunc = (args) => {
  const inputs = args.inputs as tf.FusedConv2DInputs;
  const a = args.attrs as unknown as tf.FusedConv2DAttrs;
  const runtime = simdRuntime(args.backend);
  const generated = runtime === undefined ? undefined : generatedConv(inputs, a);
  if (runtime === undefined || generated === undefined) return runWasmKernel('FusedConv2D', args.backend, args.inputs, args.attrs ?? {});
  const wasm = asWasmBackend(args.backend, 'FusedConv2D');
  const g = generated.geometry;
  if (generated.kind === 'channel') return channelConv(wasm, runtime, inputs, g, a.activation === 'relu');
  const x = inputs.x as tf.TensorInfo;
  const input = paddedInput(g);
  const relu = a.activation === 'relu';
  const kernel = runtime.kernel(singleChannelConvKey(g, input, relu), (code) => buildSingleChannelConvModule(g, input, relu, code));
  const scratch = new HeapScratch(wasm);
  try {
    const padded = input.copy ? scratch.alloc([g.batch, input.height, input.width, 1]) : x;
    const bias = inputs.bias ?? scratch.alloc([g.outChannels]);
    const out = wasm.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    // Views only after the last allocation, which may have grown (and detached) the heap.
    if (inputs.bias === undefined) heapFloats(wasm, bias).fill(0);
    if (input.copy) {
      heapFloats(wasm, padded).fill(0);
      runtime.kernel(padKey(g, input), () => buildPadModule(g, input))['pad']!(heapAddress(wasm, x), heapAddress(wasm, padded), g.batch);
    }
    kernel['conv']!(heapAddress(wasm, padded), heapAddress(wasm, inputs.filter as tf.TensorInfo), heapAddress(wasm, bias), heapAddress(wasm, out), g.batch);
    return out;
  } finally {
    scratch.release();
  }
};

/** The multi-channel case: x read in place, one generated call over the whole batch. */
function channelConv(wasm: WasmHeapBackend, runtime: SimdRuntime, inputs: tf.FusedConv2DInputs, g: ConvGeometry, relu: boolean): tf.TensorInfo {
  const kernel = runtime.kernel(channelConvKey(g, relu), (code) => buildChannelConvModule(g, relu, code));
  const scratch = new HeapScratch(wasm);
  try {
    const bias = inputs.bias ?? scratch.alloc([g.outChannels]);
    const out = wasm.makeOutput([g.batch, g.outHeight, g.outWidth, g.outChannels], 'float32');
    // Views only after the last allocation, which may have grown (and detached) the heap.
    if (inputs.bias === undefined) heapFloats(wasm, bias).fill(0);
    kernel['conv']!(
      heapAddress(wasm, inputs.x as tf.TensorInfo),
      heapAddress(wasm, inputs.filter as tf.TensorInfo),
      heapAddress(wasm, bias),
      heapAddress(wasm, out),
      g.batch,
    );
    return out;
  } finally {
    scratch.release();
  }
}
