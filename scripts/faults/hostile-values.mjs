// Hostile values: parameter values with spaces, quotes, $(), backticks, newlines, a leading --,
// non-ASCII reach the trainer as exactly one argv entry each, byte for byte (no shell anywhere);
// study names cannot escape the study dir (.., absolute paths, a symlinked study folder); files
// hptune creates are not world-writable, even under umask 000.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CaseResult, problemList } from './lib/cases.mjs';
import { FAULTY_TRAINER, importCore, scratchDir, startCoordinator } from './lib/env.mjs';

export async function run({ full, random }) {
  const core = await importCore();
  const dir = scratchDir('hostile');
  const canary = join(dir, 'pwned');
  const values = [
    'two words',
    'say "hi"',
    "it's",
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    'line one\nline two',
    '--verbose',
    '--x=--y',
    'naïve ✓ 日本語 🚀',
    'a;b|c&d>e<f',
    'back\\slash',
    'tab\there',
    '*?[glob]',
    '~root',
    `${'long '.repeat(200)}end`,
  ];
  const chosen = full ? values : values.filter(() => random() < 0.8);
  const argv = new CaseResult(`hostile values: ${chosen.length} parameter values through the trial contract`, 'the trainer gets each value as exactly one argv entry (--v=<value>), byte for byte; nothing is run by a shell');
  const studyDir = join(dir, 'studies');
  const handle = await core.launchStudy({
    name: 'hostile',
    space: core.searchSpace({ v: core.categorical(chosen) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER] },
    studyDir,
    backend: core.local({ pollIntervalMs: 20 }),
  });
  const { trials } = await handle.wait();
  for (const value of chosen) {
    const { problems, expect } = problemList();
    const trial = trials.find((candidate) => candidate.parameters.v === value);
    if (expect(trial?.state === 'SUCCEEDED', `trial ${trial?.state} ${JSON.stringify(trial?.failure)}`)) {
      const received = JSON.parse(readFileSync(join(studyDir, 'hostile', trial.id, 'argv.json'), 'utf8'));
      const entries = received.filter((arg) => arg.startsWith('--v='));
      expect(entries.length === 1 && Buffer.from(entries[0].slice(4)).equals(Buffer.from(value)), `argv ${JSON.stringify(received)}`);
    }
    argv.record(JSON.stringify(value), problems);
  }
  argv.record('no shell ran $() or backticks', existsSync(canary) ? [`${canary} was created`] : []);

  const names = new CaseResult('hostile values: study names that would leave the study dir', 'refused (ValidationError) before anything is written, or a symlinked study folder refused; nothing appears outside the study dir');
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  for (const name of ['..', '../outside', '/tmp/abs', 'a/b', '.', 'x/../../outside', 'outside\u0000', '%2e%2e']) {
    await names.attempt(JSON.stringify(name), async () => {
      const { problems, expect } = problemList();
      try {
        await core.launchStudy({ name, algorithm: 'grid', space: core.searchSpace({ x: core.discrete([1]) }), metric: { id: 'accuracy', goal: 'maximize' }, trainer: { command: process.execPath, args: [FAULTY_TRAINER] }, studyDir: join(dir, 'names'), backend: core.local({}) });
        expect(false, 'was accepted');
      } catch (error) {
        expect(error instanceof core.ValidationError, `threw ${error?.name}: ${error?.message}`);
      }
      expect(readdirSync(outside).length === 0 && !existsSync(join(dir, 'names')), 'something was written');
      return problems;
    });
  }
  await names.attempt('a study folder that is a symlink to elsewhere', async () => {
    const { problems, expect } = problemList();
    const linkedDir = join(dir, 'linked');
    mkdirSync(linkedDir);
    symlinkSync(outside, join(linkedDir, 'linked'));
    try {
      const study = await core.launchStudy({ name: 'linked', algorithm: 'grid', space: core.searchSpace({ x: core.discrete([1]) }), metric: { id: 'accuracy', goal: 'maximize' }, trainer: { command: process.execPath, args: [FAULTY_TRAINER] }, studyDir: linkedDir, backend: core.local({}) });
      await study.wait().catch(() => undefined);
      expect(false, 'was accepted');
    } catch (error) {
      expect(error?.name === 'ValidationError' || error?.name === 'HptuneError', `threw ${error?.name}: ${error?.message}`);
      expect(String(error?.message).includes('symlink') || String(error?.message).includes('symbolic link'), `message does not say why: ${error?.message}`);
    }
    expect(readdirSync(outside).length === 0, `written outside: ${readdirSync(outside).join(', ')}`);
    return problems;
  });

  const modes = new CaseResult('hostile values: permissions of created files under umask 000', 'no file or folder hptune creates (store, study and trial folders, logs, TensorBoard files) is world-writable');
  const permissionsDir = join(dir, 'umask');
  const ended = await startCoordinator(
    'launch',
    {
      name: 'modes',
      space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2]) })),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 2,
      trainer: { command: process.execPath, args: [FAULTY_TRAINER] },
      studyDir: permissionsDir,
      backend: { pollIntervalMs: 20 },
    },
    { umask: 0 },
  ).exited;
  await modes.attempt('a study run under umask 000', () => {
    const { problems, expect } = problemList();
    expect(/"state":"COMPLETED"/.test(ended.stdout), `the study: ${ended.stdout.trim().split('\n').at(-1)} ${ended.stderr.slice(0, 300)}`);
    // Files the trainer writes itself (its argv, its metric file) are the trainer's, made under its own umask.
    const trainerFiles = new Set(['argv.json', 'output.metrics', 'output.metrics.tmp']);
    const walk = (path) => {
      for (const entry of readdirSync(path)) {
        const full = join(path, entry);
        const stat = lstatSync(full);
        if (!trainerFiles.has(entry)) expect((stat.mode & 0o002) === 0, `${full.slice(permissionsDir.length + 1)} is world-writable (${(stat.mode & 0o777).toString(8)})`);
        if (stat.isDirectory()) walk(full);
      }
    };
    expect((lstatSync(permissionsDir).mode & 0o002) === 0, `the study dir is world-writable (${(lstatSync(permissionsDir).mode & 0o777).toString(8)})`);
    walk(permissionsDir);
    return problems;
  });
  return [argv, names, modes];
}
