import { describe, expect, it } from 'vitest';
import { measureTrainStepThroughput } from './throughput.js';

describe('measureTrainStepThroughput', () => {
  it('times full training steps on the backend asked for', async () => {
    const result = await measureTrainStepThroughput({ backend: 'wasm', batchSize: 32, steps: 3, warmupSteps: 1 });
    expect(result).toMatchObject({ backend: 'wasm', batchSize: 32, steps: 3 });
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    expect(result.imagesPerSecond).toBeCloseTo((32 * 1000) / result.millisecondsPerStep, 6);
    expect(result.cpuImagesPerSecond).toBeCloseTo((32 * 1000) / result.cpuMillisecondsPerStep, 6);
    expect(result.cpuMillisecondsPerStep).toBeGreaterThan(0);
  });

  it('times for a duration when asked (at least two steps), through either gradient path', async () => {
    for (const gradients of ['auto', 'tape'] as const) {
      const started = performance.now();
      const result = await measureTrainStepThroughput({ backend: 'wasm', batchSize: 16, seconds: 0.05, warmupSteps: 1, gradients });
      expect(result.steps).toBeGreaterThanOrEqual(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    }
  });
});
