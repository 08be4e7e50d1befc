import { describe, expect, it } from 'vitest';
import { measureTrainStepThroughput } from './throughput.js';

describe('measureTrainStepThroughput', () => {
  it('times full training steps on the backend asked for', async () => {
    const result = await measureTrainStepThroughput({ backend: 'wasm', batchSize: 32, steps: 3, warmupSteps: 1 });
    expect(result).toMatchObject({ backend: 'wasm', batchSize: 32, steps: 3 });
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    expect(result.imagesPerSecond).toBeCloseTo((32 * 1000) / result.millisecondsPerStep, 6);
  });
});
