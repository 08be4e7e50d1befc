import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { categorical, createSampler, discrete, launchStudy, local, searchSpace, searchSpaceFromJSON, type FrozenTrial } from '@hptune/core';
import { readFileSync } from 'node:fs';
import { lenet5Trainer } from '@hptune/trainer';
import { runCli } from '../../test/cli-harness.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-cli-study-'));
const WIDE_SPACE = fileURLToPath(new URL('../../../../examples/spaces/lenet5-wide.json', import.meta.url));

describe('hptune study', () => {
  it('runs a small grid study with the real trainer, then shows it as the documented JSON', async () => {
    const studyDir = scratch();
    const run = await runCli([
      'study', 'run', '--name', 'tiny', '--study-dir', studyDir,
      '--max-trial-count', '2', '--max-parallel-trial-count', '2',
      '--num-epochs', '1', '--train-size', '128', '--test-size', '64', '--tfjs-backend', 'wasm',
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
    expect(study).toMatchObject({ name: 'tiny', state: 'COMPLETED', measurementSelection: 'best', counts: { succeeded: 2, failed: 0, cancelled: 0 } });
    expect(study.trials.map((trial) => [trial.id, trial.state, trial.parameters])).toEqual([
      ['1', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 32 }],
      ['2', 'SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 64 }],
    ]);
    const accuracies = study.trials.map((trial) => trial.metrics.accuracy);
    expect(study.best.metrics.accuracy).toBe(Math.max(...accuracies));
    for (const trial of study.trials) expect(existsSync(join(studyDir, 'tiny', trial.id, 'model', 'model.json'))).toBe(true);

    const list = await runCli(['study', 'list', '--study-dir', studyDir]);
    expect(list.stdout).toMatch(/tiny\s+COMPLETED\s+2\/2\s+2 succeeded, 0 failed, 2 trials/);

    // The same name again: refused in the CLI's words (a command, not the library's resumeStudy).
    const again = await runCli(['study', 'run', '--name', 'tiny', '--study-dir', studyDir, '--max-trial-count', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('hptune: study "tiny" already exists and is COMPLETED; choose another name, or delete it first with hptune study delete tiny\n');
  }, 120_000);

  it('runs a TPE study over the wider LeNet-5 space file on the quick preset, each trial with its own learning rate', async () => {
    const studyDir = scratch();
    const run = await runCli([
      'study', 'run', '--name', 'wide', '--study-dir', studyDir, '--algorithm', 'tpe', '--space', WIDE_SPACE, '--quick',
      '--max-trial-count', '4', '--max-parallel-trial-count', '2', '--train-size', '128', '--test-size', '64', '--tfjs-backend', 'wasm', '--seed', '3',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/study wide completed in \S+: 4 succeeded, 0 failed, 4 trials/);

    const show = await runCli(['study', 'show', 'wide', '--study-dir', studyDir, '--json']);
    const study = JSON.parse(show.stdout) as { algorithm: string; trials: { state: string; parameters: Record<string, number | string> }[] };
    expect(study.algorithm).toBe('tpe');
    const rates = study.trials.map((trial) => trial.parameters['learning_rate'] as number);
    for (const rate of rates) {
      expect(rate).toBeGreaterThanOrEqual(1e-4);
      expect(rate).toBeLessThanOrEqual(0.1);
    }
    expect(new Set(rates).size).toBe(4);
  }, 120_000);

  it('runs --algorithm bayesian as the GP sampler locally: the trials are the GP design for the seed', async () => {
    const studyDir = scratch();
    const run = await runCli([
      'study', 'run', '--name', 'gp', '--study-dir', studyDir, '--algorithm', 'bayesian', '--space', WIDE_SPACE, '--quick',
      '--max-trial-count', '3', '--max-parallel-trial-count', '1', '--train-size', '128', '--test-size', '64', '--tfjs-backend', 'wasm', '--seed', '7',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const show = await runCli(['study', 'show', 'gp', '--study-dir', studyDir, '--json']);
    const study = JSON.parse(show.stdout) as { algorithm: string; trials: { id: string; parameters: Record<string, number | string> }[] };
    expect(study.algorithm).toBe('bayesian');
    const space = searchSpaceFromJSON(JSON.parse(readFileSync(WIDE_SPACE, 'utf8')));
    const metric = { id: 'accuracy', goal: 'maximize' } as const;
    const gp = createSampler({ algorithm: 'gp', space, metric, seed: 7 });
    const tpe = createSampler({ algorithm: 'tpe', space, metric, seed: 7 });
    const shown: FrozenTrial[] = [];
    const trials = [...study.trials].sort((a, b) => Number(a.id) - Number(b.id));
    for (const trial of trials) {
      expect(trial.parameters).toEqual(gp.suggest(shown));
      expect(trial.parameters).not.toEqual(tpe.suggest(shown));
      shown.push({ id: trial.id, state: 'ACTIVE', parameters: trial.parameters, measurements: [] });
    }
  }, 120_000);

  it.each([
    [['--max-parallel-trial-count', '0'], '--max-parallel-trial-count "0" must be a whole number of at least 1'],
    [['--algorithm', 'bayes'], '--algorithm "bayes" is not one of grid, shuffled-grid, random, tpe, gp, bayesian; pass --algorithm bayesian'],
    [['--algorithm', 'TPE'], 'pass --algorithm tpe'],
    [['--algorithm', 'radnom'], 'pass --algorithm random'],
    [['--train-size', '70000'], '--train-size 70000 is larger than the images in the training set'],
    [['--max-trial-count', '28'], '28'],
    [['--name', 'has space'], 'has space'],
    [['--early-stopping', 'asha', '--num-epochs', '1'], '--early-stopping asha needs trials of at least 2 epochs, and --num-epochs is 1'],
    [['--early-stopping', 'hyperband', '--num-epochs', '1'], '--early-stopping hyperband needs trials of at least 2 epochs, and --num-epochs is 1'],
    [['--early-stopping', 'pbt'], '--early-stopping "pbt" is not one of none, median, asha, hyperband, decay-curve'],
    [['--early-stopping', 'hyper-band'], 'pass --early-stopping hyperband'],
  ])('rejects %j with exit code 2 before creating anything', async (flags, message) => {
    const studyDir = join(scratch(), 'not-yet');
    const result = await runCli(['study', 'run', '--study-dir', studyDir, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(studyDir)).toBe(false);
  });

  it('names the sampler of a study launched with one of the user\'s own, in show and in list --json', async () => {
    const studyDir = scratch();
    const handle = await launchStudy({
      name: 'own',
      space: searchSpace({ activation: categorical(['relu']), optimizer: categorical(['adam']), batch_size: discrete([32]) }),
      metric: { id: 'accuracy', goal: 'maximize' },
      maxTrials: 1,
      sampler: { algorithm: 'always-relu', suggest: () => ({ activation: 'relu', optimizer: 'adam', batch_size: 32 }) },
      trainer: lenet5Trainer({ flags: { numEpochs: 1, trainSize: 64, testSize: 32, tfjsBackend: 'wasm' } }),
      studyDir,
      backend: local(),
    });
    await handle.wait();
    const show = await runCli(['study', 'show', 'own', '--study-dir', studyDir]);
    expect(show.stderr).toBe('');
    expect(show.stdout).toMatch(/^study own: COMPLETED, custom search \(sampler "always-relu"\), maximize accuracy, 1\/1 done$/m);
    const list = JSON.parse((await runCli(['study', 'list', '--study-dir', studyDir, '--json'])).stdout) as { algorithm: string; sampler?: string }[];
    expect(list.map(({ algorithm, sampler }) => ({ algorithm, sampler }))).toEqual([{ algorithm: 'custom', sampler: 'always-relu' }]);
  });

  it('says how to find studies when the name is unknown', async () => {
    const result = await runCli(['study', 'show', 'missing', '--study-dir', scratch()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hptune study list');
  });
});
