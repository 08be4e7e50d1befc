import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentTrial, formatTrialArguments, parseTrialArguments, trialPaths, trialVariables } from './environment.js';
import { ValidationError } from './errors.js';
import { DEFAULT_METRIC_FILE } from './metrics.js';

describe('trial arguments', () => {
  it('writes parameters as Vertex AI passes them and reads them back, numbers as numbers', () => {
    const argv = formatTrialArguments({ batch_size: 64, learning_rate: 0.001, activation: 'relu' });
    expect(argv).toEqual(['--batch_size=64', '--learning_rate=0.001', '--activation=relu']);
    expect(parseTrialArguments(['--epochs', '3', ...argv])).toEqual({ batch_size: 64, learning_rate: 0.001, activation: 'relu' });
  });

  it('reads only the ids asked for, and refuses one given twice, naming it', () => {
    expect(parseTrialArguments(['--a=1', '--b=x'], { ids: ['b'] })).toEqual({ b: 'x' });
    expect(() => parseTrialArguments(['--a=1', '--a=2'])).toThrow(ValidationError);
    expect(() => parseTrialArguments(['--a=1', '--a=2'])).toThrow('--a "2" is given twice; pass --a once');
  });
});

describe('trial paths and variables', () => {
  it('lays out a local trial under its study folder and names each folder by its AIP_* variable', () => {
    const paths = trialPaths('/studies/s1', '7');
    expect(paths.checkpointDir).toBe(join('/studies/s1', '7', 'checkpoints'));
    expect(trialVariables({ studyName: 's1', trialId: '7', paths })).toEqual({
      AIP_MODEL_DIR: '/studies/s1/7/model',
      AIP_CHECKPOINT_DIR: '/studies/s1/7/checkpoints',
      AIP_TENSORBOARD_LOG_DIR: '/studies/s1/7/logs',
      CLOUD_ML_TRIAL_ID: '7',
      CLOUD_ML_HP_METRIC_FILE: '/studies/s1/7/output.metrics',
      CLOUD_ML_JOB_ID: 's1',
    });
  });

  it('reads the contract back from the environment, empty variables counting as unset', () => {
    const env = trialVariables({ studyName: 's1', trialId: '7', paths: trialPaths('/studies/s1', '7') });
    expect(currentTrial(env)).toEqual({
      trialId: '7',
      jobId: 's1',
      modelDir: '/studies/s1/7/model',
      checkpointDir: '/studies/s1/7/checkpoints',
      logDir: '/studies/s1/7/logs',
      metricFile: '/studies/s1/7/output.metrics',
    });
    expect(currentTrial({ AIP_MODEL_DIR: '', CLOUD_ML_TRIAL_ID: '' })).toEqual({ trialId: '0', metricFile: DEFAULT_METRIC_FILE });
  });

  it('refuses a metric file on Cloud Storage, naming the variable and the fix', () => {
    expect(() => currentTrial({ CLOUD_ML_HP_METRIC_FILE: 'gs://b/m' })).toThrow(/CLOUD_ML_HP_METRIC_FILE "gs:\/\/b\/m" is on Cloud Storage.*leave it unset/);
  });
});
