import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricFile } from '@hptune/core';
import { describe, expect, it } from 'vitest';
import { trainerBinPath } from '../command.js';
import { readStorageSettings } from '../outputs/settings.js';
import { recordingSink } from '../testing/sinks.js';
import { CHECKPOINT_FILE, readCheckpoint } from './checkpoint.js';
import { train } from './train.js';

const temporaryDir = () => mkdtempSync(join(tmpdir(), 'hptune-checkpoint-'));
// Small enough to take seconds, large enough that an epoch outlasts the test's 10 ms polling.
const SETTINGS = { backend: 'wasm', activation: 'relu', optimizer: 'rmsprop', batchSize: 32, trainSize: 2048, testSize: 500, seed: 7 } as const;
const FLAGS = ['--backend=wasm', '--activation=relu', '--optimizer=rmsprop', '--batch-size=32', '--train-size=2048', '--test-size=500', '--seed=7'];
const local = (dir: string) => ({ dir: { path: join(dir, 'checkpoints'), from: '--output-dir' }, storage: readStorageSettings({}) });

describe('trial checkpoints', () => {
  it('writes a checkpoint each epoch and, started again, goes on from it to the same weights as an uninterrupted run', async () => {
    const uninterrupted = await train({ ...SETTINGS, numEpochs: 3, outputDir: temporaryDir(), env: {}, out: recordingSink() });

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
    expect(out.lines()).toContain(`checkpoint: resuming after epoch 1 of 3 from ${join(dir, 'checkpoints', CHECKPOINT_FILE)} (delete it to train from scratch)`);
    expect(resumed.history.map((epoch) => epoch.epoch)).toEqual([1, 2, 3]);
    expect(resumed.history.map((epoch) => epoch.testAccuracy)).toEqual(uninterrupted.history.map((epoch) => epoch.testAccuracy));
    expect(resumed.history.at(-1)?.testLoss).toBe(uninterrupted.history.at(-1)?.testLoss);
    // The metric file holds every epoch once more after the resumed run's report of epoch 1 again.
    expect(readMetricFile(join(dir, 'hypertune', 'output.metrics')).map((report) => report.globalStep)).toEqual([1, 1, 2, 3]);
  });

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
  });

  it('hptune-train killed mid-epoch 3 of 4 and started again for the same trial ends with 4 epochs and the uninterrupted accuracy', async () => {
    const bin = trainerBinPath();
    expect(existsSync(bin), `${bin} is missing: build the trainer first (pnpm --filter @hptune/trainer build)`).toBe(true);
    const reference = await train({ ...SETTINGS, numEpochs: 4, outputDir: temporaryDir(), env: {}, out: recordingSink() });

    const dir = temporaryDir();
    const env = (metricFile: string) => ({ ...process.env, AIP_CHECKPOINT_DIR: join(dir, 'checkpoints'), CLOUD_ML_HP_METRIC_FILE: join(dir, metricFile) });
    const killed = spawn(process.execPath, [bin, ...FLAGS, '--num-epochs=4', `--output-dir=${dir}`], { env: env('first.metrics'), stdio: 'ignore' });
    const exited = new Promise((resolve) => killed.once('exit', resolve));
    // Epoch 2's report comes after its checkpoint: the trainer is then in epoch 3.
    const deadline = Date.now() + 60_000;
    while (!reported(join(dir, 'first.metrics'), 2)) {
      if (Date.now() > deadline || killed.exitCode !== null) throw new Error('hptune-train did not report epoch 2 within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    killed.kill('SIGKILL');
    await exited;
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
    expect(reports.map((report) => report.value)).toEqual(reference.history.map((epoch) => epoch.testAccuracy));
  }, 120_000);
});

function reported(metricFile: string, epoch: number): boolean {
  try {
    return readMetricFile(metricFile).some((report) => report.globalStep === epoch);
  } catch {
    return false; // Not written yet.
  }
}
