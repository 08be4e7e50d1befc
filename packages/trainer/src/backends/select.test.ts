import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@hptune/trial';
import { afterAll, describe, expect, it } from 'vitest';
import { explainImportFailure, selectBackend } from './select.js';

const notInstalled = (name: string) => Object.assign(new Error(`Cannot find package '${name}' imported from /x/select.js`), { code: 'ERR_MODULE_NOT_FOUND' });
const cudaMissing = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');

describe('selectBackend', () => {
  afterAll(async () => {
    if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
    await tf.setBackend('cpu');
  });

  it('auto falls through the native packages to wasm and says why', async () => {
    const selection = await selectBackend({ choice: 'auto', nvidiaDevices: [] });
    expect(selection.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selection.attempts.map((attempt) => [attempt.backend, attempt.loaded])).toEqual([
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['wasm', true],
    ]);
    expect(selection.attempts[0]?.reason).toBe('@tensorflow/tfjs-node-gpu is not installed');
    expect(selection.attempts[2]?.reason).toContain('SIMD');
    expect(selection.gpu).toEqual({ used: false, reason: '@tensorflow/tfjs-node-gpu is not installed (no NVIDIA device found)', devices: [] });
  });

  it('tells CUDA libraries missing apart from a missing package, and names a present device', async () => {
    const selection = await selectBackend({
      choice: 'auto',
      nvidiaDevices: ['NVIDIA H200'],
      importPackage: async (name) => {
        throw name.endsWith('-gpu') ? cudaMissing : notInstalled(name);
      },
    });
    expect(selection.gpu.reason).toBe(
      '@tensorflow/tfjs-node-gpu is installed but the CUDA libraries are missing (libcudart.so.11.0 cannot be opened) (the driver lists NVIDIA H200)',
    );
  });

  it('refuses an explicit native backend that cannot load instead of training on the CPU', async () => {
    const attempt = selectBackend({ choice: 'tfjs-node-gpu', nvidiaDevices: [] });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(
      '--tfjs-backend "tfjs-node-gpu" cannot be used: @tensorflow/tfjs-node-gpu is not installed; install @tensorflow/tfjs-node-gpu',
    );
    await expect(selectBackend({ choice: 'tfjs-node' })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', exitCode: 2 });
  });

  it('refuses tfjs-node-gpu that loads but sees no GPU, while auto accepts it and says so', async () => {
    // Stands in for the real package: registers a 'tensorflow' backend that reports no GPU device.
    const fakeGpuPackage = async () => {
      if (!tf.findBackend('tensorflow')) {
        tf.registerBackend('tensorflow', () => ({ isUsingGpuDevice: false, dispose() {} }) as unknown as tf.KernelBackend);
      }
    };
    await expect(selectBackend({ choice: 'tfjs-node-gpu', importPackage: fakeGpuPackage, nvidiaDevices: [] })).rejects.toThrow('TensorFlow sees no GPU device');
    const selection = await selectBackend({ choice: 'auto', importPackage: fakeGpuPackage, nvidiaDevices: [] });
    expect(selection.backend).toBe('tfjs-node-gpu');
    expect(selection.tfBackend).toBe('tensorflow');
    expect(selection.gpu.used).toBe(false);
    expect(selection.attempts[0]?.reason).toContain('native TensorFlow runs on the CPU');
    await tf.setBackend('cpu');
    tf.removeBackend('tensorflow');
  });

  it('uses cpu when asked and registers the training kernels', async () => {
    const selection = await selectBackend({ choice: 'cpu', nvidiaDevices: [] });
    expect(selection).toMatchObject({ backend: 'cpu', tfBackend: 'cpu' });
    expect(selection.gpu.reason).toBe('not tried, --tfjs-backend cpu was asked for (no NVIDIA device found)');
  });

  it('registers Conv2DBackpropFilter on wasm', async () => {
    await selectBackend({ choice: 'wasm', nvidiaDevices: [] });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

describe('explainImportFailure', () => {
  it.each([
    [notInstalled('@tensorflow/tfjs-node'), '@tensorflow/tfjs-node is not installed'],
    [cudaMissing, 'the CUDA libraries are missing (libcudart.so.11.0 cannot be opened)'],
    [new Error('libcudnn.so.8: cannot open shared object file'), 'CUDA libraries are missing (libcudnn.so.8'],
    [new Error('libtensorflow.so.2: cannot open shared object file'), 'a shared library is missing (libtensorflow.so.2'],
    [Object.assign(new Error("Cannot find module '/n/lib/napi-v8/tfjs_binding.node'"), { code: 'MODULE_NOT_FOUND' }), 'its native binding is missing'],
    [new Error('something else\nstack'), 'failed to load: something else'],
  ])('explains %s', (error, expected) => {
    expect(explainImportFailure('@tensorflow/tfjs-node', error)).toContain(expected);
  });
});
