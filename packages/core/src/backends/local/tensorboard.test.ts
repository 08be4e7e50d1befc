import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { categorical, discrete, double, integer, searchSpace } from '../../space/builder.js';
import { searchSpaceToJSON } from '../../space/json.js';
import { SummaryWriter } from '@hptune/outputs/tensorboard';
import { writeHParamsSessionStart } from '@hptune/outputs/tensorboard';
import { inspectLogDir } from '@hptune/outputs/tensorboard';
import { readLogDir } from '@hptune/outputs/tensorboard';
import type { FrozenTrial } from '../../study/types.js';
import type { StudyDefinition } from '../../study/definition.js';
import { addRecordedHParams, completeTrialRun, MAX_DISCOVERED_METRICS, readTrialRuns, writeStudyExperiment, type RecordedHParams } from './tensorboard.js';

const root = mkdtempSync(join(tmpdir(), 'hptune-local-tb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = () => {
  const dir = join(root, `case${(counter += 1)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const space = searchSpace({
  activation: categorical(['relu', 'softmax', 'leakyrelu']),
  batch_size: discrete([32, 64, 128]),
  learning_rate: double(0.0001, 0.1, { scale: 'log' }),
  depth: integer(1, 3),
});

const definition: StudyDefinition = {
  name: 'tb',
  space: searchSpaceToJSON(space),
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'random',
  maxTrials: 3,
  parallelTrials: 1,
  seed: 1,
  trainer: { command: process.execPath, args: [] },
  backend: 'local',
};

const trial = (overrides: Partial<FrozenTrial> = {}): FrozenTrial => ({
  id: '4',
  state: 'SUCCEEDED',
  parameters: { activation: 'relu', batch_size: 64, learning_rate: 0.01, depth: 2 },
  measurements: [
    { step: 1, metrics: { accuracy: 0.5 }, elapsedSeconds: 10 },
    { step: 2, metrics: { accuracy: 0.75 }, elapsedSeconds: 20 },
  ],
  startTime: '2025-01-01T00:00:00.000Z',
  endTime: '2025-01-01T00:00:30.000Z',
  ...overrides,
});

describe('writeStudyExperiment', () => {
  it('lists every parameter with its domain, the study metric first, then the trials\' scalar tags', () => {
    const directory = fresh();
    writeStudyExperiment({ definition, directory, scalarTags: ['train/loss', 'accuracy', 'test/accuracy', 'images_per_second', '_hparams_/session_start_info'] });
    const [run] = readLogDir(directory).runs;
    const point = run?.points.find((candidate) => candidate.tag === '_hparams_/experiment');
    if (point?.kind !== 'hparams') throw new Error('no experiment');
    const experiment = point.data.experiment;
    expect(experiment?.name).toBe('tb');
    expect(experiment?.hparamInfos?.map((info) => info.name).sort()).toEqual(['activation', 'batch_size', 'depth', 'learning_rate']);
    const byName = new Map(experiment?.hparamInfos?.map((info) => [info.name, info]));
    expect(byName.get('activation')?.domainDiscrete).toEqual(['relu', 'softmax', 'leakyrelu']);
    expect(byName.get('batch_size')?.domainDiscrete).toEqual([32, 64, 128]);
    expect(byName.get('learning_rate')?.domainInterval).toEqual({ minValue: 0.0001, maxValue: 0.1 });
    expect(byName.get('depth')?.domainDiscrete).toEqual([1, 2, 3]);
    expect(experiment?.metricInfos?.map((info) => [info.name?.tag, info.datasetType])).toEqual([
      ['accuracy', 2],
      ['images_per_second', undefined],
      ['test/accuracy', 2],
      ['train/loss', 1],
    ]);
  });

  it('declares the hyperparameters the sessions record beyond the search space, typed by the values seen', () => {
    const directory = fresh();
    const recordedHParams: RecordedHParams = new Map();
    // LeNet-5's sessions: the space's parameters, plus its learning rate (by optimizer) and momentum.
    addRecordedHParams(recordedHParams, { activation: 'relu', learning_rate: 0.01, momentum: 0, optimizer: 'sgd', nesterov: false }, definition);
    addRecordedHParams(recordedHParams, { activation: 'softmax', learning_rate: 0.001, momentum: 0, optimizer: 'adam', nesterov: true }, definition);
    // The space's own parameters are not tracked by value: they are declared with their domains.
    expect([...recordedHParams.keys()].sort()).toEqual(['momentum', 'nesterov', 'optimizer']);
    writeStudyExperiment({ definition, directory, recordedHParams });
    const experiment = inspectLogDir(directory).runs[0]?.experiment;
    expect(experiment?.hparams).toEqual(['activation', 'batch_size', 'learning_rate', 'depth', 'momentum', 'nesterov', 'optimizer']);
    expect(experiment?.metrics).toEqual(['accuracy']);
    const point = readLogDir(directory).runs[0]?.points.find((candidate) => candidate.tag === '_hparams_/experiment');
    if (point?.kind !== 'hparams') throw new Error('no experiment');
    const byName = new Map(point.data.experiment?.hparamInfos?.map((info) => [info.name, info]));
    expect(byName.get('learning_rate')?.domainInterval).toEqual({ minValue: 0.0001, maxValue: 0.1 });
    expect(byName.get('momentum')).toEqual({ name: 'momentum', type: 3, domainDiscrete: [0] });
    expect(byName.get('optimizer')).toEqual({ name: 'optimizer', type: 1, domainDiscrete: ['adam', 'sgd'] });
    expect(byName.get('nesterov')).toEqual({ name: 'nesterov', type: 2 });
  });

  it('replaces the experiment written before, and caps the discovered metrics', () => {
    const directory = fresh();
    writeStudyExperiment({ definition, directory });
    writeStudyExperiment({ definition, directory, scalarTags: Array.from({ length: 40 }, (_, index) => `tag${String(index).padStart(2, '0')}`) });
    const inspection = inspectLogDir(directory);
    expect(inspection.runs).toHaveLength(1);
    expect(inspection.runs[0]?.files).toBe(1);
    expect(inspection.runs[0]?.experiment?.metrics).toHaveLength(1 + MAX_DISCOVERED_METRICS);
  });
});

describe('completeTrialRun', () => {
  // The local coordinator hands its trial's metric points over (thinned past 1,000); these curves are short.
  const complete = (logDir: string, finished = trial()) => completeTrialRun({ logDir, trial: finished, metricPoints: finished.measurements, metricId: 'accuracy' });

  it('gives a trainer that wrote no TensorBoard logs a whole session: start, the study metric, end', () => {
    const logDir = join(fresh(), 'logs');
    const completion = complete(logDir);
    expect(completion.wrote).toEqual(['session-start', 'metric', 'session-end']);
    expect([...completion.scalarTags]).toEqual(['accuracy']);
    expect(completion.hparams).toEqual({ activation: 'relu', batch_size: 64, learning_rate: 0.01, depth: 2 });
    const run = inspectLogDir(logDir).runs[0];
    expect(run?.session).toEqual({ groupName: '4', hparams: { activation: 'relu', batch_size: 64, learning_rate: 0.01, depth: 2 }, status: 'SUCCESS' });
    const accuracy = readLogDir(logDir).runs[0]?.points.filter((point) => point.tag === 'accuracy');
    expect(accuracy?.map((point) => [point.step, point.kind === 'scalar' ? point.value : undefined, point.wallTime])).toEqual([
      [1, 0.5, Date.parse('2025-01-01T00:00:10Z') / 1000],
      [2, 0.75, Date.parse('2025-01-01T00:00:20Z') / 1000],
    ]);
    // Run again (a resumed coordinator): nothing is written twice.
    expect(complete(logDir).wrote).toEqual([]);
    expect(readdirSync(logDir)).toHaveLength(1);
  });

  it('keeps a trainer\'s own session and metric, adding only the end a killed trainer did not write', () => {
    const logDir = join(fresh(), 'logs');
    const writer = new SummaryWriter({ logDir, flushIntervalMs: 0 });
    // LeNet-5's trainer records its learning rate both as a session hyperparameter and as a scalar.
    writeHParamsSessionStart({ writer, parameters: { activation: 'softmax', learning_rate: 0.01 }, groupName: '4' });
    writer.scalar('accuracy', 0.25, 1);
    writer.scalar('test/loss', 1.5, 1);
    writer.scalar('learning_rate', 0.01, 1);
    writer.close();
    const completion = complete(logDir, trial({ state: 'INFEASIBLE', failure: { kind: 'cancelled', reason: 'cancelled' } }));
    expect(completion.wrote).toEqual(['session-end']);
    expect([...completion.scalarTags].sort()).toEqual(['accuracy', 'test/loss']);
    // The session's values are the trainer's, not the trial's parameters.
    expect(completion.hparams).toEqual({ activation: 'softmax', learning_rate: 0.01 });
    const run = readLogDir(logDir).runs[0];
    expect(run?.points.filter((point) => point.tag === '_hparams_/session_start_info')).toHaveLength(1);
    expect(run?.points.filter((point) => point.tag === 'accuracy')).toHaveLength(1);
    expect(inspectLogDir(logDir).runs[0]?.session).toEqual({ groupName: '4', hparams: { activation: 'softmax', learning_rate: 0.01 }, status: 'FAILURE' });
    // A hyperparameter is never listed as a metric of the experiment.
    expect([...readTrialRuns([logDir], definition).scalarTags].sort()).toEqual(['accuracy', 'test/loss']);
  });

  it('lists trial runs in numeric order', () => {
    const directory = fresh();
    for (const id of [1, 2, 10, 11]) complete(join(directory, String(id), 'logs'), trial({ id: String(id) }));
    expect(inspectLogDir(directory).runs.map((run) => run.name)).toEqual(['1/logs', '2/logs', '10/logs', '11/logs']);
  });

  it('reads the scalar tags of runs already there, skipping missing ones', () => {
    const directory = fresh();
    complete(join(directory, '1', 'logs'), trial({ id: '1' }));
    const writer = new SummaryWriter({ logDir: join(directory, '2', 'logs'), flushIntervalMs: 0 });
    writer.scalar('train/loss', 1, 1);
    writer.close();
    expect([...readTrialRuns([1, 2, 3].map((id) => join(directory, String(id), 'logs')), definition).scalarTags].sort()).toEqual(['accuracy', 'train/loss']);
  });
});
