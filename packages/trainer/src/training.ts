// @hptune/trainer/training: LeNet-5's training code on TensorFlow.js (the model, MNIST, the training
// loop, observers, backends), for code that trains in-process. Its types come from
// @tensorflow/tfjs, whose own declarations do not pass skipLibCheck false with strict settings.
export { train, trainWithOptions, type TrainConfig, type TrainResult, type TrainRuntime } from './train/train.js';
export { runTrainingLoop, type TrainingLoopOptions } from './train/loop.js';
export type { GradientPath } from './train/step.js';
export type { BatchMetrics, EpochMetrics, TrainingContext, TrainingObserver } from './train/observers.js';
export { createConsoleReporter, type ConsoleReporterOptions, type ProgressMode, type TextSink } from './train/progress.js';
export { createMetricReportingObserver, type MetricReportingOptions } from './train/metric-reporting.js';
export {
  createTensorBoardObserver,
  DEFAULT_TENSORBOARD_IMAGES,
  TENSORBOARD_SCALAR_TAGS,
  TEST_IMAGES_TAG,
  TEST_PREDICTIONS_TAG,
  WEIGHTS_TAG_PREFIX,
  type TensorBoardObserver,
  type TensorBoardObserverOptions,
} from './train/tensorboard-observer.js';
export { measureTrainStepThroughput, type ThroughputOptions, type ThroughputResult } from './train/throughput.js';
export { buildLenet5, LEAKY_RELU_ALPHA, type Lenet5Options } from './model/lenet5.js';
export { createOptimizer, type CreateOptimizerOptions } from './model/optimizers.js';
export { loadModel, saveModel, MODEL_JSON, WEIGHTS_BIN, type SavedModel } from './model/save.js';
export { loadMnist, mnistDataDir, MNIST, type ImageSet, type LoadMnistOptions, type MnistData } from './data/mnist.js';
export { parseIdx, readIdxFile, IDX_MAGIC, type IdxArray, type IdxKind, type ParseIdxOptions } from './data/idx.js';
export {
  AUTO_BACKEND_ORDER,
  selectBackend,
  type BackendAttempt,
  type BackendSelection,
  type SelectBackendOptions,
  type TrainerBackend,
} from './backends/select.js';
export { detectCpu, detectNvidiaDevices, type GpuStatus, type HardwareInfo } from './backends/hardware.js';
