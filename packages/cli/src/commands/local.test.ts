import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-harness.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-cli-study-'));

describe('hptune study', () => {
  it('runs a small grid study with the real trainer, then shows it as the documented JSON', async () => {
    const studyDir = scratch();
    const run = await runCli([
      'study', 'run', '--name', 'tiny', '--study-dir', studyDir,
      '--max-trial-count', '2', '--max-parallel-trial-count', '2',
      '--num-epochs', '1', '--train-size', '128', '--test-size', '64', '--backend', 'wasm',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/study tiny completed in \S+: 2 succeeded, 0 failed, 2 trials/);
    expect(run.stdout).toMatch(/best: trial [12] accuracy=0\.\d{4}/);

    const show = await runCli(['study', 'show', 'tiny', '--study-dir', studyDir, '--json']);
    expect(show.code).toBe(0);
    const study = JSON.parse(show.stdout) as {
      name: string;
      state: string;
      trials: { id: string; state: string; parameters: Record<string, unknown>; metrics: { accuracy: number } }[];
      best: { id: string; parameters: Record<string, unknown>; metrics: { accuracy: number } };
    };
    expect(study).toMatchObject({ name: 'tiny', state: 'COMPLETED' });
    expect(study.trials.map((trial) => [trial.id, trial.state, trial.parameters])).toEqual([
      ['1', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 32 }],
      ['2', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 64 }],
    ]);
    const accuracies = study.trials.map((trial) => trial.metrics.accuracy);
    expect(study.best.metrics.accuracy).toBe(Math.max(...accuracies));
    for (const trial of study.trials) expect(existsSync(join(studyDir, 'tiny', trial.id, 'model', 'model.json'))).toBe(true);

    const list = await runCli(['study', 'list', '--study-dir', studyDir]);
    expect(list.stdout).toMatch(/tiny\s+COMPLETED\s+2\/2\s+0/);

    // The same name again: refused in the CLI's words (a command, not the library's resumeStudy).
    const again = await runCli(['study', 'run', '--name', 'tiny', '--study-dir', studyDir, '--max-trial-count', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('hptune: study "tiny" already exists; resume it with hptune study resume tiny or choose another name\n');
  }, 120_000);

  it.each([
    [['--max-parallel-trial-count', '0'], '--max-parallel-trial-count "0" must be a whole number of at least 1'],
    [['--algorithm', 'bayes'], '--algorithm "bayes" is not one of grid, random'],
    [['--train-size', '70000'], '--train-size 70000 is larger than the images in the training set'],
    [['--max-trial-count', '28'], '28'],
    [['--name', 'has space'], 'has space'],
  ])('rejects %j with exit code 2 before creating anything', async (flags, message) => {
    const studyDir = join(scratch(), 'not-yet');
    const result = await runCli(['study', 'run', '--study-dir', studyDir, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(studyDir)).toBe(false);
  });

  it('says how to find studies when the name is unknown', async () => {
    const result = await runCli(['study', 'show', 'missing', '--study-dir', scratch()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hptune study list');
  });
});
