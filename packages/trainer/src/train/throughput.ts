import { batchesOf, type Batch } from '../data/batches.js';
import { loadMnist } from '../data/mnist.js';
import { selectBackend, type TrainerBackend } from '../backends/select.js';
import { buildLenet5 } from '../model/lenet5.js';
import { createOptimizer } from '../model/optimizers.js';
import { DEFAULT_LEARNING_RATES, type Activation, type BackendChoice, type OptimizerName } from '../settings.js';
import { createTrainStep, type GradientPath } from './step.js';

/** Options of {@link measureTrainStepThroughput}. */
export interface ThroughputOptions {
  /** The backend to measure; `auto` measures whichever `--tfjs-backend auto` picks. */
  backend: BackendChoice;
  /** Images per step. @default 64 */
  batchSize?: number;
  /** @default 'relu' */
  activation?: Activation;
  /** @default 'adam' */
  optimizer?: OptimizerName;
  /** Timed steps. @default 20 */
  steps?: number;
  /** Time steps for at least this long instead (and at least 2 steps), in seconds; wins over `steps`. */
  seconds?: number;
  /** How gradients are computed; see {@link createTrainStep}. @default 'auto' */
  gradients?: GradientPath;
  /** `false` for tfjs's own optimizer where the fused one could run (see `createOptimizer`). @default true */
  fusedOptimizer?: boolean;
  /** Untimed steps first (kernel set-up, optimizer slots, wasm warm-up). @default 2 */
  warmupSteps?: number;
  /** Seed of the weights and the images drawn. @default 42 */
  seed?: number;
}

/** What {@link measureTrainStepThroughput} measured. */
export interface ThroughputResult {
  /** The backend that ran. */
  readonly backend: TrainerBackend;
  readonly batchSize: number;
  /** Timed steps. */
  readonly steps: number;
  /** Mean wall time of one full step, in milliseconds. */
  readonly millisecondsPerStep: number;
  /** Training images per second over the timed steps. */
  readonly imagesPerSecond: number;
  /**
   * This process's CPU time (user + system, every thread) per step, in milliseconds: steadier
   * than wall time on a machine other processes share.
   */
  readonly cpuMillisecondsPerStep: number;
  /** Training images per second of this process's CPU time. */
  readonly cpuImagesPerSecond: number;
}

/**
 * Measures full LeNet-5 training steps (forward, backward, optimizer update, loss read back) on
 * real MNIST batches, the figure `pnpm bench` prints per backend.
 *
 * @throws ValidationError `BACKEND_UNAVAILABLE` when the backend cannot load.
 */
export async function measureTrainStepThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const batchSize = options.batchSize ?? 64;
  const steps = options.steps ?? 20;
  const warmupSteps = options.warmupSteps ?? 2;
  const seed = options.seed ?? 42;
  const optimizerName = options.optimizer ?? 'adam';
  const selection = await selectBackend({ choice: options.backend });
  const data = loadMnist({ trainSize: Math.min(60_000, batchSize * 8), testSize: 1, seed });
  const batches: Batch[] = [...batchesOf(data.train, { batchSize })].filter((batch) => batch.size === batchSize);
  const model = buildLenet5({ activation: options.activation ?? 'relu', seed });
  const optimizer = createOptimizer(optimizerName, DEFAULT_LEARNING_RATES[optimizerName], { fused: options.fusedOptimizer ?? true });
  try {
    const step = createTrainStep(model, optimizer, { gradients: options.gradients ?? 'auto' });
    const batchAt = (index: number) => batches[index % batches.length] as Batch;
    for (let index = 0; index < warmupSteps; index++) await step(batchAt(index));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let timed = 0;
    const more = options.seconds === undefined ? () => timed < steps : () => timed < 2 || performance.now() - started < (options.seconds as number) * 1000;
    while (more()) await step(batchAt(warmupSteps + timed++));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      backend: selection.backend,
      batchSize,
      steps: timed,
      millisecondsPerStep: (seconds * 1000) / timed,
      imagesPerSecond: (timed * batchSize) / seconds,
      cpuMillisecondsPerStep: (cpuSeconds * 1000) / timed,
      cpuImagesPerSecond: (timed * batchSize) / cpuSeconds,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
