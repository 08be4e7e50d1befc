import type * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/mnist.js';

/** What a training run measured in one epoch. */
export interface EpochMetrics {
  /** The epoch, counted from 1 (the `global_step` of its metric report). */
  readonly epoch: number;
  /** Mean cross-entropy over the epoch's training batches. */
  readonly trainLoss: number;
  /** Fraction of training images classified right during the epoch, 0-1. */
  readonly trainAccuracy: number;
  /** Mean cross-entropy over the test set after the epoch. */
  readonly testLoss: number;
  /** Fraction of test images classified right after the epoch, 0-1. */
  readonly testAccuracy: number;
  /** Wall time of the epoch, training and evaluation, in seconds. */
  readonly epochSeconds: number;
  /**
   * CPU time of the training process during the epoch (user and system, training and evaluation),
   * in seconds: unlike the wall time it hardly grows when other processes share the cores. Absent
   * from epochs resumed from a checkpoint written before it was recorded.
   */
  readonly cpuSeconds?: number;
  /** Wall time of the training steps alone, in seconds. */
  readonly trainSeconds: number;
  /** Training images per second (training images / `trainSeconds`). */
  readonly imagesPerSecond: number;
}

/** What one training step measured. */
export interface BatchMetrics {
  /** The epoch, counted from 1. */
  readonly epoch: number;
  /** The batch within the epoch, counted from 1. */
  readonly batch: number;
  /** Batches in the epoch. */
  readonly batches: number;
  /** Training images done so far in this epoch. */
  readonly images: number;
  /** Training images in the epoch. */
  readonly epochImages: number;
  /** This batch's mean cross-entropy. */
  readonly loss: number;
  /** This batch's accuracy, 0-1. */
  readonly accuracy: number;
  /** Mean cross-entropy of the epoch so far. */
  readonly epochLoss: number;
  /** Accuracy of the epoch so far, 0-1. */
  readonly epochAccuracy: number;
  /** Seconds since the epoch started. */
  readonly elapsedSeconds: number;
}

/** What observers can see of a run: the live model and optimizer, the data, the settings. */
export interface TrainingContext {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly data: MnistData;
  readonly numEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/**
 * Hooks into the training loop, e.g. a progress bar, the metric reporter or a TensorBoard
 * writer. Every hook is optional and may be async; the loop awaits each in turn. A hook must
 * not keep tensors it creates, so the loop stays free of leaks.
 */
export interface TrainingObserver {
  onTrainBegin?(context: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, context: TrainingContext): void | Promise<void>;
  onBatchEnd?(metrics: BatchMetrics, context: TrainingContext): void | Promise<void>;
  onEpochEnd?(metrics: EpochMetrics, context: TrainingContext): void | Promise<void>;
  onTrainEnd?(history: readonly EpochMetrics[], context: TrainingContext): void | Promise<void>;
}
