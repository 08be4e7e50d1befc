import type { BatchMetrics, EpochMetrics, TrainingObserver } from './observers.js';
import { formatDuration } from '@hptune/trial/format';

/** Something lines can be written to, e.g. `process.stdout`. */
export interface TextSink {
  write(text: string): unknown;
  /** True for a terminal: the bar is drawn only there. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters; 0 or missing means unknown (80 is assumed). */
  readonly columns?: number;
}

/** How progress within an epoch is shown: a redrawn bar, a line per quarter epoch, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Options of {@link createConsoleReporter}. */
export interface ConsoleReporterOptions {
  /** Where epoch summaries (and progress lines without a terminal) go. @default process.stdout */
  out?: TextSink;
  /** Where the progress bar goes. @default process.stderr */
  err?: TextSink;
  /** `auto`: a bar when `err` is a terminal, else lines. @default 'auto' */
  mode?: ProgressMode;
  /** Milliseconds between redraws of the bar. @default 100 */
  redrawMs?: number;
  /** The clock, in milliseconds. @default performance.now */
  now?: () => number;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * The trainer's console output: a line per epoch with train and test loss and accuracy, time
 * and images/s; within an epoch, a progress bar on a terminal (to stderr, redrawn at most every
 * 100 ms) or a plain line every quarter epoch otherwise.
 */
export function createConsoleReporter(options: ConsoleReporterOptions = {}): TrainingObserver {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const mode = options.mode === undefined || options.mode === 'auto' ? (err.isTTY ? 'bar' : 'lines') : options.mode;
  const redrawMs = options.redrawMs ?? 100;
  const now = options.now ?? (() => performance.now());
  let lastDraw = Number.NEGATIVE_INFINITY;
  let barShown = false;
  let quartersShown = 0;
  return {
    onEpochBegin() {
      lastDraw = Number.NEGATIVE_INFINITY;
      quartersShown = 0;
    },
    onBatchEnd(metrics, context) {
      if (mode === 'bar') {
        const time = now();
        if (time - lastDraw < redrawMs && metrics.batch < metrics.batches) return;
        lastDraw = time;
        err.write(CLEAR_LINE + formatProgressBar(metrics, context.numEpochs, err.columns || 80));
        barShown = true;
      } else if (mode === 'lines') {
        const quarter = Math.floor((metrics.images * 4) / metrics.epochImages);
        if (quarter > quartersShown && metrics.images < metrics.epochImages) {
          quartersShown = quarter;
          out.write(`${formatProgressLine(metrics, context.numEpochs)}\n`);
        }
      }
    },
    onEpochEnd(metrics, context) {
      if (barShown) {
        err.write(CLEAR_LINE);
        barShown = false;
      }
      out.write(`${formatEpochLine(metrics, context.numEpochs)}\n`);
    },
  };
}

/** `epoch 1/3: train loss 0.2345 accuracy 93.12% | test loss 0.0812 accuracy 97.45% | 85.2 s (CPU 7.1 s), 704 images/s` */
export function formatEpochLine(metrics: EpochMetrics, numEpochs: number): string {
  const cpu = metrics.cpuSeconds === undefined ? '' : ` (CPU ${metrics.cpuSeconds.toFixed(1)} s)`;
  return (
    `epoch ${metrics.epoch}/${numEpochs}: ` +
    `train loss ${metrics.trainLoss.toFixed(4)} accuracy ${percent(metrics.trainAccuracy)} | ` +
    `test loss ${metrics.testLoss.toFixed(4)} accuracy ${percent(metrics.testAccuracy)} | ` +
    `${metrics.epochSeconds.toFixed(1)} s${cpu}, ${Math.round(metrics.imagesPerSecond)} images/s`
  );
}

/** `epoch 1/3  25% 15000/60000 images, loss 0.4123, accuracy 88.10%, 702 images/s` */
export function formatProgressLine(metrics: BatchMetrics, numEpochs: number): string {
  const share = Math.floor((metrics.images * 100) / metrics.epochImages);
  return (
    `epoch ${metrics.epoch}/${numEpochs} ${String(share).padStart(3)}% ${metrics.images}/${metrics.epochImages} images, ` +
    `loss ${metrics.epochLoss.toFixed(4)}, accuracy ${percent(metrics.epochAccuracy)}, ${Math.round(rate(metrics))} images/s`
  );
}

/** `epoch 1/3 [#######-------------] 35% loss 0.4123 acc 88.10% 702 img/s eta 55s`, fitted to `columns`. */
export function formatProgressBar(metrics: BatchMetrics, numEpochs: number, columns: number): string {
  const fraction = metrics.images / metrics.epochImages;
  const speed = rate(metrics);
  const eta = speed > 0 ? (metrics.epochImages - metrics.images) / speed : 0;
  const head = `epoch ${metrics.epoch}/${numEpochs} `;
  const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}% loss ${metrics.epochLoss.toFixed(4)} acc ${percent(metrics.epochAccuracy)} ${Math.round(speed)} img/s eta ${formatDuration(eta)}`;
  const width = Math.max(10, Math.min(30, columns - 1 - head.length - tail.length - 2));
  const filled = Math.round(fraction * width);
  return `${head}[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${tail}`.slice(0, Math.max(columns - 1, 20));
}

function rate(metrics: BatchMetrics): number {
  return metrics.elapsedSeconds > 0 ? metrics.images / metrics.elapsedSeconds : 0;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
