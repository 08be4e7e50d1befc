// Times LeNet-5's convolution kernels one at a time on the wasm backend with hptune's kernels:
// the forward passes of both layers (FusedConv2D with bias and relu), the second layer's input
// gradient and both filter gradients, on random tensors of LeNet's shapes. Prints, per kernel, the
// median and the fastest of --rounds rounds of --calls calls, in ms per call.
//
//   node packages/trainer/scripts/bench-convolutions.mjs [--batch 64] [--rounds 7] [--calls 50] [--no-fma]
//
// The kernels are bundled from src/ with tsup on each run, so no package build is needed. To
// compare two commits, run it in a checkout of each, alternating.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bundleSource } from './bundle-source.mjs';

const { values: options } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '7' },
    calls: { type: 'string', default: '50' },
    'no-fma': { type: 'boolean', default: false },
  },
});
const [batch, rounds, calls] = [options.batch, options.rounds, options.calls].map(Number);
for (const [name, value] of Object.entries({ batch, rounds, calls })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1, got ${options[name]}`);
}

const { kernels, runtime } = await bundleSource('hptune-bench-convolutions', {
  kernels: 'src/backends/kernels/index.ts',
  runtime: 'src/backends/kernels/wasm/simd/runtime.ts',
});
const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
tf.enableProdMode();
await tf.setBackend('wasm');
await tf.ready();
kernels.registerTrainingKernels('wasm');
if (options['no-fma']) runtime.setFusedMultiplyAddEnabled(false);

const random = (shape) => tf.randomNormal(shape, 0, 1, 'float32', 42);
const conv1 = { x: random([batch, 28, 28, 1]), filter: random([5, 5, 1, 6]), bias: random([6]), dy: random([batch, 28, 28, 6]) };
const conv2 = { x: random([batch, 14, 14, 6]), filter: random([5, 5, 6, 16]), bias: random([16]), dy: random([batch, 10, 10, 16]) };
const geometry = (pad) => ({ strides: 1, pad, dataFormat: 'NHWC' });
const cases = {
  'conv 1 forward (FusedConv2D, relu)': () => tf.fused.conv2d({ x: conv1.x, filter: conv1.filter, bias: conv1.bias, strides: 1, pad: 'same', activation: 'relu' }),
  'conv 2 forward (FusedConv2D, relu)': () => tf.fused.conv2d({ x: conv2.x, filter: conv2.filter, bias: conv2.bias, strides: 1, pad: 'valid', activation: 'relu' }),
  'conv 2 dx (Conv2DBackpropInput)': () =>
    tf.engine().runKernel('Conv2DBackpropInput', { dy: conv2.dy, filter: conv2.filter }, { ...geometry('valid'), inputShape: conv2.x.shape }),
  'conv 2 dW (Conv2DBackpropFilter)': () =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x: conv2.x, dy: conv2.dy }, { ...geometry('valid'), filterShape: conv2.filter.shape }),
  'conv 1 dW (Conv2DBackpropFilter)': () =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x: conv1.x, dy: conv1.dy }, { ...geometry('same'), filterShape: conv1.filter.shape }),
};

console.log(`LeNet-5's convolutions on wasm with hptune's kernels, batch ${batch}${options['no-fma'] ? ', no fused multiply-add' : ''}: ms per call, median and fastest of ${rounds} rounds of ${calls}`);
for (const [name, run] of Object.entries(cases)) {
  for (let i = 0; i < Math.min(20, calls); i++) run().dispose();
  const times = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) run().dispose();
    times.push((performance.now() - start) / calls);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(36)} ${times[Math.floor(rounds / 2)].toFixed(3)}  ${times[0].toFixed(3)}`);
}
