import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { HptuneError } from '@hptune/trial';
import { makeDirectoryAsync } from '@hptune/trial';

/** The model topology file of the TensorFlow.js layers format. */
export const MODEL_JSON = 'model.json';
/** The weights file the saved `model.json` points at. */
export const WEIGHTS_BIN = 'weights.bin';

/** What {@link saveModel} wrote. */
export interface SavedModel {
  /** Absolute path of `model.json`. */
  readonly modelJson: string;
  /** Absolute path of `weights.bin`. */
  readonly weightsBin: string;
  /** Size of the weights in bytes. */
  readonly weightBytes: number;
}

/**
 * Saves a layers model in TensorFlow.js format (`model.json` + `weights.bin`) to a local
 * directory, without tfjs-node's `file://` handler. Each file is written beside its final name
 * and renamed into place, weights first, so a reader never sees a `model.json` whose weights
 * are half written.
 *
 * @see https://www.tensorflow.org/js/guide/save_load
 * @throws HptuneError `MODEL_SAVE_FAILED` naming the directory.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<SavedModel> {
  const modelJson = join(dir, MODEL_JSON);
  const weightsBin = join(dir, WEIGHTS_BIN);
  let weightBytes = 0;
  const handler = tfjs.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(tfjs.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
    weightBytes = weights.byteLength;
    const json = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology,
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    };
    await makeDirectoryAsync(dir);
    await writeInPlace(weightsBin, weights);
    await writeInPlace(modelJson, JSON.stringify(json));
    return { modelArtifactsInfo: tfjs.io.getModelArtifactsInfoForJSON(artifacts) };
  });
  try {
    await model.save(handler);
  } catch (error) {
    throw new HptuneError('MODEL_SAVE_FAILED', `cannot save the model to ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return { modelJson, weightsBin, weightBytes };
}

/** Writes `data` beside `path` and renames it into place, so a reader sees the old file or the new one, never half of one. */
export async function writeInPlace(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/**
 * Loads a model saved by {@link saveModel} (or any single-weights-file TensorFlow.js layers
 * model) from a local directory.
 *
 * @throws HptuneError `MODEL_LOAD_FAILED` naming the file.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = join(dir, MODEL_JSON);
  try {
    const json = JSON.parse(await readFile(modelJson, 'utf8')) as tf.io.ModelJSON;
    const manifest = json.weightsManifest ?? [];
    const weightSpecs = manifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(manifest.flatMap((group) => group.paths).map((path) => readFile(join(dir, path))));
    const weightData = tfjs.io.CompositeArrayBuffer.join(buffers.map((buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)));
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
    };
    return await tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts));
  } catch (error) {
    throw new HptuneError('MODEL_LOAD_FAILED', `cannot load the model from ${modelJson}: ${(error as Error).message}`, { cause: error });
  }
}
