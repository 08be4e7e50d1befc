import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-cli-examples-'));

/** Whether `python` runs and imports `modules`. */
function imports(python: string, modules: string): boolean {
  return spawnSync(python, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/** The first Python that imports torch: the one on PATH, else Debian's (`apt-get install python3-torch`). */
const TORCH_PYTHON = ['python3', '/usr/bin/python3'].find((python) => imports(python, 'torch'));
const HAS_PYTHON = imports('python3', 'json');

interface StudyJson {
  state: string;
  trials: { id: string; state: string; parameters: Record<string, number | string>; metrics: Record<string, number> }[];
  best: { id: string } | null;
}

async function showStudy(name: string, studyDir: string): Promise<StudyJson> {
  const show = await runCli(['study', 'show', name, '--study-dir', studyDir, '--json']);
  expect(show.code).toBe(0);
  return JSON.parse(show.stdout) as StudyJson;
}

describe('examples/python-trainer with the system python3', () => {
  it.skipIf(!HAS_PYTHON)('tunes the trainer as its README does; each trial trains with exactly the parameters hptune chose', async () => {
    const studyDir = join(scratch(), 'studies');
    const result = await runCli([
      'study', 'run', '--name', 'python-softmax', '--study-dir', studyDir, '--space', join(EXAMPLES, 'python-trainer/space.json'),
      '--metric', 'accuracy', '--algorithm', 'random', '--max-trial-count', '2', '--max-parallel-trial-count', '2', '--seed', '1', '--',
      'python3', join(EXAMPLES, 'python-trainer/task.py'), '--epochs=2', '--train_size=300', '--test_size=200',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/study python-softmax completed in \S+: 2 succeeded, 0 failed, 2 trials/);
    expect(result.stdout).toMatch(/best: trial [12] accuracy=0\.\d{4} \(learning_rate=/);

    const study = await showStudy('python-softmax', studyDir);
    for (const trial of study.trials) {
      const model = JSON.parse(readFileSync(join(studyDir, 'python-softmax', trial.id, 'model', 'model.json'), 'utf8')) as { hyperparameters: Record<string, number>; test_accuracy: number };
      // Python parsed each --<id>=<value> and wrote it back: the same numbers, to the last digit.
      expect(model.hyperparameters).toEqual(trial.parameters);
      expect(trial.metrics.accuracy).toBe(model.test_accuracy);
      // Two epochs of softmax regression on 300 images beat chance (0.1) by far.
      expect(model.test_accuracy).toBeGreaterThan(0.3);
    }
  });
});

describe(`examples/pytorch-lenet5 ${TORCH_PYTHON ? `with ${TORCH_PYTHON}` : '(skipped: no python3 here imports torch; apt-get install python3-torch to run it)'}`, () => {
  it.skipIf(!TORCH_PYTHON)('runs a one-trial study of LeNet-5 in PyTorch on a few hundred images', async () => {
    const studyDir = join(scratch(), 'studies');
    const result = await runCli([
      'study', 'run', '--name', 'torch', '--study-dir', studyDir, '--space', join(EXAMPLES, 'pytorch-lenet5/space.json'),
      '--metric', 'accuracy', '--max-trial-count', '1', '--', TORCH_PYTHON ?? 'python3', join(EXAMPLES, 'pytorch-lenet5/task.py'),
      '--epochs=1', '--train_size=300', '--test_size=200', '--threads=1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const study = await showStudy('torch', studyDir);
    expect(study.trials.map((trial) => [trial.state, trial.parameters])).toEqual([['SUCCEEDED', { activation: 'relu', optimizer: 'sgd', batch_size: 32 }]]);
    const stdout = readFileSync(join(studyDir, 'torch', '1', 'stdout.log'), 'utf8');
    expect(stdout).toMatch(/^epoch 1: loss=\d\.\d{4} accuracy=0\.\d{4} \((cpu|cuda)\)$/m);
    expect(stdout).toContain(join(studyDir, 'torch', '1', 'model', 'model.pt'));
  });
});
