import { describe, expect, it } from 'vitest';
import { parseTrainerOptions, trainerHelp } from './options.js';
import {
  CHECKPOINT_SETTING_IDS,
  HYPERPARAMETER_IDS,
  LENET5_SETTINGS,
  QUICK_PRESET,
  SETTING_IDS,
  STUDY_FLAG_IDS,
  TRAINER_DEFAULTS,
  formatTrainerFlags,
  seedSearchSpace,
  settingFlag,
  settingIdOfKey,
  settingKey,
} from './settings.js';

describe('the LeNet-5 settings declaration', () => {
  it('spells each name one way: id batch_size, flag --batch-size, key batchSize, and back', () => {
    expect(settingFlag('batch_size')).toBe('--batch-size');
    expect(settingKey('batch_size')).toBe('batchSize');
    for (const id of SETTING_IDS) expect(settingIdOfKey(settingKey(id))).toBe(id);
  });

  it('gives the seed study its 27 combinations, by the ids Vertex AI passes as flags', () => {
    expect(seedSearchSpace.parameters).toEqual({
      activation: { kind: 'categorical', values: ['relu', 'softmax', 'leakyrelu'] },
      optimizer: { kind: 'categorical', values: ['sgd', 'adam', 'rmsprop'] },
      batch_size: { kind: 'discrete', values: [32, 64, 128], scale: 'linear' },
    });
    // Every id of the seed space is a hyperparameter the trainer takes, and TensorBoard's HParams records.
    for (const id of Object.keys(seedSearchSpace.parameters)) expect(HYPERPARAMETER_IDS).toContain(id);
  });

  it('derives the --quick preset and the defaults from the declaration', () => {
    expect(QUICK_PRESET).toEqual({ numEpochs: 1, trainSize: 2048, testSize: 1000 });
    expect(TRAINER_DEFAULTS).toMatchObject({ activation: 'relu', optimizer: 'adam', batchSize: 64, numEpochs: 1, seed: 42, tfjsBackend: 'auto', metricTag: 'accuracy' });
    expect(STUDY_FLAG_IDS).toEqual(expect.arrayContaining(['num_epochs', 'train_size', 'test_size', 'learning_rate', 'tfjs_backend']));
  });

  it('writes the flags every trial gets as one argv, which the trainer parses back to the same values', () => {
    const argv = formatTrainerFlags({ numEpochs: 2, trainSize: 256, learningRate: 0.05, tfjsBackend: 'cpu', metricTag: 'acc' });
    expect(argv).toEqual(['--learning-rate=0.05', '--num-epochs=2', '--train-size=256', '--tfjs-backend=cpu', '--metric-tag=acc']);
    const parsed = parseTrainerOptions([...argv, '--batch_size=32'], {});
    expect(parsed.kind === 'train' && parsed.options).toMatchObject({ numEpochs: 2, trainSize: 256, learningRate: 0.05, tfjsBackend: 'cpu', metricTag: 'acc', batchSize: 32 });
    // A switch is a bare flag either way.
    expect(formatTrainerFlags({ resume: false })).toEqual(['--no-resume']);
    expect(formatTrainerFlags({ resume: true })).toEqual(['--resume']);
    const fresh = parseTrainerOptions(formatTrainerFlags({ resume: false }), {});
    expect(fresh.kind === 'train' && fresh.options.resume).toBe(false);
  });

  it('lists every setting in --help with its flag, help and default', () => {
    const help = trainerHelp();
    for (const id of SETTING_IDS) {
      const declared = LENET5_SETTINGS[id];
      expect(help).toContain(declared.kind === 'switch' ? `${settingFlag(id)}, --no-${id}` : `${settingFlag(id)} ${declared.valueName}`);
      expect(help).toContain(declared.help);
    }
    expect(help).toContain('(default: sgd 0.01, adam 0.001, rmsprop 0.001)');
  });

  it('keeps a checkpoint for more epochs or another backend, and for nothing else that changes training', () => {
    expect(CHECKPOINT_SETTING_IDS).toEqual(['activation', 'optimizer', 'batch_size', 'learning_rate', 'momentum', 'train_size', 'test_size', 'seed']);
  });

  it('declares SGD momentum once: a hyperparameter (recorded in HParams), a study flag, default 0, checked on parsing', () => {
    expect(HYPERPARAMETER_IDS).toEqual(['activation', 'optimizer', 'batch_size', 'learning_rate', 'momentum']);
    expect(STUDY_FLAG_IDS).toContain('momentum');
    expect(formatTrainerFlags({ momentum: 0.9 })).toEqual(['--momentum=0.9']);
    const parse = (argv: string[]) => {
      const parsed = parseTrainerOptions(argv, {});
      return parsed.kind === 'train' ? parsed.options.momentum : undefined;
    };
    expect(parse([])).toBe(0);
    expect(parse(['--optimizer=sgd', '--momentum=0.9'])).toBe(0.9);
    expect(() => parse(['--momentum=-0.5'])).toThrow('--momentum -0.5 is not a number at least 0; pass a number at least 0');
    expect(trainerHelp()).toContain('--momentum MU');
  });
});
