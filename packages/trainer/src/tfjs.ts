/**
 * TensorFlow.js as the trainer's code uses its values, loaded with `require`.
 *
 * `@tensorflow/tfjs` and its backends ship CommonJS only. Imported from an ES module, Node first
 * scans each of their files (several MB) for the names they export, which took 0.3-0.4 s of CPU
 * at every trainer start on the development machine, quiet (0.7-0.9 s under load), against
 * 0.1-0.3 s for `require`; a study starts a trainer per trial. The module instances are the same
 * either way: an `import` of these packages elsewhere gets this copy. Types still come from
 * `import type * as tf from '@tensorflow/tfjs'`.
 */
import { createRequire } from 'node:module';
import type * as TensorFlow from '@tensorflow/tfjs';

const load = createRequire(import.meta.url);

/** The `@tensorflow/tfjs` module (core, layers, the cpu backend). */
export const tfjs = load('@tensorflow/tfjs') as typeof TensorFlow;

/** Loads `@tensorflow/tfjs-backend-wasm`, which registers the `wasm` backend with {@link tfjs}. */
export function loadWasmBackend(): void {
  load('@tensorflow/tfjs-backend-wasm');
}
