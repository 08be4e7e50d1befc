import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricFile } from '@hptune/trial';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainerBinPath } from '../command.js';
import { readStorageSettings } from '../outputs/settings.js';
import { recordingSink } from '../testing/sinks.js';
import { CHECKPOINT_FILE, readCheckpoint } from './checkpoint.js';
import { train, type TrainResult } from './train.js';

const temporaryDir = () => mkdtempSync(join(tmpdir(), 'hptune-checkpoint-'));
// Small enough to take seconds: 32 batches an epoch.
const SETTINGS = { tfjsBackend: 'wasm', activation: 'relu', optimizer: 'rmsprop', batchSize: 32, trainSize: 1024, testSize: 256, seed: 7 } as const;
const FLAGS = ['--tfjs-backend=wasm', '--activation=relu', '--optimizer=rmsprop', '--batch-size=32', '--train-size=1024', '--test-size=256', '--seed=7'];
const local = (dir: string) => ({ dir: { path: join(dir, 'checkpoints'), from: '--output-dir' }, storage: readStorageSettings({}) });

describe('trial checkpoints', () => {
  // An uninterrupted run of 4 epochs; its first 3 are also a 3-epoch run's (training is deterministic).
  let uninterrupted: TrainResult;
  beforeAll(async () => {
    uninterrupted = await train({ ...SETTINGS, numEpochs: 4, outputDir: temporaryDir(), env: {}, out: recordingSink() });
  }, 120_000);

  it('writes a checkpoint each epoch and, started again, goes on from it to the same weights as an uninterrupted run', async () => {
    const dir = temporaryDir();
    const controller = new AbortController();
    const first = train({
      ...SETTINGS,
      numEpochs: 3,
      outputDir: dir,
      env: {},
      out: recordingSink(),
      signal: controller.signal,
      observers: [{ onBatchEnd: (metrics) => void (metrics.epoch === 2 && metrics.batch === 10 && controller.abort(new Error('interrupted'))) }],
    });
    await expect(first).rejects.toThrow('interrupted');
    const written = await readCheckpoint(local(dir));
    expect(written?.header.progress.epoch).toBe(1);

    const out = recordingSink();
    const resumed = await train({ ...SETTINGS, numEpochs: 3, outputDir: dir, env: {}, out });
    expect(out.lines()).toContain(`checkpoint: resuming after epoch 1 of 3 from ${join(dir, 'checkpoints', CHECKPOINT_FILE)} (--no-resume trains from epoch 1)`);
    expect(resumed.history.map((epoch) => epoch.epoch)).toEqual([1, 2, 3]);
    const firstThree = uninterrupted.history.slice(0, 3);
    expect(resumed.history.map((epoch) => epoch.testAccuracy)).toEqual(firstThree.map((epoch) => epoch.testAccuracy));
    expect(resumed.history.map((epoch) => epoch.testLoss)).toEqual(firstThree.map((epoch) => epoch.testLoss));
    // The interrupted run reported epoch 1; the resumed one reports it again from the checkpoint, then 2 and 3.
    expect(readMetricFile(join(dir, 'hypertune', 'output.metrics')).map((report) => report.globalStep)).toEqual([1, 1, 2, 3]);
  }, 120_000);

  it('run again after its last epoch, says that nothing trains and how to train again; with --no-resume (resume: false) it trains from epoch 1', async () => {
    const dir = temporaryDir();
    await train({ ...SETTINGS, trainSize: 256, numEpochs: 1, outputDir: dir, env: {}, out: recordingSink() });
    let batches = 0;
    const countBatches = [{ onBatchEnd: () => void (batches += 1) }];
    const out = recordingSink();
    const again = await train({ ...SETTINGS, trainSize: 256, numEpochs: 1, outputDir: dir, env: {}, out, observers: countBatches });
    expect(again.history).toHaveLength(1);
    expect(batches).toBe(0);
    const location = join(dir, 'checkpoints', CHECKPOINT_FILE);
    expect(out.lines()).toContain(
      `checkpoint: all 1 epoch(s) of this run are already trained in ${location}: nothing to train, the model and metrics below are that run's; to train again from epoch 1, add --no-resume`,
    );

    const fresh = recordingSink();
    const retrained = await train({ ...SETTINGS, trainSize: 256, numEpochs: 1, resume: false, outputDir: dir, env: {}, out: fresh, observers: countBatches });
    expect(batches).toBe(256 / SETTINGS.batchSize);
    expect(fresh.lines()).toContain(`checkpoint: --no-resume: training from epoch 1; a checkpoint in ${join(dir, 'checkpoints')} from an earlier run is not read, and is replaced after epoch 1`);
    // Training is deterministic: the fresh run ends where the first did, and leaves its own checkpoint.
    expect(retrained.testAccuracy).toBe(again.testAccuracy);
    expect((await readCheckpoint(local(dir)))?.header.progress.epoch).toBe(1);
  }, 120_000);

  it('keeps SGD momentum\'s velocity in the checkpoint: a resumed run ends with the weights of an uninterrupted one', async () => {
    const momentum = { ...SETTINGS, optimizer: 'sgd', momentum: 0.9, learningRate: 0.02, trainSize: 256 } as const;
    const straight = await train({ ...momentum, numEpochs: 2, outputDir: temporaryDir(), env: {}, out: recordingSink() });
    const dir = temporaryDir();
    await train({ ...momentum, numEpochs: 1, outputDir: dir, env: {}, out: recordingSink() });
    const written = await readCheckpoint(local(dir));
    expect(written?.header.settings.momentum).toBe(0.9);
    expect(written?.header.optimizer.some((entry) => entry.name.endsWith('/velocity'))).toBe(true);
    const out = recordingSink();
    const resumed = await train({ ...momentum, numEpochs: 2, outputDir: dir, env: {}, out });
    expect(out.lines().some((line) => line.startsWith('checkpoint: resuming after epoch 1 of 2'))).toBe(true);
    expect(resumed.history.map((epoch) => epoch.testLoss)).toEqual(straight.history.map((epoch) => epoch.testLoss));
    // Another momentum is another run: it trains from epoch 1.
    const err = recordingSink();
    await train({ ...momentum, momentum: 0.5, numEpochs: 2, outputDir: dir, env: {}, out: recordingSink(), err });
    expect(err.text()).toContain('(momentum 0.9 -> 0.5)');
  }, 120_000);

  it('starts from epoch 1, with a warning, over a checkpoint of other settings or one it cannot read', async () => {
    const dir = temporaryDir();
    await train({ ...SETTINGS, trainSize: 256, numEpochs: 1, outputDir: dir, env: {}, out: recordingSink() });
    const err = recordingSink();
    const other = await train({ ...SETTINGS, trainSize: 256, optimizer: 'adam', numEpochs: 1, outputDir: dir, env: {}, out: recordingSink(), err });
    expect(other.history).toHaveLength(1);
    expect(err.text()).toContain('is of a run with other settings (optimizer rmsprop -> adam): training from epoch 1');
    expect((await readCheckpoint(local(dir)))?.header.settings.optimizer).toBe('adam');

    writeFileSync(join(dir, 'checkpoints', CHECKPOINT_FILE), 'not a checkpoint');
    const damaged = recordingSink();
    await train({ ...SETTINGS, trainSize: 256, numEpochs: 1, outputDir: dir, env: {}, out: recordingSink(), err: damaged });
    expect(damaged.text()).toContain(`the checkpoint ${join(dir, 'checkpoints', CHECKPOINT_FILE)} is not an hptune checkpoint: training from epoch 1`);
    expect((await readCheckpoint(local(dir)))?.header.progress.epoch).toBe(1);
  }, 120_000);

  it('hptune-train killed mid-epoch 3 of 4 and started again for the same trial ends with 4 epochs and the uninterrupted accuracy', async () => {
    const bin = trainerBinPath();
    expect(existsSync(bin), `${bin} is missing: build the trainer first (pnpm --filter @hptune/trainer build)`).toBe(true);
    const dir = temporaryDir();
    const env = (metricFile: string) => ({ ...process.env, AIP_CHECKPOINT_DIR: join(dir, 'checkpoints'), CLOUD_ML_HP_METRIC_FILE: join(dir, metricFile) });
    const killed = spawn(process.execPath, [bin, ...FLAGS, '--num-epochs=4', `--output-dir=${dir}`], { env: env('first.metrics'), stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    // Without a terminal the trainer prints a line each quarter epoch: killed at epoch 3's first, 3/4 of it is left.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      killed.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/^epoch 3\/4 +25%/m.test(seen)) {
          killed.kill('SIGKILL');
          resolve();
        }
      });
      killed.once('exit', () => reject(new Error(`hptune-train ended before epoch 3 began:\n${seen}`)));
    });
    await exited;
    expect(readMetricFile(join(dir, 'first.metrics')).map((report) => report.globalStep)).toEqual([1, 2]);
    expect((await readCheckpoint(local(dir)))?.header.progress.epoch).toBe(2);

    // Started again as a retried trial is: same checkpoint folder, a metric file of its own.
    const again = spawn(process.execPath, [bin, ...FLAGS, '--num-epochs=4', `--output-dir=${dir}`], { env: env('retry.metrics'), stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    again.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => again.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('checkpoint: resuming after epoch 2 of 4');
    expect(stdout).not.toMatch(/^epoch 1\/4/m);
    const reports = readMetricFile(join(dir, 'retry.metrics'));
    expect(reports.map((report) => report.globalStep)).toEqual([1, 2, 3, 4]);
    // Deterministic on one backend: the same accuracy to the last image, not merely within noise.
    expect(reports.map((report) => report.value)).toEqual(uninterrupted.history.map((epoch) => epoch.testAccuracy));
  }, 120_000);
});
