import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { launchStudy, resumeStudy } from '../../launch.js';
import { discrete, searchSpace } from '../../space/builder.js';
import { combinationKey } from '../../space/grid.js';
import { asha } from '../../stopping/asha.js';
import { median } from '../../stopping/median.js';
import { inspectLogDir } from '@hptune/outputs/tensorboard';
import { local } from './backend.js';
import { trialPaths } from './contract.js';
import { openStudy } from './open.js';
import { STOPPED_EARLY_TAG } from './tensorboard.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-stopping-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const backend = local({ pollIntervalMs: 10, stopGracePeriodSeconds: 0.5 });
const accuracy = { id: 'accuracy', goal: 'maximize' } as const;
// The fake trainer's accuracy is x / 1000 * epoch / epochs: the grid runs the best first, so every later trial is worse at every step.
const space = searchSpace({ x: discrete([8, 7, 6, 5, 4, 3]) });
// Each epoch lasts long enough for the coordinator to read it and stop the trainer before the next.
const trainer = { command: process.execPath, args: [FAKE_TRAINER, '--epochs=4', '--sleep-ms=150'] };

describe('early stopping on the local backend', () => {
  it('stops hopeless trials as SUCCEEDED with stoppedEarly, keeps their files, and never runs a combination again', async () => {
    const studyDir = join(root, 'asha');
    const study = await launchStudy({
      name: 'asha',
      space,
      metric: accuracy,
      algorithm: 'grid',
      parallelTrials: 1,
      trainer,
      studyDir,
      backend,
      earlyStopping: asha({ maxStep: 4, reductionFactor: 2 }),
    });
    const { trials, best, study: info } = await study.wait();
    expect(info.state).toBe('COMPLETED');
    expect(info.earlyStopping).toEqual({ kind: 'asha', minStep: 1, maxStep: 4, reductionFactor: 2 });
    expect(trials).toHaveLength(6);
    expect(new Set(trials.map((trial) => combinationKey(trial.parameters))).size).toBe(6);
    expect(best?.parameters).toEqual({ x: 8 });
    expect(trials[0]?.stoppedEarly).toBeUndefined();
    const stopped = trials.filter((trial) => trial.stoppedEarly);
    // Rungs at 1 and 2: the second trial is behind the first at rung 1; so is every later one.
    expect(stopped.map((trial) => trial.id)).toEqual(['2', '3', '4', '5', '6']);
    for (const trial of stopped) {
      expect(trial.state).toBe('SUCCEEDED');
      expect(trial.finalMeasurement).toMatchObject({ step: trial.measurements.at(-1)?.step, metrics: { accuracy: trial.measurements.at(-1)?.metrics['accuracy'] } });
      expect(trial.finalMeasurement?.step).toBeLessThan(4);
      const paths = trialPaths(join(studyDir, 'asha'), trial.id);
      expect(readFileSync(paths.metricFile, 'utf8')).toContain('"global_step":"1"');
      expect(readFileSync(paths.stderrFile, 'utf8')).toContain('epoch 1 done');
      const run = inspectLogDir(paths.logDir).runs[0];
      expect(run?.session?.status).toBe('SUCCESS');
      expect(run?.tags.find((tag) => tag.tag === STOPPED_EARLY_TAG)?.lastValue).toBe(trial.finalMeasurement?.step);
    }
    const epochs = trials.reduce((sum, trial) => sum + (trial.finalMeasurement?.step ?? 0), 0);
    expect(epochs).toBeLessThan(6 * 4);
    // The experiment lists the flag as a metric, so the HParams table shows it as a column.
    expect(inspectLogDir(join(studyDir, 'asha')).runs.find((run) => run.experiment)?.experiment?.metrics).toContain(STOPPED_EARLY_TAG);
  });

  it('stores the rule with the study, so a resumed study stops trials by it', async () => {
    const studyDir = join(root, 'median');
    const first = await launchStudy({ name: 'median', space, metric: accuracy, algorithm: 'grid', parallelTrials: 1, trainer, studyDir, backend, earlyStopping: median({ startupTrials: 1 }) });
    let completed = 0;
    first.on('trialCompleted', () => {
      completed += 1;
      if (completed === 2) void first.cancel();
    });
    await first.wait().catch(() => undefined);
    expect(openStudy('median', { studyDir }).study.earlyStopping).toEqual({ kind: 'median', startupTrials: 1, warmupSteps: 0 });

    const { trials } = await (await resumeStudy('median', { studyDir, backend })).wait();
    const decided = trials.filter((trial) => trial.state === 'SUCCEEDED');
    expect(decided.map((trial) => [trial.parameters['x'], trial.stoppedEarly ?? false])).toEqual([
      [8, false],
      [7, true],
      [6, true],
      [5, true],
      [4, true],
      [3, true],
    ]);
  });

  it('refuses, on resume, a rule other than the stored one', async () => {
    const studyDir = join(root, 'median');
    await expect(resumeStudy('median', { studyDir, backend, earlyStopping: asha({ maxStep: 4 }) })).rejects.toThrow(ValidationError);
    expect(existsSync(join(studyDir, 'hptune.db'))).toBe(true);
  });
});
