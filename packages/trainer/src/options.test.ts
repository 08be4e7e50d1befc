import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValidationError } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { parseTrainerOptions, resolveTrainerOptions, type TrainerConfig, type TrainerOptions } from './options.js';
import { ACTIVATIONS, DEFAULT_LEARNING_RATES, OPTIMIZERS } from './settings.js';

function options(argv: string[], env: Record<string, string> = {}): TrainerOptions {
  const parsed = parseTrainerOptions(argv, env);
  if (parsed.kind !== 'train') throw new Error('expected a training run');
  return parsed.options;
}

function rejection(argv: string[], env: Record<string, string> = {}): ValidationError {
  try {
    parseTrainerOptions(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).exitCode).toBe(2);
    expect((error as Error).message).not.toContain('\n');
    return error as ValidationError;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseTrainerOptions', () => {
  it('fills in the defaults', () => {
    const parsed = options([]);
    expect(parsed).toMatchObject({ activation: 'relu', optimizer: 'adam', batchSize: 64, numEpochs: 1, learningRate: 0.001, seed: 42, tfjsBackend: 'auto', metricTag: 'accuracy', trialId: '0' });
    expect(parsed.trainSize).toBeUndefined();
    expect(parsed.testSize).toBeUndefined();
  });

  it('accepts --flag=value, --flag value and underscores alike', () => {
    const spellings = [
      ['--activation=softmax', '--optimizer=sgd', '--batch-size=32', '--num-epochs=3', '--learning-rate=0.05', '--train-size=256', '--test-size=128', '--seed=7', '--tfjs-backend=cpu', '--metric-tag=acc'],
      ['--activation', 'softmax', '--optimizer', 'sgd', '--batch-size', '32', '--num-epochs', '3', '--learning-rate', '0.05', '--train-size', '256', '--test-size', '128', '--seed', '7', '--tfjs-backend', 'cpu', '--metric-tag', 'acc'],
      ['--activation=softmax', '--optimizer', 'sgd', '--batch_size=32', '--num_epochs', '3', '--learning_rate=0.05', '--train_size=256', '--test_size', '128', '--seed=7', '--tfjs-backend=cpu', '--metric_tag=acc'],
    ];
    for (const argv of spellings) {
      expect(options(argv)).toMatchObject({ activation: 'softmax', optimizer: 'sgd', batchSize: 32, numEpochs: 3, learningRate: 0.05, trainSize: 256, testSize: 128, seed: 7, tfjsBackend: 'cpu', metricTag: 'acc' });
    }
  });

  it('takes --backend, the old name of --tfjs-backend, with a one-line deprecation notice', () => {
    const old = parseTrainerOptions(['--backend=cpu'], {});
    expect(old.kind === 'train' && [old.options.tfjsBackend, old.notices]).toEqual(['cpu', ['--backend is deprecated: use --tfjs-backend (the same values)']]);
    const current = parseTrainerOptions(['--tfjs-backend', 'wasm'], {});
    expect(current.kind === 'train' && [current.options.tfjsBackend, current.notices]).toEqual(['wasm', []]);
  });

  it('lets the last spelling win, as Vertex appends its own values', () => {
    expect(options(['--batch-size=32', '--batch_size=128']).batchSize).toBe(128);
    expect(options(['--batch_size=128', '--batch-size', '16']).batchSize).toBe(16);
  });

  it('resumes from a checkpoint unless --no-resume (or --no_resume) is given, the last of --resume and --no-resume winning', () => {
    expect(options([]).resume).toBe(true);
    expect(options(['--no-resume']).resume).toBe(false);
    expect(options(['--no_resume']).resume).toBe(false);
    expect(options(['--no-resume', '--resume']).resume).toBe(true);
    expect(options(['--resume', '--no-resume']).resume).toBe(false);
    expect(resolveTrainerOptions({ resume: false, env: {} }).resume).toBe(false);
  });

  it.each(OPTIMIZERS)('uses the documented default learning rate for %s', (optimizer) => {
    expect(options([`--optimizer=${optimizer}`]).learningRate).toBe(DEFAULT_LEARNING_RATES[optimizer]);
  });

  it('accepts every activation', () => {
    for (const activation of ACTIVATIONS) expect(options([`--activation=${activation}`]).activation).toBe(activation);
  });

  it('returns help that lists every flag with its default', () => {
    const parsed = parseTrainerOptions(['--batch-size=3', '--help'], {});
    expect(parsed.kind).toBe('help');
    const text = parsed.kind === 'help' ? parsed.text : '';
    for (const flag of ['activation', 'optimizer', 'batch-size', 'num-epochs', 'learning-rate', 'gcs-bucket', 'train-size', 'test-size', 'seed', 'resume, --no-resume', 'backend', 'output-dir', 'metric-tag', 'help']) {
      expect(text).toContain(`--${flag}`);
    }
    expect(text).toContain('(default: relu)');
    expect(text).toContain('sgd 0.01, adam 0.001, rmsprop 0.001');
    expect(text).toContain('CLOUD_ML_HP_METRIC_FILE');
    expect(parseTrainerOptions(['-h'], {}).kind).toBe('help');
  });

  it('takes the trial id and output locations from the environment', () => {
    const parsed = options(['--output-dir=/tmp/out'], {
      AIP_MODEL_DIR: '/m',
      CLOUD_ML_TRIAL_ID: '17',
      CLOUD_ML_HP_METRIC_FILE: '/x/metrics',
    });
    expect(parsed.trialId).toBe('17');
    expect(parsed.paths.modelDir).toEqual({ path: '/m', from: 'AIP_MODEL_DIR' });
    expect(parsed.paths.metricFile.path).toBe('/x/metrics');
    expect(parsed.paths.checkpointDir).toEqual({ path: '/tmp/out/checkpoints', from: '--output-dir' });
    expect(parsed.paths.logDir.path).toBe('/tmp/out/logs');
  });

  it('puts everything under --output-dir without the environment', () => {
    const { paths } = options(['--output-dir', 'out']);
    expect(paths.modelDir.path).toBe(resolve('out/model'));
    expect(paths.checkpointDir.path).toBe(resolve('out/checkpoints'));
    expect(paths.logDir.path).toBe(resolve('out/logs'));
    expect(paths.metricFile.path).toBe(resolve('out/hypertune/output.metrics'));
  });

  it('uses /tmp/hypertune/output.metrics with neither', () => {
    expect(options([]).paths.metricFile.path).toBe('/tmp/hypertune/output.metrics');
  });

  it.each([
    [['--activation=tanh'], '--activation "tanh" is not one of the valid values; use one of relu, softmax, leakyrelu'],
    [['--optimizer', 'adagrad'], '--optimizer "adagrad" is not one of the valid values; use one of sgd, adam, rmsprop'],
    [['--tfjs-backend=webgl'], 'use one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu'],
    [['--batch-size=0'], '--batch-size 0 is not a positive integer'],
    [['--batch-size=-3'], '--batch-size "-3" is not a positive integer'],
    [['--batch_size=12.5'], '--batch-size "12.5" is not a positive integer'],
    [['--batch-size=abc'], '--batch-size "abc" is not a positive integer'],
    [['--batch-size='], '--batch-size "" is not a positive integer'],
    [['--num-epochs=0'], '--num-epochs 0 is not a positive integer'],
    [['--num_epochs', '1.5'], '--num-epochs "1.5" is not a positive integer'],
    [['--learning-rate=0'], '--learning-rate 0 is not a positive number'],
    [['--learning-rate=fast'], '--learning-rate "fast" is not a positive number'],
    [['--train-size=60001'], '--train-size 60001 is larger than the images in the training set (60000)'],
    [['--test-size=10001'], '--test-size 10001 is larger than the images in the test set (10000)'],
    [['--test-size=0'], '--test-size 0 is not a positive integer'],
    [['--seed=-1'], '--seed "-1" is not a non-negative integer'],
    [['--metric-tag=global_step'], '--metric-tag "global_step" is not a usable metric tag'],
    [['--metric-tag=test accuracy'], 'is not a usable metric tag'],
    [['--epochs=3'], 'flag "--epochs" is not a flag of the trainer; known flags: --activation'],
    [['--activation'], 'flag "--activation" needs a value'],
    [['--resume=false'], 'flag "--resume" takes no value; write it alone, e.g. --resume or --no-resume'],
    [['relu'], 'argument "relu" is not expected'],
    [['--gcs-bucket=my-bucket/logs'], '--gcs-bucket "my-bucket/logs" is not a bucket name; pass the bucket alone'],
    [['--gcs-bucket=My_Bucket'], '--gcs-bucket'],
    [['--output-dir=s3://b/out'], '--output-dir "s3://b/out" uses s3://, which hptune cannot write to'],
    [['--output-dir=gs://'], '--output-dir "gs://" has no bucket'],
  ])('rejects %j', (argv, message) => {
    expect(rejection(argv).message).toContain(message);
  });

  it('rejects a metric file on Cloud Storage and malformed storage settings, naming the variable', () => {
    expect(rejection([], { CLOUD_ML_HP_METRIC_FILE: 'gs://bucket/metrics' }).field).toBe('CLOUD_ML_HP_METRIC_FILE');
    expect(rejection([], { AIP_MODEL_DIR: 'gs://Bad_Bucket/model' }).field).toBe('AIP_MODEL_DIR');
    expect(rejection([], { HPTUNE_GCS_API_ENDPOINT: '127.0.0.1:4443' }).field).toBe('HPTUNE_GCS_API_ENDPOINT');
    expect(rejection([], { HPTUNE_TB_SYNC_INTERVAL_MS: '5' }).field).toBe('HPTUNE_TB_SYNC_INTERVAL_MS');
  });

  it('stages gs:// locations from the environment locally and keeps the metric file local', () => {
    const parsed = options([], { AIP_MODEL_DIR: 'gs://bucket/jobs/7/model/', AIP_TENSORBOARD_LOG_DIR: 'gs://bucket/jobs/7/logs', CLOUD_ML_TRIAL_ID: '7' });
    expect(parsed.paths.modelDir).toMatchObject({ url: 'gs://bucket/jobs/7/model', from: 'AIP_MODEL_DIR' });
    expect(parsed.paths.logDir).toMatchObject({ url: 'gs://bucket/jobs/7/logs', from: 'AIP_TENSORBOARD_LOG_DIR' });
    expect(parsed.paths.modelDir.path).toBe(join(tmpdir(), 'hptune-staging', `${process.pid}-7`, 'model'));
    expect(parsed.paths.logDir.path).toBe(join(tmpdir(), 'hptune-staging', `${process.pid}-7`, 'logs'));
    expect(parsed.paths.checkpointDir).toEqual({ path: resolve('hptune-output/checkpoints'), from: '--output-dir' });
    expect(parsed.paths.metricFile.path).toBe('/tmp/hypertune/output.metrics');
    expect(parsed.storage).toEqual({ syncIntervalMs: 30_000 });
  });

  it('puts outputs under gs://BUCKET/hptune/<trial id> with --gcs-bucket, the AIP_* variables winning', () => {
    const parsed = options(['--gcs-bucket', 'my-bucket', '--output-dir=out'], { CLOUD_ML_TRIAL_ID: '12', AIP_CHECKPOINT_DIR: '/ckpt' });
    expect(parsed.paths.modelDir).toMatchObject({ url: 'gs://my-bucket/hptune/12/model', from: '--gcs-bucket' });
    expect(parsed.paths.logDir).toMatchObject({ url: 'gs://my-bucket/hptune/12/logs', from: '--gcs-bucket' });
    expect(parsed.paths.checkpointDir).toEqual({ path: '/ckpt', from: 'AIP_CHECKPOINT_DIR' });
    // --output-dir still places the metric file, which is always local.
    expect(parsed.paths.metricFile).toEqual({ path: resolve('out/hypertune/output.metrics'), from: '--output-dir' });
    expect(options(['--gcs_bucket=gs://my-bucket'], { CLOUD_ML_TRIAL_ID: '3', CLOUD_ML_JOB_ID: 'job-9' }).paths.modelDir.url).toBe('gs://my-bucket/hptune/job-9/3/model');
    expect(options(['--gcs-bucket=my-bucket']).paths.logDir.url).toMatch(/^gs:\/\/my-bucket\/hptune\/run-\d{8}-\d{6}\/logs$/);
  });

  it('takes --output-dir on Cloud Storage, and the storage settings from the environment', () => {
    const parsed = options(['--output-dir=gs://bkt/out'], { HPTUNE_GCS_API_ENDPOINT: 'http://127.0.0.1:4443/', HPTUNE_TB_SYNC_INTERVAL_MS: '250' });
    expect([parsed.paths.modelDir.url, parsed.paths.checkpointDir.url, parsed.paths.logDir.url]).toEqual(['gs://bkt/out/model', 'gs://bkt/out/checkpoints', 'gs://bkt/out/logs']);
    expect(parsed.paths.metricFile.path).toBe('/tmp/hypertune/output.metrics');
    expect(parsed.storage).toEqual({ gcsApiEndpoint: 'http://127.0.0.1:4443', syncIntervalMs: 250 });
  });
});

describe('resolveTrainerOptions', () => {
  it('fills in defaults for programmatic use', () => {
    expect(resolveTrainerOptions({ optimizer: 'sgd', env: {} })).toMatchObject({ activation: 'relu', optimizer: 'sgd', learningRate: 0.01, batchSize: 64 });
  });

  it.each([
    [{ batchSize: 12.5 }, 'batchSize 12.5 is not a positive integer'],
    [{ numEpochs: 0 }, 'numEpochs 0 is not a positive integer'],
    [{ learningRate: Number.NaN }, 'learningRate NaN is not a positive number'],
    [{ trainSize: 70_000 }, 'trainSize 70000 is larger than the images in the training set (60000)'],
    [{ activation: 'tanh' as TrainerConfig['activation'] }, 'activation "tanh" is not one of the valid values'],
    [{ metricTag: '' }, 'metricTag "" is not a usable metric tag'],
  ])('rejects %o naming the property', (config, message) => {
    expect(() => resolveTrainerOptions({ ...config, env: {} })).toThrow(message);
  });
});
