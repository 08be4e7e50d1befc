import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricFile } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { runTrainerCli } from './cli.js';
import { recordingSink } from './testing/sinks.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  const out = recordingSink();
  const err = recordingSink();
  const code = await runTrainerCli(argv, { out, err, env });
  return { code, out: out.text(), err: err.text() };
}

describe('runTrainerCli', () => {
  it('prints help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: hptune-train');
    expect(result.err).toBe('');
  });

  it('trains with Vertex-style flags and environment and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-cli-'));
    const metricFile = join(dir, 'output.metrics');
    const result = await run(['--batch_size=32', '--num_epochs=1', '--activation=leakyrelu', '--optimizer=rmsprop', '--tfjs-backend', 'wasm', '--train-size', '128', '--test-size=64', `--output-dir=${dir}`], {
      CLOUD_ML_TRIAL_ID: '3',
      CLOUD_ML_HP_METRIC_FILE: metricFile,
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('activation leakyrelu, optimizer rmsprop (learning rate 0.001), batch size 32');
    expect(readMetricFile(metricFile).map((report) => [report.tag, report.globalStep, report.trial])).toEqual([['accuracy', 1, '3']]);
  });

  it.each([
    [['--activation=tanh'], 'hptune-train: error: --activation "tanh" is not one of the valid values; use one of relu, softmax, leakyrelu'],
    [['--optimizer=adagrad'], 'use one of sgd, adam, rmsprop'],
    [['--batch-size=-1'], '--batch-size "-1" is not a positive integer'],
    [['--num-epochs=0'], '--num-epochs 0 is not a positive integer'],
    [['--train-size=100000'], '--train-size 100000 is larger than the images in the training set (60000)'],
    [['--test-size=20000'], '--test-size 20000 is larger than the images in the test set (10000)'],
    [['--bogus'], 'flag "--bogus" is not a flag of the trainer'],
    [['--tfjs-backend=tfjs-node'], '--tfjs-backend "tfjs-node" cannot be used: @tensorflow/tfjs-node is not installed'],
  ])('exits 2 with one line for %j', async (argv, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-cli-'));
    const result = await run([...argv, `--output-dir=${dir}`]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err.trimEnd().split('\n')).toHaveLength(1);
    expect(result.out).not.toContain('epoch');
  });

  it('exits 2 for an unwritable metric file or model dir, before training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-cli-'));
    writeFileSync(join(dir, 'file'), '');
    const metric = await run([`--output-dir=${dir}`], { CLOUD_ML_HP_METRIC_FILE: join(dir, 'file', 'output.metrics') });
    expect(metric.code).toBe(2);
    expect(metric.err).toMatch(/^hptune-train: error: CLOUD_ML_HP_METRIC_FILE \(metric file's directory\) .* cannot be written/);
    expect(metric.out).toBe('');
    const model = await run([`--output-dir=${join(dir, 'file')}`]);
    expect(model.code).toBe(2);
    expect(model.err).toContain('--output-dir (model directory)');
  });

  it('exits 1 with one line for a failure while running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-cli-'));
    // The reporter writes <metric file>.<pid>.tmp and renames it into place; a directory in the
    // way makes the first report fail after training started, while the pre-flight checks pass.
    const metricFile = join(dir, 'output.metrics');
    mkdirSync(`${metricFile}.${process.pid}.tmp`);
    const result = await run(['--tfjs-backend=cpu', '--train-size=1', '--test-size=1', `--output-dir=${dir}`], { CLOUD_ML_HP_METRIC_FILE: metricFile });
    expect(result.code).toBe(1);
    expect(result.err.trimEnd().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^hptune-train: error: Error: EISDIR/);
  });
});
