/**
 * Trial checkpoints: after each epoch the trainer writes the model's weights, the optimizer's
 * state, the epoch, the shuffling generator's state and the metrics so far to one file in the
 * checkpoint folder (`AIP_CHECKPOINT_DIR`); started again for the same trial, it continues from
 * there and ends with the weights an uninterrupted run would have.
 *
 * The file, `checkpoint.bin`: the 8 bytes `HPTCKPT1`, a little-endian uint32 header length, the
 * header (UTF-8 JSON: {@link CheckpointHeader}), zero padding to a multiple of 8 bytes, then each
 * tensor's bytes in the header's order. It is written beside its final name and renamed into place,
 * so a reader sees the previous epoch's checkpoint or this one, never half of one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../tfjs.js';
import { HptuneError } from '@hptune/trial';
import { BlobNotFoundError, uploadFileVerified, type BlobStore } from '@hptune/outputs/blob';
import { makeDirectoryAsync } from '@hptune/trial';
import type { TrialPath } from '../contract.js';
import { writeInPlace } from '../model/save.js';
import type { TrainerOptions } from '../options.js';
import { openOutputStore } from '../outputs/model-upload.js';
import type { StorageSettings } from '../outputs/settings.js';
import type { TrainingProgress } from './loop.js';
import { CHECKPOINT_SETTING_IDS, LENET5_SETTINGS, settingIdOfKey, settingKey, type Setting } from '../settings.js';

/** The checkpoint's file name in the checkpoint folder. */
export const CHECKPOINT_FILE = 'checkpoint.bin';

const MAGIC = 'HPTCKPT1';
const FORMAT_VERSION = 1;

/**
 * The settings a checkpoint is only valid for (`CHECKPOINT_SETTING_IDS`), by key: a run with any
 * other value starts from scratch. A setting that is off unless given (`trainSize`) is `null` when off.
 */
export type CheckpointSettings = Readonly<Record<string, string | number | null>>;

/** One tensor's place in the file. */
interface TensorEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
  /** Byte offset from the start of the tensor data. */
  readonly offset: number;
}

/** The JSON header of `checkpoint.bin`. */
export interface CheckpointHeader {
  readonly version: number;
  readonly settings: CheckpointSettings;
  readonly progress: TrainingProgress;
  /** The model's weights, in `model.getWeights()` order. */
  readonly weights: readonly TensorEntry[];
  /** The trainable variables' names when written: the optimizer's slots are named after them. */
  readonly variables: readonly string[];
  /** The optimizer's weights (`optimizer.getWeights()`), slots named `<variable>/<slot>`. */
  readonly optimizer: readonly TensorEntry[];
}

/** A checkpoint read back: its header and the bytes its tensors point into. */
export interface Checkpoint {
  readonly header: CheckpointHeader;
  readonly data: Uint8Array;
  /** Where it was read from, for log lines. */
  readonly location: string;
}

/** The settings of `options` a checkpoint must match. */
export function checkpointSettings(options: TrainerOptions): CheckpointSettings {
  return Object.fromEntries(
    CHECKPOINT_SETTING_IDS.map((id) => [settingKey(id), (options[settingKey(id) as keyof TrainerOptions] as string | number | undefined) ?? null]),
  );
}

/**
 * The settings that differ between a checkpoint and this run, as `name checkpoint -> run`; empty
 * when it applies. A setting the checkpoint does not name (one added to the trainer after it was
 * written) counts as its declared default, so a checkpoint stays valid for a run that leaves it so.
 */
export function settingDifferences(written: CheckpointSettings, wanted: CheckpointSettings): string[] {
  const writtenValue = (key: string) => {
    if (key in written) return written[key];
    const id = settingIdOfKey(key);
    return id === undefined ? null : ((LENET5_SETTINGS[id] as Setting).default ?? null);
  };
  return Object.keys(wanted)
    .filter((key) => writtenValue(key) !== wanted[key])
    .map((key) => `${key} ${String(writtenValue(key))} -> ${String(wanted[key])}`);
}

/** Where checkpoints go and how Cloud Storage is reached, for a `gs://` folder. */
export interface CheckpointLocation {
  /** The checkpoint folder: local, or a local staging folder with its `gs://` url. */
  readonly dir: TrialPath;
  readonly storage: StorageSettings;
}

/**
 * Writes the run's state after an epoch: to a temporary file renamed over `checkpoint.bin`, then,
 * for a `gs://` folder, uploaded and verified there.
 * @throws HptuneError `CHECKPOINT_WRITE_FAILED` naming the folder.
 */
export async function writeCheckpoint(location: CheckpointLocation, state: { model: tf.LayersModel; optimizer: tf.Optimizer; settings: CheckpointSettings; progress: TrainingProgress }): Promise<void> {
  const { dir } = location;
  const path = join(dir.path, CHECKPOINT_FILE);
  try {
    const bytes = await encodeCheckpoint(state);
    await makeDirectoryAsync(dir.path);
    await writeInPlace(path, bytes);
    if (dir.url !== undefined) await uploadFileVerified(remoteStore(location, dir.url), path, CHECKPOINT_FILE);
  } catch (error) {
    throw new HptuneError('CHECKPOINT_WRITE_FAILED', `cannot write the checkpoint of epoch ${state.progress.epoch} to ${dir.url ?? dir.path} (${dir.from}): ${(error as Error).message}`, { cause: error });
  }
}

/** One Cloud Storage client per checkpoint folder of a run, not one per epoch. */
const remoteStores = new WeakMap<CheckpointLocation, BlobStore>();

function remoteStore(location: CheckpointLocation, url: string): BlobStore {
  let store = remoteStores.get(location);
  if (!store) {
    store = openOutputStore(url, location.storage);
    remoteStores.set(location, store);
  }
  return store;
}

/**
 * Reads the checkpoint in the folder, from Cloud Storage for a `gs://` one.
 * @returns `undefined` when there is none.
 * @throws HptuneError `CHECKPOINT_UNREADABLE` when a file is there but is not a checkpoint this trainer wrote.
 */
export async function readCheckpoint(location: CheckpointLocation): Promise<Checkpoint | undefined> {
  const { dir } = location;
  const where = dir.url === undefined ? join(dir.path, CHECKPOINT_FILE) : `${dir.url}/${CHECKPOINT_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = dir.url === undefined ? await readFile(where) : await remoteStore(location, dir.url).get(CHECKPOINT_FILE);
  } catch (error) {
    if (error instanceof BlobNotFoundError || (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HptuneError('CHECKPOINT_UNREADABLE', `cannot read the checkpoint ${where} (${dir.from}): ${(error as Error).message}`, { cause: error });
  }
  return decodeCheckpoint(bytes, where);
}

/**
 * Puts a checkpoint's weights into `model` and its state into `optimizer`, which must be built with
 * the checkpoint's settings (see {@link settingDifferences}).
 * @throws HptuneError `CHECKPOINT_UNREADABLE` when the checkpoint does not fit the model.
 */
export async function restoreCheckpoint(checkpoint: Checkpoint, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const { header, data, location } = checkpoint;
  const weights = model.getWeights();
  const fits = header.weights.length === weights.length && header.weights.every((entry, i) => sameShape(entry.shape, weights[i]?.shape ?? []));
  if (!fits) throw new HptuneError('CHECKPOINT_UNREADABLE', `the checkpoint ${location} holds weights of another model; delete it to train from scratch`);
  const restored = header.weights.map((entry) => tensorOf(entry, data));
  model.setWeights(restored);
  tfjs.dispose(restored);
  // The optimizer's slots are named after the variables, whose names may differ in this process.
  const variables = model.trainableWeights.map((weight) => (weight.read() as tf.Variable).name);
  const renamed = new Map(header.variables.map((name, i) => [name, variables[i] ?? name]));
  const slots = header.optimizer.map((entry) => {
    const cut = entry.name.lastIndexOf('/');
    const variable = cut < 0 ? undefined : renamed.get(entry.name.slice(0, cut));
    return { name: variable === undefined ? entry.name : `${variable}${entry.name.slice(cut)}`, tensor: tensorOf(entry, data) };
  });
  await optimizer.setWeights(slots);
  tfjs.dispose(slots.map((slot) => slot.tensor));
}

/** Options of {@link resumeFromCheckpoint}. */
export interface ResumeOptions {
  readonly location: CheckpointLocation;
  /** This run's settings; a checkpoint written with others is not used. */
  readonly settings: CheckpointSettings;
  /** This run's epochs; a checkpoint after a later epoch is not used. */
  readonly numEpochs: number;
  /** `false` (`--no-resume`): read no checkpoint and train from epoch 1, replacing it after that epoch. */
  readonly resume: boolean;
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly log: (line: string) => void;
  readonly warn: (line: string) => void;
}

/**
 * Continues an earlier run of the same trial: reads the checkpoint folder's checkpoint and, when it
 * was written with this run's settings, puts its state into the model and optimizer. A checkpoint
 * that is unreadable, of other settings or past this run's last epoch is named in a warning and
 * left to be overwritten after epoch 1. With `resume: false` nothing is read.
 * @returns where to go on from, or `undefined` to train from epoch 1.
 */
export async function resumeFromCheckpoint(options: ResumeOptions): Promise<TrainingProgress | undefined> {
  if (!options.resume) {
    const folder = options.location.dir.url ?? options.location.dir.path;
    options.log(`checkpoint: --no-resume: training from epoch 1; a checkpoint in ${folder} from an earlier run is not read, and is replaced after epoch 1`);
    return undefined;
  }
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = await readCheckpoint(options.location);
  } catch (error) {
    if (!(error instanceof HptuneError) || error.code !== 'CHECKPOINT_UNREADABLE') throw error;
    options.warn(`${error.message.replace(/; delete it to train from scratch$/, '')}: training from epoch 1`);
    return undefined;
  }
  if (checkpoint === undefined) return undefined;
  const { progress } = checkpoint.header;
  const differences = settingDifferences(checkpoint.header.settings, options.settings);
  if (differences.length > 0) {
    options.warn(`the checkpoint ${checkpoint.location} is of a run with other settings (${differences.join(', ')}): training from epoch 1`);
    return undefined;
  }
  if (progress.epoch > options.numEpochs) {
    options.warn(`the checkpoint ${checkpoint.location} is after epoch ${progress.epoch}, past this run's ${options.numEpochs}: training from epoch 1`);
    return undefined;
  }
  await restoreCheckpoint(checkpoint, options.model, options.optimizer);
  if (progress.epoch === options.numEpochs) {
    // The same command run again: every epoch is there, so nothing trains. Say so, and how to train again.
    options.log(
      `checkpoint: all ${options.numEpochs} epoch(s) of this run are already trained in ${checkpoint.location}: nothing to train, ` +
        `the model and metrics below are that run's; to train again from epoch 1, add --no-resume`,
    );
  } else {
    options.log(`checkpoint: resuming after epoch ${progress.epoch} of ${options.numEpochs} from ${checkpoint.location} (--no-resume trains from epoch 1)`);
  }
  return progress;
}

async function encodeCheckpoint(state: { model: tf.LayersModel; optimizer: tf.Optimizer; settings: CheckpointSettings; progress: TrainingProgress }): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (name: string, tensor: tf.Tensor): TensorEntry => {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = tensor.dtype === dtype ? (tensor.dataSync() as Float32Array | Int32Array) : Float32Array.from(tensor.dataSync());
    const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    const entry: TensorEntry = { name, shape: [...tensor.shape], dtype, offset };
    chunks.push(bytes);
    offset += bytes.byteLength;
    return entry;
  };
  const weights = state.model.getWeights().map((tensor, i) => add(`weight${i}`, tensor));
  const optimizerWeights = await state.optimizer.getWeights();
  const optimizer = optimizerWeights.map(({ name, tensor }) => add(name, tensor));
  // getWeights makes the iteration count a new scalar; the slots are the optimizer's own.
  tfjs.dispose(optimizerWeights.filter(({ name }) => name === 'iter').map(({ tensor }) => tensor));
  const header: CheckpointHeader = {
    version: FORMAT_VERSION,
    settings: state.settings,
    progress: state.progress,
    weights,
    variables: state.model.trainableWeights.map((weight) => (weight.read() as tf.Variable).name),
    optimizer,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(MAGIC.length + 4 + json.byteLength);
  const bytes = new Uint8Array(dataStart + offset);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, json.byteLength, true);
  bytes.set(json, MAGIC.length + 4);
  let at = dataStart;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function decodeCheckpoint(bytes: Uint8Array, location: string): Checkpoint {
  const unreadable = (problem: string) => new HptuneError('CHECKPOINT_UNREADABLE', `the checkpoint ${location} ${problem}; delete it to train from scratch`);
  if (bytes.byteLength < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) throw unreadable('is not an hptune checkpoint');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength))) as CheckpointHeader;
  } catch {
    throw unreadable('has a damaged header');
  }
  if (header.version !== FORMAT_VERSION) throw unreadable(`is of format version ${String(header.version)}, this trainer reads ${FORMAT_VERSION}`);
  const data = bytes.subarray(align8(MAGIC.length + 4 + headerLength));
  const end = [...header.weights, ...header.optimizer].reduce((last, entry) => Math.max(last, entry.offset + 4 * entry.shape.reduce((a, b) => a * b, 1)), 0);
  if (end > data.byteLength) throw unreadable(`is cut short (${data.byteLength} of ${end} bytes of tensors)`);
  return { header, data, location };
}

function tensorOf(entry: TensorEntry, data: Uint8Array): tf.Tensor {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  // A copy at offset 0: the file's bytes may sit anywhere in a larger (pooled) buffer.
  const copy = new Uint8Array(4 * count);
  copy.set(data.subarray(entry.offset, entry.offset + 4 * count));
  return tfjs.tensor(entry.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer), entry.shape, entry.dtype);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function align8(value: number): number {
  return Math.ceil(value / 8) * 8;
}
