/**
 * The LeNet-5 trainer in a local study, end to end in TensorBoard: core's study coordinator runs the
 * built `hptune-train` as each trial; the event files are decoded with the TensorBoard fixtures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { categorical, discrete, double, launchStudy, local, searchSpace } from '@hptune/core';
import { inspectLogDir, readLogDir } from '@hptune/core/tensorboard';
import { afterAll, describe, expect, it } from 'vitest';
import { hparamsSummariesWithFixtures } from '@hptune/testing/tensorboard';
import { builtTrainerBin } from '@hptune/testing/built';

const root = mkdtempSync(join(tmpdir(), 'hptune-trainer-study-tb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const backend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 2 });


describe('a local study of the LeNet-5 trainer in TensorBoard', () => {
  it('shows every trial of the LeNet-5 trainer once: the coordinator\'s session, the study metric added, the trainer\'s tags as metrics', async () => {
    const trainerBin = builtTrainerBin();
    const space = searchSpace({
      activation: categorical(['relu', 'leakyrelu']),
      optimizer: categorical(['sgd']),
      batch_size: discrete([32, 64]),
      learning_rate: double(0.01, 0.1, { scale: 'log' }),
    });
    const study = await launchStudy({
      name: 'lenet',
      space,
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'random',
      maxTrials: 2,
      parallelTrials: 2,
      seed: 11,
      trainer: { command: process.execPath, args: [trainerBin, '--tfjs-backend=wasm', '--train-size=256', '--test-size=64', '--num-epochs=1'] },
      studyDir: join(root, 'lenet'),
      backend,
    });
    const { trials } = await study.wait();
    const info = study.backend;
    expect(trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const inspection = inspectLogDir(info.directory);
    expect(inspection.runs.map((run) => run.name)).toEqual(['.', '1/logs', '2/logs']);
    // The experiment declares every hyperparameter the sessions record; the coordinator writes each
    // session with the trial's parameters (the trainer writes none), so the space's four.
    expect(inspection.runs[0]?.experiment?.hparams).toEqual(['activation', 'optimizer', 'batch_size', 'learning_rate']);
    // learning_rate is a hyperparameter of the sessions (also logged as a scalar), never a metric.
    expect(inspection.runs[0]?.experiment?.metrics).toEqual(['accuracy', 'images_per_second', 'test/accuracy', 'test/loss', 'train/accuracy', 'train/loss']);
    for (const trial of trials) {
      const run = inspection.runs.find((candidate) => candidate.name === `${trial.id}/logs`);
      // One writer: the coordinator records the trial's session, its parameters and the study's verdict.
      expect(run?.session).toEqual({ groupName: trial.id, hparams: trial.parameters, status: 'SUCCESS' });
      const tags = run?.tags.map((tag) => tag.tag) ?? [];
      expect(tags).toEqual(expect.arrayContaining(['accuracy', 'test/accuracy', 'weights/conv1/kernel', 'test/images', 'test/predictions']));
      // The study metric the coordinator added is the value the trainer reported.
      expect(run?.tags.find((tag) => tag.tag === 'accuracy')?.lastValue).toBe(Math.fround(trial.finalMeasurement?.metrics.accuracy as number));
      expect(run?.tags.find((tag) => tag.tag === 'test/accuracy')?.lastValue).toBe(Math.fround(trial.finalMeasurement?.metrics.accuracy as number));
      const points = readLogDir(join(info.directory, trial.id, 'logs')).runs[0]?.points ?? [];
      expect(points.filter((point) => point.tag === '_hparams_/session_start_info')).toHaveLength(1);
      expect(points.filter((point) => point.tag === '_hparams_/session_end_info')).toHaveLength(1);
    }
    const starts = hparamsSummariesWithFixtures(info.directory).filter((summary) => summary.tag === '_hparams_/session_start_info');
    expect(starts.map((start) => [start.run, (start.data.session_start_info as { group_name: string }).group_name]).sort()).toEqual([
      ['1/logs', '1'],
      ['2/logs', '2'],
    ]);
  });
});
