import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-harness.js';
import { pythonExecutable } from '../../test/python.js';

const RECORDER = fileURLToPath(new URL('../../test/fixtures/record-trial.py', import.meta.url));
const PYTHON = pythonExecutable() ?? 'python3';
const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-cli-command-'));

/** Values a shell would split, expand or choke on: each must reach the trainer as one argv entry, unchanged. */
const HOSTILE = ['two words', `it's "quoted"`, '$(touch pwned)', '`touch pwned`', 'ünïcödé 🚀 ∑', '; rm -rf / #', '--not-a-flag', 'a=b=c'];

function writeSpace(dir: string, values: readonly string[]): string {
  const file = join(dir, 'space.json');
  writeFileSync(file, JSON.stringify({ version: 1, parameters: { label: { kind: 'categorical', values } } }));
  return file;
}

interface Received {
  argv: string[];
  cwd: string;
  env: Record<string, string | null>;
}

function received(studyDir: string, name: string, trialId: string): Received {
  return JSON.parse(readFileSync(join(studyDir, name, trialId, 'model', 'received.json'), 'utf8')) as Received;
}

describe('hptune study run -- <command>', () => {
  it('runs the program without a shell: fixed arguments, then each parameter as one --<id>=<value> entry, verbatim', async () => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    // One trial: a parameter per hostile value, each parameter with that value only.
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ version: 1, parameters: Object.fromEntries(HOSTILE.map((value, index) => [`p${index}`, { kind: 'categorical', values: [value] }])) }));
    const result = await runCli([
      'study', 'run', '--name', 'hostile', '--study-dir', studyDir, '--space', space, '--metric', 'score', '--',
      PYTHON, RECORDER, 'fixed with space', '$HOME', '--fixed=*',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/study hostile completed in \S+: 1 succeeded, 0 failed/);
    expect(received(studyDir, 'hostile', '1').argv).toEqual(['fixed with space', '$HOME', '--fixed=*', ...HOSTILE.map((value, index) => `--p${index}=${value}`)]);
    // Nothing was expanded or executed: no file appeared where a shell would have made one.
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(studyDir, 'hostile', '1', 'pwned'))).toBe(false);
  });

  it('gives the program the trial contract: its own folders, metric file, trial id and job id; the working folder is where hptune ran', async () => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const result = await runCli(['study', 'run', '--name', 'contract', '--study-dir', studyDir, '--space', writeSpace(dir, ['a', 'b']), '--metric', 'score', '--goal', 'minimize', '--', PYTHON, RECORDER]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/best: trial 1 score=1\.000 \(label=a\)/);
    for (const id of ['1', '2']) {
      const trialDir = join(studyDir, 'contract', id);
      expect(received(studyDir, 'contract', id)).toEqual({
        argv: [`--label=${id === '1' ? 'a' : 'b'}`],
        cwd: process.cwd(),
        env: {
          AIP_MODEL_DIR: join(trialDir, 'model'),
          AIP_CHECKPOINT_DIR: join(trialDir, 'checkpoints'),
          AIP_TENSORBOARD_LOG_DIR: join(trialDir, 'logs'),
          CLOUD_ML_TRIAL_ID: id,
          CLOUD_ML_HP_METRIC_FILE: join(trialDir, 'output.metrics'),
          CLOUD_ML_JOB_ID: 'contract',
        },
      });
    }
  });

  it('stores the command, so `study resume` runs the same program with the same arguments', async () => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const marker = join(dir, 'fail-now');
    writeFileSync(marker, '');
    const argv = ['study', 'run', '--name', 'again', '--study-dir', studyDir, '--space', writeSpace(dir, ['x', 'y', 'z']), '--metric', 'score',
      '--max-parallel-trial-count', '1', '--max-failed-trial-count', '1', '--', PYTHON, RECORDER, `--fail-if-exists=${marker}`, 'two words'];
    const first = await runCli(argv);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/1 failed/);

    rmSync(marker);
    const resumed = await runCli(['study', 'resume', 'again', '--study-dir', studyDir, '--max-failed-trial-count', '2']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/study again completed in \S+: 2 succeeded, 1 failed, 3 trials/);
    expect(received(studyDir, 'again', '2').argv).toEqual([`--fail-if-exists=${marker}`, 'two words', '--label=y']);
    expect(received(studyDir, 'again', '3').argv).toEqual([`--fail-if-exists=${marker}`, 'two words', '--label=z']);
  });

  it.each<[string, string[], string]>([
    ['no --space', ['--metric', 'score'], '--space (missing) is required with your own trainer'],
    ['no --metric', ['--space', 'SPACE'], '--metric (missing) is required with your own trainer; pass the tag your program reports'],
    ['a LeNet-5 flag', ['--space', 'SPACE', '--metric', 'score', '--num-epochs', '2'], '--num-epochs 2 is a setting of the built-in LeNet-5 trainer and does not reach the program after --'],
    ['--quick', ['--space', 'SPACE', '--metric', 'score', '--quick'], 'hptune: --quick is a setting of the built-in LeNet-5 trainer and does not reach the program after --'],
    ['a program not on PATH', ['--space', 'SPACE', '--metric', 'score'], 'trainer.command "no-such-program-hptune" was not found on PATH'],
  ])('rejects %s with exit code 2 before creating anything', async (what, flags, message) => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const space = writeSpace(dir, ['a']);
    const program = what === 'a program not on PATH' ? ['no-such-program-hptune'] : [PYTHON, RECORDER];
    const result = await runCli(['study', 'run', '--study-dir', studyDir, ...flags.map((flag) => (flag === 'SPACE' ? space : flag)), '--', ...program]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(studyDir)).toBe(false);
  });

  it('names the space file and the JSON path of a bad field', async () => {
    const dir = scratch();
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ version: 1, parameters: { lr: { kind: 'double', min: 1, max: 0.1 } } }));
    const result = await runCli(['study', 'run', '--study-dir', join(dir, 'studies'), '--space', space, '--metric', 'score', '--', PYTHON, RECORDER]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^hptune: --space ${space.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: parameters\\.lr`));
    expect(readdirSync(dir)).toEqual(['space.json']);
  });
});

describe('hptune study run --config', () => {
  function writeStudyFile(dir: string, study: Record<string, unknown>): string {
    const file = join(dir, 'study.json');
    writeFileSync(file, JSON.stringify(study, null, 2));
    return file;
  }

  const BASE = {
    name: 'from-file',
    space: { version: 1, parameters: { label: { kind: 'categorical', values: ['p', 'q', 'r'] } } },
    metric: { id: 'score', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    seed: 5,
    trainer: { command: PYTHON, args: [RECORDER, 'from the file'] },
  };

  it('runs the study the file describes; flags override its fields; `study show --config` prints a file that runs it again', async () => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const file = writeStudyFile(dir, BASE);
    const run = await runCli(['study', 'run', '--config', file, '--study-dir', studyDir, '--max-trial-count', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/study from-file completed in \S+: 2 succeeded, 0 failed, 2 trials/);
    const first = received(studyDir, 'from-file', '1');
    expect(first.argv).toEqual(['from the file', '--label=p']);
    expect(first.cwd).toBe(dir);

    const show = await runCli(['study', 'show', 'from-file', '--study-dir', studyDir, '--config']);
    expect(show.code).toBe(0);
    const printed = JSON.parse(show.stdout) as Record<string, unknown>;
    expect(printed).toEqual({
      $schema: './node_modules/@hptune/cli/schema/study.schema.json',
      ...BASE,
      space: { version: 1, parameters: { label: { kind: 'categorical', values: ['p', 'q', 'r'] } } },
      maxTrials: 2,
      trainer: { ...BASE.trainer, cwd: dir },
    });

    const again = join(scratch(), 'again.json');
    writeFileSync(again, show.stdout);
    const rerun = await runCli(['study', 'run', '--config', again, '--study-dir', studyDir, '--name', 'from-file-2']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(received(studyDir, 'from-file-2', '2')).toMatchObject({ argv: ['from the file', '--label=q'], cwd: dir });
  });

  it('the command after -- wins over the file\'s trainer', async () => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const file = writeStudyFile(dir, BASE);
    const run = await runCli(['study', 'run', '--config', file, '--study-dir', studyDir, '--max-trial-count', '1', '--', PYTHON, RECORDER, 'from the command line']);
    expect(run.code, run.stderr).toBe(0);
    expect(received(studyDir, 'from-file', '1')).toMatchObject({ argv: ['from the command line', '--label=p'], cwd: process.cwd() });
  });

  it.each<[string, Record<string, unknown>, string[], string]>([
    ['an early-stopping rule with a bad setting, named by its path', { earlyStopping: { kind: 'asha', maxStep: 9, reductionFactor: 1 } }, [], 'FILE: earlyStopping.reductionFactor 1 is not a whole number of at least 2'],
    ['a study name the store refuses, named by its path', { name: 'has space' }, [], 'FILE: name "has space" is not a usable study name'],
    ['more trials than the grid, named by its path', { maxTrials: 4 }, [], 'FILE: maxTrials 4 is above the grid size (3 combinations)'],
    ['an algorithm hptune lacks', { algorithm: 'hyperband' }, [], 'FILE: algorithm "hyperband" is not'],
    ['a bad flag over a good file, named as the flag', {}, ['--max-trial-count', '9'], '--max-trial-count 9 is above the grid size'],
  ])('refuses %s with exit code 2 before creating anything', async (_what, change, flags, message) => {
    const dir = scratch();
    const studyDir = join(dir, 'studies');
    const file = writeStudyFile(dir, { ...BASE, ...change });
    const result = await runCli(['study', 'run', '--config', file, '--study-dir', studyDir, ...flags]);
    expect(result.stderr).toContain(message.replace('FILE', file));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(studyDir)).toBe(false);
  });
});
