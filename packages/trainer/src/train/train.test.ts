import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readMetricFile, TRIAL_COMPLETE_FILE, ValidationError } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../data/mnist.js';
import { loadModel } from '../model/save.js';
import { recordingSink } from '../testing/sinks.js';
import { evaluate } from './step.js';
import { train } from './train.js';

const temporaryDir = () => mkdtempSync(join(tmpdir(), 'hptune-train-'));

describe('train', () => {
  it('learns, reports accuracy every epoch and saves the model where the contract says', async () => {
    const dir = temporaryDir();
    const out = recordingSink();
    const result = await train({ tfjsBackend: 'wasm', trainSize: 2048, testSize: 500, numEpochs: 2, outputDir: dir, env: { CLOUD_ML_TRIAL_ID: '12' }, out, err: recordingSink() });

    expect(result.backend.backend).toBe('wasm');
    expect(result.history.map((epoch) => epoch.epoch)).toEqual([1, 2]);
    expect(result.testAccuracy).toBeGreaterThan(0.7);
    for (const epoch of result.history) {
      expect(epoch.imagesPerSecond).toBeGreaterThan(0);
      expect(epoch.epochSeconds).toBeGreaterThanOrEqual(epoch.trainSeconds);
      expect(epoch.cpuSeconds).toBeGreaterThan(0);
      expect(Number.isFinite(epoch.trainLoss) && Number.isFinite(epoch.testLoss)).toBe(true);
    }

    const reports = readMetricFile(join(dir, 'hypertune', 'output.metrics'));
    expect(reports.map(({ tag, globalStep, trial }) => ({ tag, globalStep, trial }))).toEqual([
      { tag: 'accuracy', globalStep: 1, trial: '12' },
      { tag: 'accuracy', globalStep: 2, trial: '12' },
    ]);
    expect(reports.map((report) => report.value)).toEqual(result.history.map((epoch) => epoch.testAccuracy));

    // The completion marker comes last, beside the model: the run is complete.
    expect(readdirSync(join(dir, 'model')).sort()).toEqual(['hptune-complete.json', 'model.json', 'weights.bin']);
    expect(JSON.parse(readFileSync(join(dir, 'model', TRIAL_COMPLETE_FILE), 'utf8'))).toMatchObject({ version: 1, exitCode: 0 });
    const loaded = await loadModel(join(dir, 'model'));
    const scored = await evaluate(loaded, loadMnist({ testSize: 500, trainSize: 1 }).test);
    loaded.dispose();
    expect(scored.correct / 500).toBe(result.testAccuracy);

    const log = out.lines();
    expect(log[0]).toBe('LeNet-5: activation relu, optimizer adam (learning rate 0.001), batch size 64, 2 epochs, seed 42, trial 12');
    expect(log.some((line) => /^hardware: \d+ CPU cores? \(.+\); GPU not used: not tried, --tfjs-backend wasm was asked for/.test(line))).toBe(true);
    expect(log).toContain('backend: wasm (asked for: WebAssembly, SIMD on, one thread)');
    expect(log.filter((line) => /^epoch \d\/2: train loss/.test(line))).toHaveLength(2);
    expect(log[log.length - 1]).toContain(`reported as "accuracy" to ${join(dir, 'hypertune', 'output.metrics')}`);
  });

  it('keeps the number of live tensors the same after every epoch and frees everything at the end', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train({
      tfjsBackend: 'wasm',
      trainSize: 256,
      testSize: 128,
      numEpochs: 3,
      outputDir: temporaryDir(),
      env: {},
      out: recordingSink(),
      observers: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes its outputs from the AIP_* variables and the metric tag from the options', async () => {
    const dir = temporaryDir();
    const env = { AIP_MODEL_DIR: join(dir, 'aip-model'), CLOUD_ML_HP_METRIC_FILE: join(dir, 'metrics', 'm.txt') };
    await train({ tfjsBackend: 'cpu', trainSize: 64, testSize: 32, metricTag: 'test_accuracy', outputDir: dir, env, out: recordingSink() });
    expect(readdirSync(join(dir, 'aip-model')).sort()).toEqual(['hptune-complete.json', 'model.json', 'weights.bin']);
    expect(readMetricFile(join(dir, 'metrics', 'm.txt')).map((report) => [report.tag, report.globalStep, report.trial])).toEqual([['test_accuracy', 1, '0']]);
  });

  it('rejects bad settings and unwritable outputs before training', async () => {
    const out = recordingSink();
    await expect(train({ batchSize: 0, out })).rejects.toThrow('batchSize 0 is not a positive integer');
    const dir = temporaryDir();
    writeFileSync(join(dir, 'file'), '');
    await expect(train({ env: { AIP_MODEL_DIR: join(dir, 'file', 'model') }, outputDir: dir, out })).rejects.toBeInstanceOf(ValidationError);
    expect(out.text()).toBe('');
  });

  it('stops between batches when aborted', async () => {
    const controller = new AbortController();
    const run = train({
      tfjsBackend: 'wasm',
      trainSize: 512,
      testSize: 32,
      outputDir: temporaryDir(),
      env: {},
      out: recordingSink(),
      signal: controller.signal,
      observers: [{ onBatchEnd: (metrics) => void (metrics.batch === 2 && controller.abort(new Error('stopped by test'))) }],
    });
    await expect(run).rejects.toThrow('stopped by test');
  });
});
