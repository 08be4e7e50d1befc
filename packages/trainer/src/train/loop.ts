import type * as tf from '@tensorflow/tfjs';
import { batchCount, batchesOf } from '../data/batches.js';
import type { MnistData } from '../data/mnist.js';
import { createRandom, permutation } from '../random.js';
import type { EpochMetrics, TrainingContext, TrainingObserver } from './observers.js';
import { createTrainStep, evaluate, type GradientPath } from './step.js';

/** Options of {@link runTrainingLoop}. */
export interface TrainingLoopOptions {
  /** The model to train, in place. */
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The optimizer's learning rate, for observers to log. */
  learningRate: number;
  data: MnistData;
  /** Images per training step. */
  batchSize: number;
  /** Passes over the training set. */
  numEpochs: number;
  /** Seed of each epoch's shuffling. */
  seed: number;
  /** Hooks called around epochs and batches, in order. @default [] */
  observers?: readonly TrainingObserver[];
  /** Images per evaluation batch. @default 1000 */
  evaluationBatchSize?: number;
  /** Stops the loop between batches; it then throws the signal's reason. */
  signal?: AbortSignal;
  /** How gradients are computed; see {@link createTrainStep}. @default 'auto' */
  gradients?: GradientPath;
  /**
   * Where an earlier run stopped (from a checkpoint): training goes on with the epoch after
   * `resumeFrom.epoch`, shuffling as the uninterrupted run would, and the history starts with its.
   * The model and optimizer must already hold that run's state.
   */
  resumeFrom?: TrainingProgress;
  /** Called after each epoch's evaluation, before the observers hear of it: where a checkpoint is written. */
  onEpochDone?: (progress: TrainingProgress) => void | Promise<void>;
}

/** How far a run has come, besides its model and optimizer: what a checkpoint must keep to resume it. */
export interface TrainingProgress {
  /** Epochs done, counted from 1. */
  readonly epoch: number;
  /** The shuffling generator's state after that epoch's shuffle (see `SeededRandom.state`). */
  readonly shuffleState: number;
  /** The metrics of each epoch done, in order. */
  readonly history: readonly EpochMetrics[];
}

/**
 * Trains `model` for `numEpochs` epochs, each over a fresh seeded shuffle of the training set,
 * and evaluates it on the test set after each epoch; with `resumeFrom`, only the epochs after it.
 *
 * Between batches it yields to the event loop, so timers, I/O and signal handlers (a SIGTERM
 * from Vertex AI) run during training. Every tensor a step makes is disposed, so
 * `tf.memory().numTensors` is the same after every epoch.
 *
 * @returns each epoch's metrics, in order.
 */
export async function runTrainingLoop(options: TrainingLoopOptions): Promise<EpochMetrics[]> {
  const { model, optimizer, data, batchSize, numEpochs } = options;
  const observers = options.observers ?? [];
  const context: TrainingContext = { model, optimizer, data, numEpochs, batchSize, learningRate: options.learningRate };
  const shuffle = createRandom(options.resumeFrom?.shuffleState ?? options.seed ^ 0x5eed5eed);
  const step = createTrainStep(model, optimizer, { gradients: options.gradients ?? 'auto' });
  const batches = batchCount(data.train.count, batchSize);
  const history: EpochMetrics[] = [...(options.resumeFrom?.history ?? [])];
  const notify = async <K extends keyof TrainingObserver>(hook: K, ...args: Parameters<NonNullable<TrainingObserver[K]>>) => {
    for (const observer of observers) {
      const method = observer[hook] as ((...values: typeof args) => void | Promise<void>) | undefined;
      await method?.apply(observer, args);
    }
  };

  await notify('onTrainBegin', context);
  for (let epoch = (options.resumeFrom?.epoch ?? 0) + 1; epoch <= numEpochs; epoch++) {
    await notify('onEpochBegin', epoch, context);
    const order = permutation(data.train.count, shuffle);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let lossSum = 0;
    let correct = 0;
    let images = 0;
    let batch = 0;
    for (const input of batchesOf(data.train, { batchSize, order, reuseArrays: true })) {
      options.signal?.throwIfAborted();
      const result = await step(input);
      batch += 1;
      images += input.size;
      lossSum += result.loss * input.size;
      correct += result.correct;
      await notify(
        'onBatchEnd',
        {
          epoch,
          batch,
          batches,
          images,
          epochImages: data.train.count,
          loss: result.loss,
          accuracy: result.correct / input.size,
          epochLoss: lossSum / images,
          epochAccuracy: correct / images,
          elapsedSeconds: (performance.now() - started) / 1000,
        },
        context,
      );
      await yieldToEventLoop();
    }
    const trainSeconds = (performance.now() - started) / 1000;
    options.signal?.throwIfAborted();
    const test = await evaluate(model, data.test, options.evaluationBatchSize);
    const metrics: EpochMetrics = {
      epoch,
      trainLoss: lossSum / images,
      trainAccuracy: correct / images,
      testLoss: test.loss,
      testAccuracy: test.correct / data.test.count,
      epochSeconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSecondsSince(cpuStarted),
      trainSeconds,
      imagesPerSecond: images / trainSeconds,
    };
    history.push(metrics);
    await options.onEpochDone?.({ epoch, shuffleState: shuffle.state, history: [...history] });
    await notify('onEpochEnd', metrics, context);
  }
  await notify('onTrainEnd', history, context);
  return history;
}

/** This process's CPU time (user and system) since `start`, in seconds. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
