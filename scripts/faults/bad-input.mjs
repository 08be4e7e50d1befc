// Bad input: a corpus of CLI invocations and SDK calls, each wrong in one field. Every one must be
// refused before anything is spent or written: the CLI exits 2 with one line naming the field, the
// value and a fix; the SDK throws a ValidationError saying the same; the scratch folder (the cwd,
// and the study dir inside it) stays empty.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaseResult, problemList } from './lib/cases.mjs';
import { CLI_BIN, ROOT, importCore, importTrial, runProcess, scratchDir } from './lib/env.mjs';

/** CLI invocations: argv (after `hptune`), the field the message must name, the value it must show. */
function cliCorpus(files) {
  const run = (flag, value, field = flag) => ({ args: ['study', 'run', flag, value], field, value });
  const launch = (flag, value, field = flag) => ({ args: ['launch', '--project', 'demo-project', '--bucket', 'demo-bucket', '--dry-run', flag, value], field, value });
  return [
    run('--name', '../escape'),
    run('--name', '/etc'),
    run('--name', 'two words'),
    run('--name', ''),
    run('--name', 'n'.repeat(200)),
    run('--name', 'naïve'),
    run('--name', '.hidden'),
    run('--max-trial-count', '0'),
    run('--max-trial-count', '-1'),
    run('--max-trial-count', '1.5'),
    run('--max-trial-count', 'ten'),
    run('--max-trial-count', '99999999999999999999'),
    run('--max-parallel-trial-count', '0'),
    run('--max-failed-trial-count', '-2'),
    run('--trial-timeout', '0'),
    run('--trial-timeout', '-5'),
    run('--trial-timeout', 'soon'),
    run('--trial-timeout', 'Infinity'),
    run('--algorithm', 'bayes'),
    run('--goal', 'up'),
    run('--metric', 'bad metric'),
    run('--metric', 'global_step'),
    run('--metric', ''),
    run('--space', files.missing),
    run('--space', files.notJson),
    run('--space', files.wrongShape),
    run('--space', files.directory),
    run('--num-epochs', '0'),
    run('--train-size', '-3'),
    run('--test-size', '1e3'),
    run('--learning-rate', '0'),
    run('--learning-rate', '-0.1'),
    run('--learning-rate', 'NaN'),
    run('--seed', '-1'),
    run('--seed', '1.5'),
    run('--tfjs-backend', 'gpu'),
    { args: ['study', 'run', '--algorithm', 'random'], field: '--max-trial-count', value: '' },
    { args: ['study', 'run', '--frobnicate', 'yes'], field: '--frobnicate', value: '' },
    { args: ['study', 'resume', '../escape'], field: 'name', value: '../escape' },
    { args: ['study', 'resume', 'two words'], field: 'name', value: 'two words' },
    { args: ['study', 'resume', 'absent', '--max-parallel-trial-count', '0'], field: '--max-parallel-trial-count', value: '0' },
    { args: ['study', 'resume', 'absent', '--trial-timeout', '-1'], field: '--trial-timeout', value: '-1' },
    { args: ['study', 'resume', 'absent'], field: 'absent', value: '' },
    { args: ['study', 'show', '../escape'], field: 'name', value: '../escape' },
    { args: ['study', 'show', 'absent'], field: 'absent', value: '' },
    { args: ['tensorboard', '../escape'], field: 'name', value: '../escape' },
    { args: ['launch', '--bucket', 'demo-bucket', '--dry-run'], field: '--project', value: '' },
    { args: ['launch', '--project', 'demo-project', '--dry-run'], field: '--bucket', value: '' },
    launch('--name', '../escape'),
    launch('--bucket', 'Bad_Bucket!'),
    launch('--bucket', 'b'),
    launch('--project', 'Bad Project'),
    launch('--project', 'x'),
    { args: ['jobs', 'list', '--project', 'x'], field: '--project', value: 'x' },
    launch('--region', 'US Central 1'),
    launch('--timeout', '5x'),
    launch('--labels', 'novalue'),
    launch('--accelerator-count', '0'),
    launch('--machine-type', 'huge machine'),
    launch('--network', 'my-network'),
    launch('--tensorboard', 'my-tensorboard'),
    launch('--max-failed-trial-count', '-1'),
    launch('--poll-interval', '0'),
    launch('--algorithm', 'annealing'),
    launch('--service-account', 'not-an-email'),
  ];
}

/** SDK calls: a label, the call, the field and value the ValidationError must carry. */
function sdkCorpus(core, studyDir) {
  const trainer = { command: process.execPath, args: ['-e', '0'] };
  const space = core.searchSpace({ x: core.discrete([1, 2]) });
  const study = (overrides) => () => core.launchStudy({ name: 'ok', algorithm: 'grid', space, metric: { id: 'accuracy', goal: 'maximize' }, trainer, studyDir, backend: core.local({}), ...overrides });
  return [
    ['launchStudy name ../escape', study({ name: '../escape' }), 'name', '../escape'],
    ['launchStudy name /abs', study({ name: '/abs' }), 'name', '/abs'],
    ['launchStudy metric id empty', study({ metric: { id: '', goal: 'maximize' } }), 'metric.id', ''],
    ['launchStudy goal up', study({ metric: { id: 'accuracy', goal: 'up' } }), 'metric.goal', 'up'],
    ['launchStudy algorithm bayes', study({ algorithm: 'bayes' }), 'algorithm', 'bayes'],
    ['launchStudy parallelTrials 0', study({ parallelTrials: 0 }), 'parallelTrials', '0'],
    ['launchStudy maxFailedTrials 0', study({ maxFailedTrials: 0 }), 'maxFailedTrials', '0'],
    ['launchStudy trialTimeoutSeconds -1', study({ trialTimeoutSeconds: -1 }), 'trialTimeoutSeconds', '-1'],
    ['launchStudy maxTrials 0', study({ maxTrials: 0 }), 'maxTrials', '0'],
    ['launchStudy maxTrials 2.5', study({ maxTrials: 2.5 }), 'maxTrials', '2.5'],
    ['launchStudy trainer command empty', study({ trainer: { command: '' } }), 'trainer.command', ''],
    ['launchStudy empty space', study({ space: { parameters: {} } }), 'parameters', '{}'],
    ['launchStudy grid over a double', study({ space: core.searchSpace({ lr: core.double(0.1, 1) }) }), 'lr', 'double'],
    ['local pollIntervalMs 0', study({ backend: core.local({ pollIntervalMs: 0 }) }), 'backend.pollIntervalMs', '0'],
    ['local stopGracePeriodSeconds -1', study({ backend: core.local({ stopGracePeriodSeconds: -1 }) }), 'backend.stopGracePeriodSeconds', '-1'],
    ['discrete([])', () => core.searchSpace({ x: core.discrete([]) }), 'values', '[]'],
    ['double(1, 0)', () => core.searchSpace({ x: core.double(1, 0) }), 'max', '0'],
    ['integer(1.5, 3)', () => core.searchSpace({ x: core.integer(1.5, 3) }), 'min', '1.5'],
    ["categorical(['a', 'a'])", () => core.searchSpace({ x: core.categorical(['a', 'a']) }), 'values', 'a'],
    ["categorical([''])", () => core.searchSpace({ x: core.categorical(['']) }), 'values', '""'],
    ["parameter id 'bad id'", () => core.searchSpace({ 'bad id': core.discrete([1]) }), 'bad id', 'bad id'],
    ['resumeStudy ../escape', () => core.resumeStudy('../escape', { studyDir, backend: core.local({}) }), 'name', '../escape'],
    ['openStudy two words', () => core.openStudy('two words', { studyDir }), 'name', 'two words'],
    ['report tag with a space', () => core.createMetricReporter({ metricFile: join(studyDir, 'm') }).report({ tag: 'bad tag', value: 1 }), 'tag', 'bad tag'],
    ['report value NaN', () => core.createMetricReporter({ metricFile: join(studyDir, 'm') }).report({ tag: 'accuracy', value: Number.NaN }), 'value', 'NaN'],
    ['report globalStep -1', () => core.createMetricReporter({ metricFile: join(studyDir, 'm') }).report({ tag: 'accuracy', value: 1, globalStep: -1 }), 'globalStep', '-1'],
  ];
}

const isEmpty = (dir) => readdirSync(dir).length === 0;

export async function run() {
  // The study author's entry and the trial side's (`createMetricReporter`).
  const core = { ...(await importCore()), ...(await importTrial()) };
  const inputs = scratchDir('bad-input-files');
  const files = {
    missing: join(inputs, 'missing.json'),
    notJson: join(inputs, 'space.txt'),
    wrongShape: join(inputs, 'space.json'),
    directory: join(inputs, 'folder'),
  };
  writeFileSync(files.notJson, 'parameters: x');
  writeFileSync(files.wrongShape, '{"parameters": {}}');
  mkdirSync(files.directory);
  const { main } = await import(pathToFileURL(join(ROOT, 'packages', 'cli', 'dist', 'index.js')).href);

  const cli = new CaseResult('bad input: CLI invocations', 'exit 2; one line on stderr naming the field, the value and a fix; nothing created on disk');
  const corpus = cliCorpus(files);
  const home = process.cwd();
  for (const entry of corpus) {
    const cwd = scratchDir('bad-input');
    await cli.attempt(`hptune ${entry.args.join(' ')}`, async () => {
      const { problems, expect } = problemList();
      let stderr = '';
      const sink = (write) => ({ write: (chunk) => (write(String(chunk)), true) });
      process.chdir(cwd);
      let code;
      try {
        code = await main([...entry.args, ...(entry.args[0] === 'study' || entry.args[0] === 'tensorboard' ? ['--study-dir', join(cwd, 'studies')] : [])], {
          stdout: sink(() => {}),
          stderr: sink((text) => (stderr += text)),
          env: { PATH: process.env.PATH, HOME: cwd },
        });
      } finally {
        process.chdir(home);
      }
      const lines = stderr.trimEnd().split('\n');
      expect(code === 2, `exit ${code}`);
      expect(lines.length === 1 && lines[0] !== '', `${lines.length} lines: ${stderr.slice(0, 400)}`);
      expect(stderr.includes(entry.field), `does not name ${entry.field}: ${stderr.trim()}`);
      expect(entry.value === '' || stderr.includes(entry.value), `does not show the value ${JSON.stringify(entry.value)}: ${stderr.trim()}`);
      expect(/; |\(run with --help/.test(stderr), `gives no fix: ${stderr.trim()}`);
      expect(isEmpty(cwd), `created ${readdirSync(cwd).join(', ')}`);
      return problems;
    });
  }
  // The same through the real executable for a sample: the exit code the shell sees.
  const bin = new CaseResult('bad input: the hptune executable', 'the process exits 2 with the same single line');
  for (const entry of corpus.filter((_, index) => index % 8 === 0)) {
    const cwd = scratchDir('bad-input-bin');
    await bin.attempt(`hptune ${entry.args.join(' ')}`, async () => {
      const { problems, expect } = problemList();
      const result = await runProcess(process.execPath, [CLI_BIN, ...entry.args], { cwd, env: { PATH: process.env.PATH, HOME: cwd } });
      expect(result.code === 2 && result.stderr.trimEnd().split('\n').length === 1, `exit ${result.code}: ${result.stderr.slice(0, 300)}`);
      expect(isEmpty(cwd), `created ${readdirSync(cwd).join(', ')}`);
      return problems;
    });
  }

  const sdk = new CaseResult('bad input: SDK calls', 'a ValidationError (exit code 2) whose one-line message names the field, the value and a fix; nothing created on disk');
  const cwd = scratchDir('bad-input-sdk');
  const studyDir = join(cwd, 'studies');
  for (const [label, call, field, value] of sdkCorpus(core, studyDir)) {
    await sdk.attempt(label, async () => {
      const { problems, expect } = problemList();
      try {
        await call();
        expect(false, 'was accepted');
      } catch (error) {
        expect(error instanceof core.ValidationError && error.exitCode === 2, `threw ${error?.name} ${error?.code}: ${error?.message}`);
        const message = String(error?.message);
        expect(!message.includes('\n') && message.includes(field) && message.includes(value) && message.includes('; '), `message: ${message}`);
      }
      expect(isEmpty(cwd), `created ${readdirSync(cwd).join(', ')}`);
      return problems;
    });
  }
  return [cli, bin, sdk];
}
