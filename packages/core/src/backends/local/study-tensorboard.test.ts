import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hparamsSummariesWithFixtures } from '@hptune/testing/tensorboard';
import { local } from './backend.js';
import { categorical, discrete, searchSpace } from '../../space/builder.js';
import { inspectLogDir } from '@hptune/outputs/tensorboard';
import { launchStudy } from '../../launch.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-study-tb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const backend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 2 });


describe('a local study in TensorBoard', () => {
  it('writes the HParams experiment at the study folder and a whole session per trial for a trainer that writes none', async () => {
    const space = searchSpace({ x: discrete([1, 2, 3]), kind: categorical(['a', 'b']) });
    const study = await launchStudy({
      name: 'fake',
      space,
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'random',
      maxTrials: 3,
      parallelTrials: 3,
      seed: 5,
      trainer: { command: process.execPath, args: [FAKE_TRAINER, '--sleep-ms=5'] },
      studyDir: join(root, 'fake'),
      backend,
    });
    const { trials } = await study.wait();
    const info = study.backend;
    const inspection = inspectLogDir(info.directory);
    expect(inspection.problems).toEqual([]);
    expect(inspection.runs.map((run) => run.name)).toEqual(['.', '1/logs', '2/logs', '3/logs']);
    expect(inspection.runs[0]?.experiment).toEqual({ hparams: ['x', 'kind'], metrics: ['accuracy'] });
    for (const trial of trials) {
      const run = inspection.runs.find((candidate) => candidate.name === `${trial.id}/logs`);
      expect(run?.session).toEqual({ groupName: trial.id, hparams: trial.parameters, status: 'SUCCESS' });
      const accuracy = run?.tags.find((tag) => tag.tag === 'accuracy');
      expect([accuracy?.count, accuracy?.lastStep, accuracy?.lastValue]).toEqual([2, 2, Math.fround(trial.finalMeasurement?.metrics.accuracy as number)]);
    }
    const summaries = hparamsSummariesWithFixtures(info.directory);
    expect(summaries.filter((summary) => summary.tag === '_hparams_/experiment').map((summary) => summary.run)).toEqual(['.']);
    expect(summaries.filter((summary) => summary.tag === '_hparams_/session_start_info')).toHaveLength(3);
  });
});
