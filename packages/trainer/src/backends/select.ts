import { loadWasmBackend, tfjs } from '../tfjs.js';
import { ValidationError } from '@hptune/trial';
import type { BackendChoice } from '../settings.js';
import { describeDevices, detectNvidiaDevices, type GpuStatus } from './hardware.js';
import { registerTrainingKernels } from './kernels/index.js';

/** A backend the trainer can run on. */
export type TrainerBackend = Exclude<BackendChoice, 'auto'>;

/** The order `--tfjs-backend auto` tries backends in: fastest first. */
export const AUTO_BACKEND_ORDER: readonly TrainerBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** The npm package each native backend lives in (optional peer dependencies, never bundled). */
export const NATIVE_PACKAGES = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' } as const;

/** One backend tried while selecting, and what came of it. */
export interface BackendAttempt {
  readonly backend: TrainerBackend;
  readonly loaded: boolean;
  /** Why it could not be used, or what it offers, in a few words. */
  readonly reason: string;
}

/** The backend in use, how it was chosen, and the GPU's status. */
export interface BackendSelection {
  /** What was asked for. */
  readonly requested: BackendChoice;
  /** What runs the training. */
  readonly backend: TrainerBackend;
  /** The tfjs backend name: `tensorflow` for both native packages, else `wasm` or `cpu`. */
  readonly tfBackend: string;
  /** Every backend tried, in order; the last one is the one chosen. */
  readonly attempts: readonly BackendAttempt[];
  readonly gpu: GpuStatus;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** `auto` or the backend to use. */
  choice: BackendChoice;
  /** Imports a native package; a seam for tests. @default dynamic `import()` */
  importPackage?: (specifier: string) => Promise<unknown>;
  /** NVIDIA devices the driver lists; a seam for tests. @default {@link detectNvidiaDevices} */
  nvidiaDevices?: readonly string[];
}

/**
 * Makes a TensorFlow.js backend current. `auto` tries tfjs-node-gpu, tfjs-node, wasm, then cpu
 * and keeps the first that loads; an explicit choice that cannot load (or tfjs-node-gpu without
 * a GPU device) is an error, never a quiet fallback to a slower backend. On wasm and cpu the
 * training kernels tfjs lacks or runs slowly are registered. Puts tfjs in production mode, which
 * silences its console warnings.
 *
 * @throws ValidationError `BACKEND_UNAVAILABLE` naming the backend, why it did not load, and the fix.
 */
export async function selectBackend(options: SelectBackendOptions): Promise<BackendSelection> {
  // tfjs warns on the console (the cpu backend's "install tfjs-node" banner, failed inits);
  // the trainer logs its own reasons instead.
  tfjs.enableProdMode();
  const importPackage = options.importPackage ?? ((specifier: string) => import(specifier));
  const devices = options.nvidiaDevices ?? detectNvidiaDevices();
  const candidates = options.choice === 'auto' ? AUTO_BACKEND_ORDER : [options.choice];
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    const outcome = await tryBackend(backend, { importPackage, strict: options.choice !== 'auto' });
    attempts.push({ backend, loaded: outcome.loaded, reason: outcome.reason });
    if (!outcome.loaded) continue;
    if (backend === 'wasm' || backend === 'cpu') registerTrainingKernels(backend);
    return { requested: options.choice, backend, tfBackend: tfjs.getBackend(), attempts, gpu: gpuStatus(attempts, outcome.usesGpu, devices) };
  }
  const failed = attempts[attempts.length - 1] as BackendAttempt;
  throw new ValidationError(
    {
      field: '--tfjs-backend',
      value: options.choice,
      problem: `cannot be used: ${failed.reason}`,
      fix: failed.backend in NATIVE_PACKAGES ? `${installHint(failed.backend)}, or pass --tfjs-backend auto to use the fastest backend that loads` : 'pass --tfjs-backend auto',
    },
    { code: 'BACKEND_UNAVAILABLE' },
  );
}

interface Outcome {
  readonly loaded: boolean;
  readonly reason: string;
  readonly usesGpu: boolean;
}

async function tryBackend(backend: TrainerBackend, context: { importPackage: (specifier: string) => Promise<unknown>; strict: boolean }): Promise<Outcome> {
  switch (backend) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      const packageName = NATIVE_PACKAGES[backend];
      try {
        await context.importPackage(packageName);
      } catch (error) {
        return { loaded: false, reason: explainImportFailure(packageName, error), usesGpu: false };
      }
      if (!(await trySetBackend('tensorflow'))) {
        return { loaded: false, reason: `${packageName} loaded but its TensorFlow backend did not initialise`, usesGpu: false };
      }
      const usesGpu = (tfjs.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      if (backend === 'tfjs-node-gpu' && !usesGpu) {
        const reason = `${packageName} loaded but TensorFlow sees no GPU device (check nvidia-smi and CUDA_VISIBLE_DEVICES)`;
        if (context.strict) return { loaded: false, reason, usesGpu: false };
        return { loaded: true, reason: `${reason}; native TensorFlow runs on the CPU`, usesGpu: false };
      }
      return { loaded: true, reason: usesGpu ? 'native TensorFlow on the GPU' : 'native TensorFlow on the CPU', usesGpu };
    }
    case 'wasm': {
      try {
        loadWasmBackend();
      } catch (error) {
        return { loaded: false, reason: explainImportFailure('@tensorflow/tfjs-backend-wasm', error), usesGpu: false };
      }
      if (!(await trySetBackend('wasm'))) return { loaded: false, reason: 'the WebAssembly module did not initialise', usesGpu: false };
      const simd = await tfjs.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tfjs.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      return { loaded: true, reason: `WebAssembly, SIMD ${simd ? 'on' : 'off'}, ${threads ? 'multi-threaded' : 'one thread'}`, usesGpu: false };
    }
    case 'cpu':
      if (!(await trySetBackend('cpu'))) return { loaded: false, reason: 'the plain JavaScript backend did not initialise', usesGpu: false };
      return { loaded: true, reason: 'plain JavaScript, the slowest', usesGpu: false };
  }
}

/** `tf.setBackend`, false when the backend failed to initialise. */
async function trySetBackend(name: string): Promise<boolean> {
  try {
    return (await tfjs.setBackend(name)) && tfjs.getBackend() === name;
  } catch {
    return false;
  }
}

/** Says in a few words why a package could not be imported. */
export function explainImportFailure(packageName: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = String((error as Error)?.message ?? error);
  const missingLibrary = /(lib[\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message)?.[1];
  if (missingLibrary && /^lib(cuda|cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|cudnn|nvinfer)/.test(missingLibrary)) {
    return `${packageName} is installed but the CUDA libraries are missing (${missingLibrary} cannot be opened)`;
  }
  if (missingLibrary) return `${packageName} is installed but a shared library is missing (${missingLibrary} cannot be opened)`;
  // Node says "Cannot find package 'x'"; bundlers and vite say "Could not resolve "x"".
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || message.startsWith('Could not resolve');
  if (notFound && message.includes(packageName) && !message.includes('.node')) {
    return `${packageName} is not installed`;
  }
  if (message.includes('tfjs_binding.node')) {
    return `${packageName} is installed but its native binding is missing (its install script downloads libtensorflow and did not finish)`;
  }
  return `${packageName} failed to load: ${message.split('\n')[0]}`;
}

function installHint(backend: TrainerBackend): string {
  return backend === 'tfjs-node-gpu'
    ? 'install @tensorflow/tfjs-node-gpu on Linux with the NVIDIA driver and the CUDA and cuDNN versions its README lists'
    : 'install @tensorflow/tfjs-node (its install script downloads libtensorflow)';
}

function gpuStatus(attempts: readonly BackendAttempt[], usesGpu: boolean, devices: readonly string[]): GpuStatus {
  const devicesNote = describeDevices(devices);
  if (usesGpu) return { used: true, reason: `TensorFlow runs on the GPU (${devicesNote})`, devices };
  const gpuAttempt = attempts.find((attempt) => attempt.backend === 'tfjs-node-gpu');
  const reason = gpuAttempt ? gpuAttempt.reason : `not tried, --tfjs-backend ${attempts[0]?.backend ?? 'auto'} was asked for`;
  return { used: false, reason: `${reason} (${devicesNote})`, devices };
}
