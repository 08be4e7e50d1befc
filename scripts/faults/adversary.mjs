// The adversary's findings (issue 24): what an unlucky user or an adversary did past the first
// campaign. Each case is one finding, kept fixed: a trial timeout past Node's timer range, a
// trainer's children outliving it, the store deleted or truncated mid-study, a dashboard with slow
// and many clients, hostile --space/--config files, huge or deep spaces, --force-unlock against a
// live coordinator, SIGHUP, a transient permission error on the study folder, a NUL byte in a
// value, study-file wording. `soak` (full size only): 2,000 trials with the dashboard open.
import { spawn } from 'node:child_process';
import console from 'node:console';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CaseResult, problemList } from './lib/cases.mjs';
import { CLI_BIN, FAULTY_TRAINER, ROOT, importCore, isRunning, runProcess, scratchDir, sleep, startCoordinator, waitFor } from './lib/env.mjs';

const DAY = 24 * 3600;

/** Runs the hptune executable: `{ code, signal, stdout, stderr }`. */
const hptune = (args, options = {}) => runProcess(process.execPath, [CLI_BIN, ...args], { env: { PATH: process.env.PATH, HOME: options.cwd ?? process.cwd() }, ...options });

/** Item 1: a trial timeout of 30 days, from code, the CLI flag and a study file. */
async function longTimeout({ core, dir, full }) {
  const row = new CaseResult('adversary: a 30-day trial timeout (past the 24.8 days one Node timer holds)', 'from code, --trial-timeout and a study file: every trial SUCCEEDED (none stopped at once as timed out); no TimeoutOverflowWarning');
  const space = core.searchSpace({ x: core.discrete([1, 2]) });
  const spaceFile = join(dir, 'space.json');
  writeFileSync(spaceFile, JSON.stringify(core.searchSpaceToJSON(space)));
  if (full) await row.attempt('launchStudy({ trialTimeoutSeconds: 2592000 })', async () => {
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
  if (full) await cli('a study file with "trialTimeoutSeconds": 2592000', ['--config', studyFile]);
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

/** Runs `hptune` with a deadline: `{ code, stderr, seconds, timedOut }` (killed with SIGKILL past it). */
async function hptuneWithin(args, { cwd, seconds = 10 } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.resume();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, seconds * 1000);
  const code = await new Promise((resolve) => child.on('close', (exit) => resolve(exit)));
  clearTimeout(timer);
  return { code, stderr, timedOut, seconds: (performance.now() - started) / 1000 };
}

/** Runs `hptune` inside this process (its `main`, as bad-input does), for refusals that cannot hang: `{ code, stderr, seconds }`. */
async function hptuneInProcess(args, { cwd }) {
  const { main } = await import(pathToFileURL(join(ROOT, 'packages', 'cli', 'dist', 'index.js')).href);
  let stderr = '';
  const sink = (write) => ({ write: (chunk) => (write(String(chunk)), true) });
  const started = performance.now();
  const home = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, { stdout: sink(() => {}), stderr: sink((text) => (stderr += text)), env: { PATH: process.env.PATH, HOME: cwd } });
    return { code, stderr, timedOut: false, seconds: (performance.now() - started) / 1000 };
  } finally {
    process.chdir(home);
  }
}

/** A refusal as the CLI must give it: exit 2, one line naming `field`, no "unexpected error", in time. */
function expectRefusal(result, expect, { field, within }) {
  const lines = result.stderr.trimEnd().split('\n');
  expect(!result.timedOut, `still running after ${within} s`);
  expect(result.code === 2, `exit ${result.code}: ${result.stderr.slice(0, 300)}`);
  expect(lines.length === 1 && !/unexpected error|Maximum call stack/.test(lines[0]), `printed: ${result.stderr.slice(0, 300)}`);
  if (field) expect(lines[0].includes(field), `does not name ${field}: ${lines[0].slice(0, 300)}`);
  expect(result.seconds <= within, `took ${result.seconds.toFixed(1)} s (limit ${within} s)`);
}

/** Item 6: what --space and --config read. */
async function hostileFiles({ dir, full }) {
  const row = new CaseResult('adversary: --space and --config given /dev/zero, a FIFO, a folder, a 50 MB file, a 50,000-value list', 'each refused with exit 2 and one line naming the flag and the file, within 5 s (memory bounded: 8 MiB read at most); a 6 MB space of 1,000 discrete parameters of 1,000 values is checked in under 5 s');
  const fifo = join(dir, 'space.fifo');
  await runProcess('mkfifo', [fifo]);
  // 50 MB of valid JSON at full size (before the fix, hptune never finished checking it); sparse at CI size: the size alone must refuse it.
  const huge = join(dir, 'huge.json');
  if (full) writeFileSync(huge, JSON.stringify({ version: 1, parameters: { x: { kind: 'categorical', values: Array.from({ length: 3_000_000 }, (_, index) => `value-${index}`) } } }));
  else {
    writeFileSync(huge, '{"version": 1, "parameters": {');
    truncateSync(huge, 50_000_000);
  }
  const wide = join(dir, 'wide.json');
  writeFileSync(wide, JSON.stringify({ version: 1, parameters: { x: { kind: 'categorical', values: Array.from({ length: 50_000 }, (_, index) => `v${index}`) } } }));
  // Each in its own process: before the fix, these never ended.
  const cases = [
    ['--space /dev/zero', ['--space', '/dev/zero'], '--space'],
    ['--config a FIFO', ['--config', fifo], '--config'],
    ...(full
      ? [
          ['--space a 50 MB file', ['--space', huge], '--space'],
          ['--config /dev/zero', ['--config', '/dev/zero'], '--config'],
          ['--space a FIFO', ['--space', fifo], '--space'],
          ['--space a folder', ['--space', dir], '--space'],
        ]
      : []),
  ];
  for (const [label, args, field] of cases) {
    await row.attempt(label, async () => {
      const { problems, expect } = problemList();
      const result = await hptuneWithin(['study', 'run', '--study-dir', join(dir, 'studies'), '--metric', 'accuracy', ...args, '--', process.execPath, '-e', '0'], { cwd: dir, seconds: 20 });
      expectRefusal(result, expect, { field, within: 10 });
      return problems;
    });
  }
  if (!full) {
    await row.attempt('--space a 50 MB file (sparse)', async () => {
      const { problems, expect } = problemList();
      const result = await hptuneInProcess(['study', 'run', '--study-dir', join(dir, 'studies'), '--metric', 'accuracy', '--space', huge, '--', process.execPath, '-e', '0'], { cwd: dir });
      expectRefusal(result, expect, { field: '--space', within: 5 });
      expect(/50000000 bytes, more than the 8388608 bytes/.test(result.stderr), `no size limit stated: ${result.stderr.slice(0, 200)}`);
      return problems;
    });
  }
  await row.attempt('--space a categorical of 50,000 values', async () => {
    const { problems, expect } = problemList();
    const result = await hptuneInProcess(['study', 'run', '--study-dir', join(dir, 'studies'), '--metric', 'accuracy', '--space', wide, '--', process.execPath, '-e', '0'], { cwd: dir });
    expectRefusal(result, expect, { field: 'values', within: 5 });
    return problems;
  });
  await row.attempt('a 6 MB space at the limits, one bad value at its very end', async () => {
    const { problems, expect } = problemList();
    const parameters = {};
    for (let index = 0; index < 1000; index++) parameters[`p${index}`] = { kind: 'discrete', values: Array.from({ length: 1000 }, (_, value) => value * 7 + (index % 7)) };
    parameters.p999.values[999] = parameters.p999.values[0];
    const file = join(dir, 'limits.json');
    writeFileSync(file, JSON.stringify({ version: 1, parameters }));
    const result = await hptuneInProcess(['study', 'run', '--study-dir', join(dir, 'studies'), '--metric', 'accuracy', '--space', file, '--', process.execPath, '-e', '0'], { cwd: dir });
    expectRefusal(result, expect, { field: 'parameters.p999.values[999]', within: 5 });
    return problems;
  });
  return row;
}

/** Item 7: spaces too large or too deep, refused up front; one at the limits runs. */
async function hugeSpaces({ core, dir, full }) {
  const row = new CaseResult('adversary: 10,000 parameters, conditions 2,000 deep, arrays 200,000 deep', 'refused up front (exit 2, one line naming the limit; a ValidationError from code), no "Maximum call stack" or "unexpected error", nothing stored; a grid of 1,000 parameters (the limit) runs');
  const manyParameters = {};
  for (let index = 0; index < 10_000; index++) manyParameters[`p${index}`] = { kind: 'discrete', values: [1, 2], scale: 'linear' };
  // Written as text: JSON.stringify itself overflows the stack on a value this deep.
  const opening = [];
  for (let level = 0; level < 2000; level++) opening.push(`{"kind":"categorical","values":["a"],"conditions":[{"parentValues":["a"],"parameters":{"c${level}":`);
  const deepConditions = `${opening.join('')}{"kind":"categorical","values":["a"]}${'}}]}'.repeat(2000)}`;
  const files = {
    '10,000 parameters': JSON.stringify({ version: 1, parameters: manyParameters }),
    'conditions 2,000 deep': `{"version":1,"parameters":{"root":${deepConditions}}}`,
    'arrays 200,000 deep': `{"version":1,"parameters":{"x":{"kind":"categorical","values":${'['.repeat(200_000)}${']'.repeat(200_000)}}}}`,
  };
  for (const [label, text] of Object.entries(files)) {
    const file = join(dir, `${label.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    await row.attempt(`hptune study run --space (${label})`, async () => {
      const { problems, expect } = problemList();
      const studyDir = join(dir, 'cli-studies');
      const result = await hptuneInProcess(['study', 'run', '--study-dir', studyDir, '--algorithm', 'grid', '--metric', 'accuracy', '--space', file, '--', process.execPath, FAULTY_TRAINER], { cwd: dir });
      expectRefusal(result, expect, { within: 10 });
      expect(!existsSync(studyDir), 'a store was created');
      return problems;
    });
    if (label.startsWith('arrays') || !full) continue;
    await row.attempt(`launchStudy (${label})`, async () => {
      const { problems, expect } = problemList();
      const studyDir = join(dir, 'sdk-studies');
      try {
        const handle = await core.launchStudy({ name: 'huge', space: core.searchSpaceFromJSON(text), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', maxTrials: 1, trainer: { command: process.execPath, args: [FAULTY_TRAINER] }, studyDir, backend: core.local({ pollIntervalMs: 20 }) });
        await handle.wait().catch(() => undefined);
        expect(false, 'was accepted');
      } catch (error) {
        expect(error instanceof core.ValidationError && !/call stack/.test(error.message), `threw ${error?.name} ${error?.code}: ${String(error?.message).slice(0, 200)}`);
      }
      expect(!existsSync(studyDir), 'a store was created');
      return problems;
    });
  }
  await row.attempt('a grid over 1,000 parameters (the limit), 2 trials', async () => {
    const { problems, expect } = problemList();
    const specs = {};
    for (let index = 0; index < 1000; index++) specs[`p${index}`] = core.discrete([1, 2]);
    const handle = await core.launchStudy({ name: 'at-limit', space: core.searchSpace(specs), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', maxTrials: 2, parallelTrials: 2, trainer: { command: process.execPath, args: [FAULTY_TRAINER] }, studyDir: join(dir, 'limit'), backend: core.local({ pollIntervalMs: 20 }) });
    const result = await handle.wait().catch((error) => ({ error }));
    expect(!result.error && result.trials.filter((trial) => trial.state === 'SUCCEEDED').length === 2, `ended: ${result.error?.message ?? result.trials.map((trial) => trial.state).join(', ')}`);
    return problems;
  });
  return row;
}

/** Item 11: a NUL byte in a value. */
async function nulValues({ core, dir }) {
  const row = new CaseResult('adversary: a NUL byte in a categorical value, a trainer argument, an environment value', 'refused in validation (ValidationError, exit 2) naming the field; nothing stored, no trial run');
  const trainer = { command: process.execPath, args: [FAULTY_TRAINER] };
  let round = 0;
  const launch = (overrides) => core.launchStudy({ name: 'nul', space: core.searchSpace({ x: core.discrete([1]) }), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', trainer, studyDir: join(dir, `studies-${round}`), backend: core.local({}), ...overrides });
  const cases = [
    ['categorical value', 'values[1]', () => launch({ space: core.searchSpaceFromJSON({ version: 1, parameters: { act: { kind: 'categorical', values: ['relu', 'soft\u0000max'] } } }) })],
    ['trainer argument', 'trainer.args[1]', () => launch({ trainer: { ...trainer, args: [FAULTY_TRAINER, 'a\u0000b'] } })],
    ['trainer environment value', 'trainer.env.MODE', () => launch({ trainer: { ...trainer, env: { MODE: 'x\u0000' } } })],
  ];
  for (const [label, field, call] of cases) {
    round += 1;
    await row.attempt(label, async () => {
      const { problems, expect } = problemList();
      try {
        const handle = await call();
        const result = await handle.wait().catch((error) => ({ error }));
        expect(false, `was accepted: ${result.error?.message ?? result.trials?.map((trial) => `${trial.state} ${trial.failure?.reason ?? ''}`).join('; ')}`);
      } catch (error) {
        expect(error instanceof core.ValidationError && error.message.includes(field) && /NUL/.test(error.message), `threw ${error?.name}: ${error?.message}`);
      }
      expect(!existsSync(join(dir, `studies-${round}`)), 'something was stored');
      return problems;
    });
  }
  await row.attempt('hptune study run --space with a NUL in a categorical value', async () => {
    const { problems, expect } = problemList();
    const file = join(dir, 'nul.json');
    writeFileSync(file, JSON.stringify({ version: 1, parameters: { act: { kind: 'categorical', values: ['relu', 'soft\u0000max'] } } }));
    expectRefusal(await hptuneInProcess(['study', 'run', '--study-dir', join(dir, 'cli'), '--metric', 'accuracy', '--space', file, '--', process.execPath, FAULTY_TRAINER], { cwd: dir }), expect, { field: 'parameters.act.values[1]', within: 10 });
    expect(!existsSync(join(dir, 'cli')), 'something was stored');
    return problems;
  });
  return row;
}

/** Item 12: study-file wording, a bad trainer.env value, --host ::ffff:127.0.0.1. */
async function wording({ dir }) {
  const row = new CaseResult('adversary: wording of study-file errors, quoted values, trainer.env, --host ::ffff:127.0.0.1', "study-file errors name the file's fields (never flags) and suggest the field; quoted values are shown as given; a bad trainer.env value is shown as JSON, never [object Object]; ::ffff:127.0.0.1 is loopback (no warning, Host check on)");
  const study = (name, body) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify({ space: { version: 1, parameters: { x: { kind: 'discrete', values: [1] } } }, metric: { id: 'accuracy' }, ...body }));
    return file;
  };
  const studyDir = join(dir, 'studies');
  const refusal = async (label, args, check) => {
    await row.attempt(label, async () => {
      const { problems, expect } = problemList();
      const result = await hptuneInProcess(args, { cwd: dir });
      expect(result.code === 2 || result.code === 1, `exit ${result.code}`);
      check(result.stderr.trim(), expect);
      return problems;
    });
  };
  await refusal('a study file with "--max-trial-count": 20', ['study', 'run', '--study-dir', studyDir, '--config', study('flag.json', { '--max-trial-count': 20 })], (line, expect) => {
    expect(line.includes('flag.json: --max-trial-count 20 is not a field of a study file') && line.includes('"maxTrials": 20'), `said: ${line}`);
  });
  await refusal('a study file with "maxTrials": 0', ['study', 'run', '--study-dir', studyDir, '--config', study('zero.json', { maxTrials: 0 })], (line, expect) => {
    expect(line.includes('zero.json: maxTrials 0') && line.includes('"maxTrials": 20') && !line.includes('--max-trial-count'), `said: ${line}`);
  });
  await refusal('a study named "maxTrials" that does not exist', ['study', 'show', 'maxTrials', '--study-dir', studyDir], (line, expect) => {
    expect(line.includes('"maxTrials"') && !line.includes('"--max-trial-count"'), `said: ${line}`);
  });
  await refusal('a study file with a trainer.env value that is an object', ['study', 'run', '--study-dir', studyDir, '--config', study('env.json', { trainer: { command: process.execPath, env: { MODE: { fast: true } } } })], (line, expect) => {
    expect(line.includes('trainer.env.MODE {"fast":true}') && !line.includes('[object Object]'), `said: ${line}`);
  });
  await row.attempt('hptune dashboard --host ::ffff:127.0.0.1', async () => {
    const { problems, expect } = problemList();
    const report = await import(pathToFileURL(join(ROOT, 'packages', 'report', 'dist', 'index.js')).href);
    for (const host of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:0:0:1', '[::1]']) expect(report.isLoopbackHost(host), `${host} is not loopback`);
    for (const host of ['::ffff:10.0.0.1', '0.0.0.0', '::', 'example.com']) expect(!report.isLoopbackHost(host), `${host} is loopback`);
    let dashboard;
    try {
      dashboard = await report.startDashboard({ studyDir, host: '::ffff:127.0.0.1', port: 0 });
    } catch (error) {
      // A machine without IPv6 cannot bind it; the address check above still ran.
      expect(/EAFNOSUPPORT|EADDRNOTAVAIL/.test(String(error?.message)), `the dashboard did not start: ${error?.message}`);
    }
    if (dashboard) {
      const { request } = await import('node:http');
      const status = await new Promise((resolve) => {
        const req = request(dashboard.url, { headers: { host: 'attacker.example' } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        req.on('error', (error) => resolve(error.code));
        req.end();
      });
      expect(status === 403, `a request with Host: attacker.example got ${status}`);
      await dashboard.close();
    }
    return problems;
  });
  return row;
}

/** Item 8: --force-unlock against a live coordinator on this host. */
async function forceUnlock({ core, dir }) {
  const row = new CaseResult('adversary: hptune study resume --force-unlock while the coordinator runs on this host', 'refused (STUDY_LOCKED, exit 1) naming the live pid; the holder finishes alone, each combination once');
  const studyDir = join(dir, 'studies');
  const holder = startCoordinator('launch', {
    name: 'held', space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3]) })), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 1,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=2', '--sleep-ms=150'] }, studyDir, backend: { pollIntervalMs: 20 },
  });
  await row.attempt('--force-unlock', async () => {
    const { problems, expect } = problemList();
    await waitFor(() => holder.output().includes('"launched"'));
    const result = await hptuneInProcess(['study', 'resume', 'held', '--force-unlock', '--study-dir', studyDir], { cwd: dir });
    expect(result.code === 1 && /live coordinator on this host \(pid \d+/.test(result.stderr), `exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
    const ended = await holder.exited;
    expect(/"state":"COMPLETED"/.test(ended.stdout), `the holder: ${ended.stdout.trim().split('\n').at(-1)} ${ended.stderr.slice(0, 200)}`);
    const xs = core.openStudy('held', { studyDir }).trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort();
    expect(JSON.stringify(xs) === '[1,2,3]', `succeeded: ${JSON.stringify(xs)}; ${core.openStudy('held', { studyDir }).trials.map((trial) => `${trial.id} ${trial.state} ${trial.failure?.reason ?? ''}`).join('; ')}`);
    return problems;
  });
  return row;
}

/** Item 9: SIGHUP to hptune study run, as a closed terminal sends it. */
async function hangup({ core, dir }) {
  const row = new CaseResult('adversary: SIGHUP to hptune study run (a closed terminal)', 'treated as the first Ctrl-C: the running trials finish and are recorded SUCCEEDED, no new one starts, exit 129, the study CANCELLED; study resume completes each combination once');
  const studyDir = join(dir, 'studies');
  const spaceFile = join(dir, 'space.json');
  writeFileSync(spaceFile, JSON.stringify(core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3, 4, 5, 6]) }))));
  await row.attempt('SIGHUP while 2 trials run', async () => {
    const { problems, expect } = problemList();
    const child = spawn(process.execPath, [CLI_BIN, 'study', 'run', '--name', 'hup', '--study-dir', studyDir, '--space', spaceFile, '--metric', 'accuracy', '--max-parallel-trial-count', '2', '--', process.execPath, FAULTY_TRAINER, '--epochs=3', '--sleep-ms=200'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const running = await waitFor(() => {
      try {
        return core.openStudy('hup', { studyDir }).trials.filter((trial) => trial.state === 'ACTIVE').length === 2;
      } catch {
        return false;
      }
    });
    expect(running, 'no two trials ran');
    child.kill('SIGHUP');
    const { code, signal } = await exited;
    expect(code === 129, `exit ${code} ${signal ?? ''}: ${stderr.slice(-300)}`);
    expect(/terminal closed \(SIGHUP\)/.test(stderr), `said: ${stderr.slice(-300)}`);
    const stored = core.openStudy('hup', { studyDir });
    expect(stored.study.state === 'CANCELLED', `state ${stored.study.state}`);
    expect(stored.trials.length === 2 && stored.trials.every((trial) => trial.state === 'SUCCEEDED'), `trials: ${stored.trials.map((trial) => `${trial.id} ${trial.state}`).join(', ')}`);
    const resumed = await hptuneWithin(['study', 'resume', 'hup', '--study-dir', studyDir], { cwd: dir, seconds: 60 });
    expect(resumed.code === 0, `resume exit ${resumed.code}: ${resumed.stderr.slice(0, 200)}`);
    const xs = core.openStudy('hup', { studyDir }).trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort();
    expect(JSON.stringify(xs) === '[1,2,3,4,5,6]', `succeeded after resume: ${JSON.stringify(xs)}`);
    return problems;
  });
  return row;
}

/** Item 4: hptune.db deleted, truncated, or gone with its -wal left, while a study runs. */
async function lostStore({ core, dir }) {
  const row = new CaseResult('adversary: hptune.db deleted or truncated mid-study; a new store over an orphaned -wal', 'the coordinator stops with STORE_REPLACED (non-zero exit), what it recorded saved beside the store and readable; hptune study run refuses to create a store over a left -wal/-shm (exit 1), which stay byte for byte');
  const launch = (name, studyDir) => ({
    name, space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3, 4, 5, 6]) })), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 2,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=3', '--sleep-ms=100'] }, studyDir, backend: { pollIntervalMs: 20, stopGracePeriodSeconds: 0.3 },
  });
  const finishedOne = (studyDir, name) => waitFor(() => {
    try {
      return core.openStudy(name, { studyDir }).trials.some((trial) => trial.state === 'SUCCEEDED');
    } catch {
      return false;
    }
  });
  for (const [label, damage] of [
    ['deleted', (file) => rmSync(file)],
    ['truncated to half', (file) => truncateSync(file, Math.floor(statSync(file).size / 2))],
  ]) {
    await row.attempt(label, async () => {
      const { problems, expect } = problemList();
      const studyDir = join(dir, label.replace(/\W+/g, '-'));
      const coordinator = startCoordinator('launch', launch('lost', studyDir));
      expect(await finishedOne(studyDir, 'lost'), 'no trial finished');
      const file = join(studyDir, core.STUDY_STORE_FILE);
      damage(file);
      const ended = await coordinator.exited;
      const end = ended.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)).at(-1);
      expect(ended.code !== 0 && end?.event === 'error' && end.code === 'STORE_REPLACED', `ended: exit ${ended.code} ${JSON.stringify(end)}`);
      const saved = readdirSync(studyDir).find((name) => name.startsWith(`${core.STUDY_STORE_FILE}.salvaged-`));
      if (expect(saved !== undefined && end?.message?.includes(saved), `no salvaged copy named: ${readdirSync(studyDir).join(', ')}; ${end?.message}`) && label === 'deleted') {
        const restored = join(dir, `restored-${label}`);
        mkdirSync(restored);
        renameSync(join(studyDir, saved), join(restored, core.STUDY_STORE_FILE));
        const trials = core.openStudy('lost', { studyDir: restored }).trials;
        expect(trials.some((trial) => trial.state === 'SUCCEEDED'), `the salvaged store: ${trials.map((trial) => trial.state).join(', ')}`);
      }
      return problems;
    });
  }
  await row.attempt('hptune study run where only hptune.db-wal and -shm are left', async () => {
    const { problems, expect } = problemList();
    const studyDir = join(dir, 'orphan');
    const coordinator = startCoordinator('launch', launch('orphan', studyDir));
    expect(await finishedOne(studyDir, 'orphan'), 'no trial finished');
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    const file = join(studyDir, core.STUDY_STORE_FILE);
    rmSync(file);
    const before = ['-wal', '-shm'].map((suffix) => (existsSync(file + suffix) ? readFileSync(file + suffix).toString('base64') : undefined));
    expect(before[0] !== undefined, 'the killed coordinator left no -wal');
    const result = await hptuneInProcess(['study', 'run', '--name', 'fresh', '--study-dir', studyDir, '--metric', 'accuracy', '--space', join(dir, 'space.json'), '--', process.execPath, FAULTY_TRAINER], { cwd: dir });
    expect(result.code === 1 && /left from it and may hold recorded studies/.test(result.stderr), `exit ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
    const after = ['-wal', '-shm'].map((suffix) => (existsSync(file + suffix) ? readFileSync(file + suffix).toString('base64') : undefined));
    expect(JSON.stringify(after) === JSON.stringify(before) && !existsSync(file), 'the -wal/-shm files changed, or a store was created');
    return problems;
  });
  return row;
}

/** Item 10: the study folder denies access for a moment (chmod 000 while the coordinator runs as an unprivileged user). */
async function deniedFolder({ core, dir }) {
  const row = new CaseResult('adversary: the study folder made unreadable (chmod 000) for 1.5 s as a trial ends', 'the coordinator (an unprivileged user) retries: no trial is charged as failed, the study COMPLETES, each combination SUCCEEDED once');
  if (process.getuid?.() !== 0) {
    row.checked = 'not run: needs root, to run the coordinator as another user (root reads through chmod 000)';
    return row;
  }
  const nobody = 65534;
  chmodSync(dir, 0o755);
  for (let up = dir; up !== '/' && up.startsWith('/tmp/'); up = join(up, '..')) chmodSync(up, 0o755);
  const studyDir = join(dir, 'studies');
  mkdirSync(studyDir);
  await runProcess('chown', ['-R', `${nobody}:${nobody}`, studyDir]);
  await row.attempt('chmod 000 of the study folder while trial 1 ends', async () => {
    const { problems, expect } = problemList();
    const options = {
      name: 'denied', space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3]) })), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 1,
      trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=2', '--sleep-ms=50', '--fault=linger:400'] }, studyDir, backend: { pollIntervalMs: 20 },
    };
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'faults', 'lib', 'coordinator.mjs'), 'launch', JSON.stringify(options)], { uid: nobody, gid: nobody, cwd: studyDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    const folder = join(studyDir, 'denied');
    // Trial 1 has reported both epochs and lingers: deny the folder until after it exits.
    const reported = await waitFor(() => {
      try {
        return core.openStudy('denied', { studyDir }).trials.find((trial) => trial.id === '1')?.measurements.length === 2;
      } catch {
        return false;
      }
    });
    expect(reported, `trial 1 never reported both epochs within 20 s (coordinator exit ${child.exitCode ?? 'none yet'}): ${stderr.slice(0, 400)} ${stdout.slice(-400)}`);
    if (!reported) {
      // Say why, rather than failing on a folder the coordinator never made.
      child.kill('SIGKILL');
      await exited;
      return problems;
    }
    chmodSync(folder, 0o000);
    await sleep(1500);
    chmodSync(folder, 0o755);
    await exited;
    const end = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)).at(-1);
    expect(end?.state === 'COMPLETED', `ended: ${JSON.stringify(end)} ${stderr.slice(0, 200)}`);
    const trials = core.openStudy('denied', { studyDir }).trials;
    expect(!trials.some((trial) => trial.state === 'INFEASIBLE' && trial.failure?.kind !== 'interrupted'), `charged: ${trials.map((trial) => `${trial.id} ${trial.state} ${trial.failure?.reason ?? ''}`).join('; ')}`);
    const xs = trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort();
    expect(JSON.stringify(xs) === '[1,2,3]', `succeeded: ${JSON.stringify(xs)}`);
    return problems;
  });
  return row;
}

/** `{ rss, cpu, fds }` of a process from /proc: RSS in bytes, CPU (user + system) in seconds, open file descriptors. */
function processUse(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / 100;
  return { rss, cpu, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Opens an event stream that is read (`reading`) or never read (a paused socket); `close()` ends it. */
async function eventClient(url, { reading }) {
  const { connect } = await import('node:net');
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
  let received = 0;
  let status;
  socket.on('data', (chunk) => {
    status ??= Number(/^HTTP\/1\.1 (\d+)/.exec(chunk.toString('latin1'))?.[1]);
    received += chunk.length;
  });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  if (!reading) socket.pause();
  return { status: () => status, received: () => received, closed: () => socket.destroyed || socket.readableEnded, close: () => socket.destroy() };
}

/** Item 5: the dashboard with many study names, a finished study watched, slow pages. */
async function dashboardLoad({ core, dir, full }) {
  const row = new CaseResult('adversary: the dashboard: 40 distinct ?study= pages, a finished study of 2,400 measurements watched, pages that never read', 'pollers shared and capped (the 33rd distinct study refused with 503, the 65th page too); watching a finished study costs under 0.1 s of CPU in 2 s of 50 ms polls; full size: 5 pages that never read during a running study grow RSS under 50 MB');
  const report = await import(pathToFileURL(join(ROOT, 'packages', 'report', 'dist', 'index.js')).href);
  const studyDir = join(dir, 'studies');
  // Each trial copies a prepared metric file of 200 reports: 2,400 measurements in a few seconds.
  const metrics = join(dir, 'metrics.txt');
  writeFileSync(metrics, Array.from({ length: 200 }, (_, step) => JSON.stringify({ accuracy: String(step / 200), global_step: String(step + 1), timestamp: Date.now() / 1000 + step })).join('\n') + '\n');
  const finished = await core.launchStudy({
    name: 'finished', space: core.searchSpace({ x: core.discrete(Array.from({ length: 12 }, (_, index) => index + 1)) }), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 4,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, `--fault=metric-file:${metrics}`] }, studyDir, backend: core.local({ pollIntervalMs: 50 }),
  });
  await finished.wait();
  const dashboard = await report.startDashboard({ studyDir, port: 0, pollIntervalMs: 50 });
  try {
    await row.attempt('a finished study watched for 2 s', async () => {
      const { problems, expect } = problemList();
      const viewer = await eventClient(`${dashboard.url}api/events?study=finished`, { reading: true });
      await waitFor(() => viewer.received() > 100_000, { timeoutMs: 10_000 });
      await sleep(200);
      const before = process.cpuUsage();
      await sleep(2000);
      const used = process.cpuUsage(before);
      const seconds = (used.user + used.system) / 1e6;
      expect(seconds < 0.1, `used ${seconds.toFixed(2)} s of CPU`);
      viewer.close();
      return problems;
    });
    await row.attempt('40 distinct ?study= names, then 40 more pages of one of them', async () => {
      const { problems, expect } = problemList();
      const clients = [];
      for (let index = 0; index < 40; index++) clients.push(await eventClient(`${dashboard.url}api/events?study=absent-${index}`, { reading: true }));
      await waitFor(() => clients.every((client) => client.status() !== undefined), { timeoutMs: 10_000 });
      const refused = clients.filter((client) => client.status() === 503).length;
      expect(refused === 8, `${refused} of 40 distinct studies refused (expected the 8 past 32)`);
      for (let index = 0; index < 40; index++) clients.push(await eventClient(`${dashboard.url}api/events?study=absent-0`, { reading: true }));
      await waitFor(() => clients.every((client) => client.status() !== undefined), { timeoutMs: 10_000 });
      const served = clients.filter((client) => client.status() === 200).length;
      expect(served === 64, `${served} pages served at once (expected 64)`);
      for (const client of clients) client.close();
      return problems;
    });
  } finally {
    await dashboard.close();
  }
  if (!full) return row;
  await row.attempt('5 pages that never read, during a study of 200 trials of 20 epochs', async () => {
    const { problems, expect } = problemList();
    const coordinator = startCoordinator('launch', {
      name: 'busy', space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete(Array.from({ length: 200 }, (_, index) => index + 1)) })), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 4,
      trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=20', '--sleep-ms=0'] }, studyDir, backend: { pollIntervalMs: 50 },
    });
    const child = spawn(process.execPath, [CLI_BIN, 'dashboard', '--study-dir', studyDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const url = await waitFor(() => /http:\/\/\S+/.exec(out)?.[0], { timeoutMs: 20_000 });
    const start = processUse(child.pid).rss;
    const slow = [];
    for (let index = 0; index < 5; index++) slow.push(await eventClient(`${url}api/events?study=busy`, { reading: false }));
    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, processUse(child.pid).rss)), 250);
    await coordinator.exited;
    await sleep(3000);
    clearInterval(sampler);
    expect(peak - start < 50 * 1024 * 1024, `dashboard RSS grew ${((peak - start) / 1024 / 1024).toFixed(0)} MB`);
    for (const client of slow) client.close();
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('close', resolve));
    row.checked += ` (this run: +${((peak - start) / 1024 / 1024).toFixed(0)} MB)`;
    return problems;
  });
  return row;
}

/** The soak (full size only): 2,000 trials, 4 at once, with the dashboard open. */
async function soak({ core, dir }) {
  const row = new CaseResult('adversary: soak: 2,000 trials of a stand-in trainer, 4 at once, the dashboard open', 'coordinator and dashboard RSS flat within 50 MB after warm-up (the first 200 trials); no file descriptor growth; all 2,000 recorded once');
  const studyDir = join(dir, 'studies');
  await row.attempt('2,000 trials', async () => {
    const { problems, expect } = problemList();
    const coordinator = startCoordinator('launch', {
      name: 'soak', space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete(Array.from({ length: 1000 }, (_, index) => index + 1)), y: core.discrete([1, 2]) })), metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid', parallelTrials: 4,
      trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=2', '--sleep-ms=1'] }, studyDir, backend: { pollIntervalMs: 100 },
    });
    await waitFor(() => coordinator.output().includes('"launched"'), { timeoutMs: 30_000 });
    const dashboardChild = spawn(process.execPath, [CLI_BIN, 'dashboard', '--study-dir', studyDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dashboardChild.stdout.on('data', (chunk) => (out += chunk));
    const url = await waitFor(() => /http:\/\/\S+/.exec(out)?.[0], { timeoutMs: 20_000 });
    const viewer = await eventClient(`${url}api/events?study=soak`, { reading: true });
    const samples = [];
    const count = () => {
      try {
        return core.listStudies({ studyDir })[0]?.counts.total ?? 0;
      } catch {
        return 0;
      }
    };
    const sampler = setInterval(() => {
      try {
        samples.push({ trials: count(), coordinator: processUse(coordinator.child.pid), dashboard: processUse(dashboardChild.pid) });
      } catch {
        // The coordinator has exited.
      }
    }, 2000);
    const ended = await coordinator.exited;
    clearInterval(sampler);
    viewer.close();
    dashboardChild.kill('SIGINT');
    await new Promise((resolve) => dashboardChild.on('close', resolve));
    expect(/"state":"COMPLETED"/.test(ended.stdout), `the study: ${ended.stdout.trim().split('\n').at(-1)} ${ended.stderr.slice(0, 200)}`);
    const trials = core.openStudy('soak', { studyDir }).trials;
    const keys = new Set(trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => `${trial.parameters.x}/${trial.parameters.y}`));
    expect(trials.length === 2000 && keys.size === 2000, `${trials.length} trials, ${keys.size} distinct combinations succeeded`);
    const warm = samples.filter((sample) => sample.trials >= 200);
    const spread = (pick) => Math.max(...warm.map(pick)) - Math.min(...warm.map(pick));
    const figures = {
      coordinatorRss: spread((sample) => sample.coordinator.rss) / 1024 / 1024,
      dashboardRss: spread((sample) => sample.dashboard.rss) / 1024 / 1024,
      coordinatorFds: warm.length ? warm.at(-1).coordinator.fds - warm[0].coordinator.fds : 0,
      dashboardFds: warm.length ? warm.at(-1).dashboard.fds - warm[0].dashboard.fds : 0,
    };
    expect(warm.length >= 3, `only ${warm.length} samples after warm-up`);
    expect(figures.coordinatorRss < 50 && figures.dashboardRss < 50, `RSS spread after warm-up: coordinator ${figures.coordinatorRss.toFixed(0)} MB, dashboard ${figures.dashboardRss.toFixed(0)} MB`);
    expect(figures.coordinatorFds <= 4 && figures.dashboardFds <= 4, `fds grew: coordinator ${figures.coordinatorFds}, dashboard ${figures.dashboardFds}`);
    row.checked += ` (this run: RSS spread coordinator ${figures.coordinatorRss.toFixed(0)} MB, dashboard ${figures.dashboardRss.toFixed(0)} MB; fds ${figures.coordinatorFds >= 0 ? '+' : ''}${figures.coordinatorFds} / ${figures.dashboardFds >= 0 ? '+' : ''}${figures.dashboardFds}; ${samples.length} samples)`;
    return problems;
  });
  return row;
}

export async function run({ full, random }) {
  const core = { ...(await importCore()), ...(await importCore('local')) };
  const dir = scratchDir('adversary');
  const rows = [];
  const section = (name) => {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    return { core, dir: folder, full, random };
  };
  const timed = async (label, body) => {
    const started = performance.now();
    const result = await body();
    if (process.env.HPTUNE_FAULTS_TIMINGS) console.error(`adversary: ${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  rows.push(await timed('timeout', () => longTimeout(section('timeout'))));
  rows.push(await timed('children', () => leftChildren(section('children'))));
  rows.push(await timed('files', () => hostileFiles(section('files'))));
  rows.push(await timed('spaces', () => hugeSpaces(section('spaces'))));
  rows.push(await timed('nul', () => nulValues(section('nul'))));
  rows.push(await timed('wording', () => wording(section('wording'))));
  rows.push(await timed('force-unlock', () => forceUnlock(section('force-unlock'))));
  rows.push(await timed('hangup', () => hangup(section('hangup'))));
  rows.push(await timed('store', async () => {
    const context = section('store');
    writeFileSync(join(context.dir, 'space.json'), JSON.stringify(core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2]) }))));
    return lostStore(context);
  }));
  rows.push(await timed('denied', () => deniedFolder(section('denied'))));
  rows.push(await timed('dashboard', () => dashboardLoad(section('dashboard'))));
  if (full) rows.push(await timed('soak', () => soak(section('soak'))));
  return rows;
}
