import { describe, expect, it } from 'vitest';
import type { TrainingContext } from './observers.js';
import { createConsoleReporter, formatEpochLine, formatProgressBar, formatProgressLine } from './progress.js';
import { recordingSink } from '../testing/sinks.js';

const context = { numEpochs: 3 } as TrainingContext;
const batch = (batchNumber: number, images: number, elapsedSeconds: number) => ({
  epoch: 1,
  batch: batchNumber,
  batches: 4,
  images,
  epochImages: 400,
  loss: 0.5,
  accuracy: 0.75,
  epochLoss: 0.41234,
  epochAccuracy: 0.881,
  elapsedSeconds,
});
const epoch = { epoch: 1, trainLoss: 0.23451, trainAccuracy: 0.93124, testLoss: 0.08123, testAccuracy: 0.9745, epochSeconds: 85.23, trainSeconds: 80, imagesPerSecond: 704.4 };

describe('console output', () => {
  it('formats an epoch line', () => {
    expect(formatEpochLine(epoch, 3)).toBe('epoch 1/3: train loss 0.2345 accuracy 93.12% | test loss 0.0812 accuracy 97.45% | 85.2 s, 704 images/s');
    expect(formatEpochLine({ ...epoch, cpuSeconds: 7.06 }, 3)).toBe('epoch 1/3: train loss 0.2345 accuracy 93.12% | test loss 0.0812 accuracy 97.45% | 85.2 s (CPU 7.1 s), 704 images/s');
  });

  it('formats a progress line and a bar that fits the terminal', () => {
    expect(formatProgressLine(batch(1, 100, 0.5), 3)).toBe('epoch 1/3  25% 100/400 images, loss 0.4123, accuracy 88.10%, 200 images/s');
    const bar = formatProgressBar(batch(2, 200, 1), 3, 100);
    expect(bar).toBe('epoch 1/3 [###############---------------]  50% loss 0.4123 acc 88.10% 200 img/s eta 1.0s');
    expect(formatProgressBar(batch(2, 200, 1), 3, 60).length).toBeLessThanOrEqual(59);
  });

  it('draws a throttled bar on a terminal and clears it before the epoch line', async () => {
    const out = recordingSink();
    const err = recordingSink({ isTTY: true, columns: 100 });
    let clock = 0;
    const reporter = createConsoleReporter({ out, err, now: () => clock });
    await reporter.onEpochBegin?.(1, context);
    await reporter.onBatchEnd?.(batch(1, 100, 0.5), context);
    clock = 50;
    await reporter.onBatchEnd?.(batch(2, 200, 1), context); // within 100 ms: skipped
    clock = 200;
    await reporter.onBatchEnd?.(batch(3, 300, 1.5), context);
    clock = 210;
    await reporter.onBatchEnd?.({ ...batch(4, 400, 2) }, context); // the last batch is always drawn
    await reporter.onEpochEnd?.(epoch, context);
    const draws = err.text().split('\r\x1b[2K').filter((part) => part !== '');
    expect(draws.map((draw) => /\d+\/\d+ \[/.test(draw) && draw.match(/(\d+)% loss/)?.[1])).toEqual(['25', '75', '100']);
    expect(err.text().endsWith('\r\x1b[2K')).toBe(true);
    expect(out.lines()).toEqual([formatEpochLine(epoch, 3)]);
  });

  it('writes a line per quarter epoch without a terminal', async () => {
    const out = recordingSink();
    const err = recordingSink({ isTTY: false });
    const reporter = createConsoleReporter({ out, err });
    for (let step = 1; step <= 8; step++) await reporter.onBatchEnd?.({ ...batch(step, step * 50, step * 0.25), batches: 8 }, context);
    await reporter.onEpochEnd?.(epoch, context);
    expect(err.text()).toBe('');
    expect(out.lines().map((line) => line.slice(0, 13))).toEqual(['epoch 1/3  25', 'epoch 1/3  50', 'epoch 1/3  75', 'epoch 1/3: tr']);
  });
});
