import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEventFileWithFixtures, decodeHParamsPluginDataWithFixtures, shapeOf } from '@hptune/testing/tensorboard';
import type { ParameterSpec, TrialParameters } from '@hptune/trial';
import { SummaryWriter } from './event-writer.js';
import {
  HPARAMS_EXPERIMENT_TAG,
  HPARAMS_SESSION_END_TAG,
  HPARAMS_SESSION_START_TAG,
  hparamsExperiment,
  hparamsSessionEndValue,
  writeHParamsExperiment,
  writeHParamsSessionEnd,
  writeHParamsSessionStart,
} from './hparams.js';
import { inspectLogDir } from './inspect.js';

const parameters: Record<string, ParameterSpec> = {
  learningRate: { kind: 'double', min: 0.0001, max: 0.1, scale: 'log' },
  batchSize: { kind: 'discrete', values: [32, 64, 128], scale: 'linear' },
  units: { kind: 'integer', min: 16, max: 20, scale: 'linear' },
  steps: { kind: 'integer', min: 1, max: 1000, scale: 'linear' },
  activation: {
    kind: 'categorical',
    values: ['relu', 'leakyrelu', 'elu'],
    conditions: [
      { parentValues: ['leakyrelu'], parameters: { leakyAlpha: { kind: 'discrete', values: [0.01, 0.2], scale: 'linear' } } },
      { parentValues: ['elu'], parameters: { eluAlpha: { kind: 'discrete', values: [0.5, 1], scale: 'linear' } } },
    ],
  },
};
const metrics = [{ tag: 'test/accuracy', datasetType: 'validation' as const }, { tag: 'loss', group: 'train', displayName: 'Train loss' }];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hptune-tb-hparams-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function onlyValue(path: string) {
  const events = decodeEventFileWithFixtures(path);
  expect(events).toHaveLength(2);
  const value = events[1]?.summary?.value?.[0];
  expect(value?.metadata?.plugin_data?.plugin_name).toBe('hparams');
  expect(value?.metadata?.data_class).toBe('DATA_CLASS_TENSOR');
  expect(value?.tensor?.dtype).toBe('DT_FLOAT');
  expect(shapeOf(value?.tensor)).toEqual([0]);
  return { event: events[1], value, content: decodeHParamsPluginDataWithFixtures(value?.metadata?.plugin_data?.content as Buffer) };
}

describe('HParams experiment', () => {
  it('describes every parameter with its domain and every metric, as TensorBoard decodes it', () => {
    const path = writeHParamsExperiment({ logDir: root, parameters, metrics, name: 'mnist', timeCreatedSecs: 1000 });
    const { value, content } = onlyValue(path);
    expect(value?.tag).toBe(HPARAMS_EXPERIMENT_TAG);
    expect(content).toMatchObject({ version: 0, data: 'experiment', experiment: { name: 'mnist', time_created_secs: 1000 } });
    const experiment = content.experiment as { hparam_infos: Record<string, unknown>[]; metric_infos: unknown[] };
    const byName = Object.fromEntries(experiment.hparam_infos.map((info) => [info.name, info]));
    expect(Object.keys(byName).sort()).toEqual(['activation', 'batchSize', 'eluAlpha', 'leakyAlpha', 'learningRate', 'steps', 'units']);
    expect(byName.learningRate).toMatchObject({ type: 'DATA_TYPE_FLOAT64', domain: 'domain_interval', domain_interval: { min_value: 0.0001, max_value: 0.1 } });
    expect(byName.batchSize).toMatchObject({ type: 'DATA_TYPE_FLOAT64', domain_discrete: { values: [32, 64, 128].map((n) => ({ number_value: n })) } });
    expect(byName.units).toMatchObject({ domain_discrete: { values: [16, 17, 18, 19, 20].map((n) => ({ number_value: n })) } });
    expect(byName.steps).toMatchObject({ domain: 'domain_interval', domain_interval: { min_value: 1, max_value: 1000 } });
    expect(byName.activation).toMatchObject({
      type: 'DATA_TYPE_STRING',
      domain_discrete: { values: [{ string_value: 'relu' }, { string_value: 'leakyrelu' }, { string_value: 'elu' }] },
    });
    // Conditional children are parameters of the experiment too.
    expect(byName.eluAlpha).toMatchObject({ domain_discrete: { values: [{ number_value: 0.5 }, { number_value: 1 }] } });
    expect(experiment.metric_infos).toEqual([
      { name: { group: '', tag: 'test/accuracy' }, display_name: '', description: '', dataset_type: 'DATASET_VALIDATION' },
      { name: { group: 'train', tag: 'loss' }, display_name: 'Train loss', description: '', dataset_type: 'DATASET_UNKNOWN' },
    ]);
  });

  it('declares the hyperparameters sessions record beyond the parameters, by the values seen, as TensorBoard decodes it', () => {
    const path = writeHParamsExperiment({
      logDir: root,
      parameters: { units: parameters.units as ParameterSpec },
      metrics,
      recordedValues: {
        units: [99], // declared by the parameters: their domain wins
        momentum: [0.9, 0, 0.9],
        optimizer: ['sgd', 'adam'],
        nesterov: [true],
        seed: Array.from({ length: 101 }, (_, index) => index),
        mixed: ['a', 1],
      },
    });
    const experiment = onlyValue(path).content.experiment as { hparam_infos: Record<string, unknown>[] };
    const byName = Object.fromEntries(experiment.hparam_infos.map((info) => [info.name, info]));
    expect(experiment.hparam_infos.map((info) => info.name)).toEqual(['units', 'momentum', 'optimizer', 'nesterov', 'seed', 'mixed']);
    expect(byName.units).toMatchObject({ domain_discrete: { values: [16, 17, 18, 19, 20].map((n) => ({ number_value: n })) } });
    expect(byName.momentum).toMatchObject({ type: 'DATA_TYPE_FLOAT64', domain_discrete: { values: [{ number_value: 0 }, { number_value: 0.9 }] } });
    expect(byName.optimizer).toMatchObject({ type: 'DATA_TYPE_STRING', domain_discrete: { values: [{ string_value: 'adam' }, { string_value: 'sgd' }] } });
    expect(byName.nesterov).toEqual({ name: 'nesterov', display_name: '', description: '', type: 'DATA_TYPE_BOOL' });
    expect(byName.seed).toMatchObject({ type: 'DATA_TYPE_FLOAT64', domain: 'domain_interval', domain_interval: { min_value: 0, max_value: 100 } });
    expect(byName.mixed).toEqual({ name: 'mixed', display_name: '', description: '', type: 'DATA_TYPE_UNSET' });
  });

  it('replaces an experiment written before, leaving other event files alone', () => {
    const trainer = new SummaryWriter({ logDir: root, flushIntervalMs: 0 });
    trainer.scalar('x', 1, 0);
    trainer.close();
    writeHParamsExperiment({ logDir: root, parameters, metrics });
    const second = writeHParamsExperiment({ logDir: root, parameters: { units: parameters.units as ParameterSpec }, metrics });
    expect(readdirSync(root).sort()).toEqual([trainer.path, second].map((path) => path.slice(root.length + 1)).sort());
    const { content } = onlyValue(second);
    expect((content.experiment as { hparam_infos: unknown[] }).hparam_infos).toHaveLength(1);
  });

  it('rejects an experiment without metrics and a status TensorBoard does not know', () => {
    expect(() => hparamsExperiment({ parameters, metrics: [] })).toThrow(/metrics \[\] is empty/);
    expect(() => hparamsSessionEndValue({ status: 'toString' as never })).toThrow(/status "toString" is not a session status/);
  });
});

describe('HParams sessions', () => {
  it('records each trial’s values, group and status so the dashboard lists all trials side by side', () => {
    writeHParamsExperiment({ logDir: root, parameters, metrics });
    const trials: { id: string; parameters: TrialParameters; status: 'SUCCESS' | 'FAILURE' }[] = [
      { id: '1', parameters: { learningRate: 0.01, batchSize: 64, units: 16, steps: 10, activation: 'relu' }, status: 'SUCCESS' },
      { id: '2', parameters: { learningRate: 0.001, batchSize: 32, units: 20, steps: 5, activation: 'elu', eluAlpha: 0.5 }, status: 'FAILURE' },
      { id: '3', parameters: { learningRate: 0.05, batchSize: 128, units: 18, steps: 7, activation: 'leakyrelu', leakyAlpha: 0.2 }, status: 'SUCCESS' },
    ];
    for (const [index, trial] of trials.entries()) {
      const logDir = join(root, trial.id);
      const start = writeHParamsSessionStart({ logDir, parameters: trial.parameters, groupName: trial.id, startTimeSecs: 2000 + index });
      const writer = new SummaryWriter({ logDir, flushIntervalMs: 0 });
      writer.scalar('test/accuracy', 0.9 + index / 100, 1);
      writer.close();
      const end = writeHParamsSessionEnd({ logDir, status: trial.status, endTimeSecs: 3000 + index });

      const started = onlyValue(start);
      expect(started.value?.tag).toBe(HPARAMS_SESSION_START_TAG);
      expect(started.event?.wall_time).toBe(2000 + index);
      const info = started.content.session_start_info as { hparams: Record<string, unknown>; group_name: string; start_time_secs: number };
      expect(info.group_name).toBe(trial.id);
      expect(info.start_time_secs).toBe(2000 + index);
      expect(Object.keys(info.hparams).sort()).toEqual(Object.keys(trial.parameters).sort());
      expect(info.hparams).toEqual(
        Object.fromEntries(
          Object.entries(trial.parameters).map(([key, value]) => [
            key,
            typeof value === 'string' ? { kind: 'string_value', string_value: value } : { kind: 'number_value', number_value: value },
          ]),
        ),
      );
      const ended = onlyValue(end);
      expect(ended.value?.tag).toBe(HPARAMS_SESSION_END_TAG);
      expect(ended.content.session_end_info).toEqual({ status: `STATUS_${trial.status}`, end_time_secs: 3000 + index });
    }

    const inspection = inspectLogDir(root);
    expect(inspection.runs.map((run) => run.name)).toEqual(['.', '1', '2', '3']);
    expect(inspection.runs[0]?.experiment?.metrics).toEqual(['test/accuracy', 'train/loss']);
    expect(inspection.runs.slice(1).map((run) => [run.session?.groupName, run.session?.status, run.session?.hparams.activation])).toEqual([
      ['1', 'SUCCESS', 'relu'],
      ['2', 'FAILURE', 'elu'],
      ['3', 'SUCCESS', 'leakyrelu'],
    ]);
    expect(inspection.runs[2]?.tags.find((tag) => tag.tag === 'test/accuracy')?.lastValue).toBeCloseTo(0.91, 6);
  });

  it('can write through the trial’s own writer, keeping the run to one file', () => {
    const writer = new SummaryWriter({ logDir: root, flushIntervalMs: 0 });
    writeHParamsSessionStart({ writer, parameters: { units: 16 }, groupName: '7' });
    writer.scalar('loss', 1, 1);
    writeHParamsSessionEnd({ writer, status: 'SUCCESS' });
    writer.close();
    expect(readdirSync(root)).toHaveLength(1);
    const tags = decodeEventFileWithFixtures(writer.path).flatMap((event) => event.summary?.value ?? []).map((value) => value.tag);
    expect(tags).toEqual([HPARAMS_SESSION_START_TAG, 'loss', HPARAMS_SESSION_END_TAG]);
  });
});
