// The adversary's findings (issue 24): what an unlucky user or an adversary did past the first
// campaign. Each case is one finding, kept fixed: a trial timeout past Node's timer range, a
// trainer's children outliving it, the store deleted or truncated mid-study, a dashboard with slow
// and many clients, hostile --space/--config files, huge or deep spaces, --force-unlock against a
// live coordinator, SIGHUP, a transient permission error on the study folder, a NUL byte in a
// value, study-file wording. `soak` (full size only): 2,000 trials with the dashboard open.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaseResult, problemList } from './lib/cases.mjs';
import { CLI_BIN, FAULTY_TRAINER, ROOT, importCore, isRunning, runProcess, scratchDir, sleep, startCoordinator, waitFor } from './lib/env.mjs';

const DAY = 24 * 3600;

/** Runs the hptune executable: `{ code, signal, stdout, stderr }`. */
const hptune = (args, options = {}) => runProcess(process.execPath, [CLI_BIN, ...args], { env: { PATH: process.env.PATH, HOME: options.cwd ?? process.cwd() }, ...options });

/** Item 1: a trial timeout of 30 days, from code, the CLI flag and a study file. */
async function longTimeout({ core, dir }) {
  const row = new CaseResult('adversary: a 30-day trial timeout (past the 24.8 days one Node timer holds)', 'from code, --trial-timeout and a study file: every trial SUCCEEDED (none stopped at once as timed out); no TimeoutOverflowWarning');
  const space = core.searchSpace({ x: core.discrete([1, 2]) });
  const spaceFile = join(dir, 'space.json');
  writeFileSync(spaceFile, JSON.stringify(core.searchSpaceToJSON(space)));
  await row.attempt('launchStudy({ trialTimeoutSeconds: 2592000 })', async () => {
    const { problems, expect } = problemList();
    const result = await startCoordinator('launch', {
      name: 'long-sdk', space: core.searchSpaceToJSON(space), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 2,
      trialTimeoutSeconds: 30 * DAY, trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--sleep-ms=50'] }, studyDir: join(dir, 'sdk'), backend: { pollIntervalMs: 20 },
    }).exited;
    expect(/"state":"COMPLETED"/.test(result.stdout), `the study: ${result.stdout.trim().split('\n').at(-1)}`);
    expect(!/TimeoutOverflowWarning/.test(result.stderr), `warned: ${result.stderr.slice(0, 200)}`);
    const states = core.openStudy('long-sdk', { studyDir: join(dir, 'sdk') }).trials.map((trial) => `${trial.state} ${trial.failure?.reason ?? ''}`.trim());
    expect(states.length === 2 && states.every((state) => state === 'SUCCEEDED'), `trials: ${states.join('; ')}`);
    return problems;
  });
  const cli = async (label, args) => {
    await row.attempt(label, async () => {
      const { problems, expect } = problemList();
      const studyDir = join(dir, label.replace(/\W+/g, '-'));
      const result = await hptune(['study', 'run', '--study-dir', studyDir, '--json', ...args], { cwd: dir });
      expect(result.code === 0, `exit ${result.code}: ${result.stderr.slice(0, 300)}`);
      expect(!/TimeoutOverflowWarning/.test(result.stderr), `warned: ${result.stderr.slice(0, 200)}`);
      const stored = core.listStudies({ studyDir })[0];
      expect(stored?.counts.succeeded === 2 && stored.counts.failed === 0, `counts: ${JSON.stringify(stored?.counts)}`);
      return problems;
    });
  };
  await cli('hptune study run --trial-timeout 2592000', ['--name', 'long-flag', '--space', spaceFile, '--metric', 'accuracy', '--trial-timeout', String(30 * DAY), '--max-parallel-trial-count', '2', '--', process.execPath, FAULTY_TRAINER, '--sleep-ms=50']);
  const studyFile = join(dir, 'study.json');
  writeFileSync(studyFile, JSON.stringify({ name: 'long-file', space: 'space.json', metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 2, trialTimeoutSeconds: 30 * DAY, trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--sleep-ms=50'] } }));
  await cli('a study file with "trialTimeoutSeconds": 2592000', ['--config', studyFile]);
  return row;
}

/** Item 3: a trainer's own children that ignore SIGTERM, after a clean exit. */
async function leftChildren({ core, dir, full }) {
  const count = full ? 8 : 4;
  const row = new CaseResult(`adversary: ${count} trainers leaving a child that ignores SIGTERM, then exiting 0`, "every trial SUCCEEDED; no trainer's child runs once the study ends (its process group got SIGTERM, then SIGKILL after the grace period)");
  const log = join(dir, 'trainers.log');
  const handle = await core.launchStudy({
    name: 'children', space: core.searchSpace({ x: core.discrete(Array.from({ length: count }, (_, index) => index + 1)) }), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 4,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--fault=leave-child', `--log=${log}`] }, studyDir: join(dir, 'studies'), backend: core.local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.3 }),
  });
  const result = await handle.wait().catch((error) => ({ error }));
  row.record('the study', result.error ? [`${result.error.code}: ${result.error.message}`] : result.trials.every((trial) => trial.state === 'SUCCEEDED') ? [] : ['not every trial SUCCEEDED']);
  const children = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((entry) => entry.event === 'child');
  for (const child of children) {
    row.record(`trial ${child.trial}'s child ${child.pid}`, isRunning(child) ? ['still runs'] : []);
    if (isRunning(child)) process.kill(child.pid, 'SIGKILL');
  }
  if (children.length !== count) row.record('children logged', [`${children.length} of ${count}`]);
  return row;
}

export async function run({ full, random }) {
  const core = await importCore();
  const dir = scratchDir('adversary');
  const rows = [];
  const section = (name) => {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    return { core, dir: folder, full, random };
  };
  rows.push(await longTimeout(section('timeout')));
  rows.push(await leftChildren(section('children')));
  return rows;
}
