import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../tfjs.js';
import { onCpu, onCpuMulti, onWasmMulti } from './array-kernel.js';
import { activationGradKernel } from './activation-grad.js';
import { captureTfjsCpuConv2D, captureTfjsCpuFusedConv2D, conv2DCpu, fusedConv2DCpu } from './cpu/conv2d.js';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './cpu/conv2d-gradients.js';
import { adamUpdateKernel, rmspropUpdateKernel, sgdUpdateKernel } from './optimizer-update.js';
import { avgPoolGradKernel, maxPoolGradKernel } from './pool-grad.js';
import { softmaxCrossEntropyKernel } from './softmax-cross-entropy.js';
import { batchMatMulWasm, fusedMatMulWasm } from './wasm/batch-mat-mul.js';
import { conv2DBackpropFilterWasm } from './wasm/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from './wasm/conv2d-backprop-input.js';
import { activationGradWasm, adamUpdateWasm, leakyReluWasm, rmspropUpdateWasm, sgdUpdateWasm } from './wasm/elementwise.js';
import { ownKernelFunctions, rememberWasmOriginal } from './wasm/delegate.js';
import { avgPoolGradWasm, maxPoolGradWasm } from './wasm/pool-grad.js';
import { fusedConv2DWasm } from './wasm/fused-conv2d.js';
import { softmaxWasm } from './wasm/softmax.js';
import { sumWasm } from './wasm/sum.js';

/** The backends {@link registerTrainingKernels} knows how to complete. */
export type TrainingBackendName = 'wasm' | 'cpu';

/** A kernel this module installs: its tfjs name and the function that computes it. */
interface TrainingKernel {
  readonly kernelName: string;
  readonly kernelFunc: tf.KernelFunc;
}

const wasmKernels: readonly TrainingKernel[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilterWasm },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInputWasm },
  { kernelName: 'BatchMatMul', kernelFunc: batchMatMulWasm },
  { kernelName: 'AvgPoolGrad', kernelFunc: avgPoolGradWasm },
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGradWasm },
  { kernelName: 'Sum', kernelFunc: sumWasm },
  { kernelName: adamUpdateKernel.kernelName, kernelFunc: adamUpdateWasm },
  { kernelName: rmspropUpdateKernel.kernelName, kernelFunc: rmspropUpdateWasm },
  { kernelName: sgdUpdateKernel.kernelName, kernelFunc: sgdUpdateWasm },
  { kernelName: softmaxCrossEntropyKernel.kernelName, kernelFunc: onWasmMulti(softmaxCrossEntropyKernel) },
  { kernelName: activationGradKernel.kernelName, kernelFunc: activationGradWasm },
  { kernelName: 'Softmax', kernelFunc: softmaxWasm },
  { kernelName: 'FusedConv2D', kernelFunc: fusedConv2DWasm },
  { kernelName: '_FusedMatMul', kernelFunc: fusedMatMulWasm },
  { kernelName: 'LeakyRelu', kernelFunc: leakyReluWasm },
];

const cpuKernels: readonly TrainingKernel[] = [
  { kernelName: conv2DBackpropFilterKernel.kernelName, kernelFunc: onCpu(conv2DBackpropFilterKernel) },
  { kernelName: conv2DBackpropInputKernel.kernelName, kernelFunc: onCpu(conv2DBackpropInputKernel) },
  { kernelName: 'Conv2D', kernelFunc: conv2DCpu },
  { kernelName: avgPoolGradKernel.kernelName, kernelFunc: onCpu(avgPoolGradKernel) },
  { kernelName: maxPoolGradKernel.kernelName, kernelFunc: onCpu(maxPoolGradKernel) },
  { kernelName: 'FusedConv2D', kernelFunc: fusedConv2DCpu },
  ...[adamUpdateKernel, rmspropUpdateKernel, sgdUpdateKernel, softmaxCrossEntropyKernel].map((kernel) => ({ kernelName: kernel.kernelName, kernelFunc: onCpuMulti(kernel) })),
  { kernelName: activationGradKernel.kernelName, kernelFunc: onCpu(activationGradKernel) },
];

for (const kernel of [...wasmKernels, ...cpuKernels]) ownKernelFunctions.add(kernel.kernelFunc);

/** The kernels {@link registerTrainingKernels} installs for `backendName`, by tfjs kernel name. */
export function trainingKernelNames(backendName: TrainingBackendName): string[] {
  return (backendName === 'wasm' ? wasmKernels : cpuKernels).map((kernel) => kernel.kernelName);
}

/**
 * Installs the gradient kernels LeNet-style training needs on `backendName` where tfjs lacks them
 * (wasm has no Conv2DBackpropFilter) or runs them slowly. Call after `tf.setBackend(backendName)`;
 * calling again is a no-op. Replaced kernels keep their setup function, so registering before the
 * backend initialises works too.
 */
export function registerTrainingKernels(backendName: TrainingBackendName): void {
  const kernels = backendName === 'wasm' ? wasmKernels : cpuKernels;
  if (backendName === 'cpu') {
    captureTfjsCpuConv2D();
    captureTfjsCpuFusedConv2D();
  }
  for (const kernel of kernels) install(backendName, kernel);
}

function install(backendName: TrainingBackendName, kernel: TrainingKernel): void {
  const current = tfjs.getKernel(kernel.kernelName, backendName);
  if (current?.kernelFunc === kernel.kernelFunc) return;
  if (backendName === 'wasm') rememberWasmOriginal(kernel.kernelName);
  const config: tf.KernelConfig = { kernelName: kernel.kernelName, backendName, kernelFunc: kernel.kernelFunc };
  if (current !== undefined) {
    // The replaced kernel's setup (e.g. binding its wasm export) must still run if the backend
    // initialises later, because our kernel may delegate to it.
    if (current.setupFunc !== undefined) config.setupFunc = current.setupFunc;
    if (current.disposeFunc !== undefined) config.disposeFunc = current.disposeFunc;
    tfjs.unregisterKernel(kernel.kernelName, backendName);
  }
  tfjs.registerKernel(config);
}
