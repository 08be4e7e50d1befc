import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { local } from './backend.js';
import { discrete, searchSpace } from '../../space/builder.js';
import { combinationKey, enumerateGrid } from '../../space/grid.js';
import { searchSpaceToJSON } from '../../space/json.js';
import { processLiveness } from './liveness.js';
import { resumeStudy } from '../../launch.js';
import { listStudies, openStudy, type StoredStudy } from './open.js';
import type { FrozenTrial } from '../../study/types.js';
import { readTrialCompletion } from '@hptune/trial';

// The coordinator runs in its own process, from core built into a scratch folder (inside the
// package, so its dependencies resolve), and the test kills it with SIGKILL.
const CORE = fileURLToPath(new URL('../../..', import.meta.url));
const TSUP = fileURLToPath(new URL('../../../../../node_modules/.bin/tsup', import.meta.url));
const COORDINATOR = join(CORE, 'test/fixtures/study/coordinator.mjs');
const FAKE_TRAINER = join(CORE, 'test/fixtures/study/fake-trainer.mjs');
const HOSTED_TRAINER = join(CORE, 'test/fixtures/study/hosted-trainer.mjs');
const build = join(CORE, 'node_modules/.cache', `hptune-resume-test-${process.pid}`);
const root = mkdtempSync(join(tmpdir(), 'hptune-resume-'));
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(TSUP, ['src/index.ts', '--no-config', '--format', 'esm', '--platform', 'node', '--target', 'node20', '--out-dir', build, '--silent'], {
    cwd: CORE,
    stdio: 'pipe',
  });
}, 60_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // Trainer processes a killed coordinator left behind.
  for (const file of ['trainers.log', 'deaf.log', 'adopt-timeout.log', 'adopt-running.log', 'adopt-finished.log', 'adopt-incomplete.log', 'unrecorded.log', 'adopt-host.log']) {
    for (const { pid } of trainerLog(join(root, file))) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  }
  rmSync(build, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

const space = searchSpace({ a: discrete([1, 2, 3]), b: discrete([10, 20, 30, 40]) });
const studyDir = join(root, 'studies');
const backend = { pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 };

function coordinator(mode: 'launch' | 'resume', options: object): ChildProcess {
  const child = spawn(process.execPath, [COORDINATOR, join(build, 'index.js'), mode, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Polls the stored study (as a reader, no lease) until `condition` holds; at most 20 s. */
async function waitForStudy(name: string, condition: (study: StoredStudy) => boolean): Promise<StoredStudy> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (existsSync(join(studyDir, 'hptune.db'))) {
      try {
        const study = openStudy(name, { studyDir });
        if (condition(study)) return study;
      } catch (error) {
        if (!(error instanceof Error && /no study/.test(error.message))) throw error;
      }
    }
    if (Date.now() > deadline) throw new Error(`study ${name} did not reach the expected point within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const count = (trials: readonly FrozenTrial[], state: FrozenTrial['state']) => trials.filter((trial) => trial.state === state).length;

/** A line of the fake trainer's `--log` file. */
interface LogEntry {
  readonly event: 'start' | 'end';
  /** The trial id the trainer was given (`CLOUD_ML_TRIAL_ID`). */
  readonly trial: string;
  readonly pid: number;
  readonly parameters: Readonly<Record<string, string>>;
}

function trainerLog(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogEntry);
}

/** The trial parameters a trainer was given, as the study has them (numbers for the discrete ones). */
const parametersOf = (entry: LogEntry) => Object.fromEntries(Object.entries(entry.parameters).map(([id, value]) => [id, Number.isFinite(Number(value)) ? Number(value) : value]));

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A study of two grid trials, one at a time: trial 1 is x = 1. */
const twoTrials = (name: string) => ({
  name,
  space: searchSpaceToJSON(searchSpace({ x: discrete([1, 2]) })),
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  parallelTrials: 1,
  studyDir,
  backend,
});

/** Launches {@link twoTrials} in a coordinator process, the fake trainer given `flags` and logging to `<name>.log`. */
function launchTwoTrials(name: string, flags: readonly string[]): { child: ChildProcess; log: string } {
  const log = join(root, `${name}.log`);
  const child = coordinator('launch', { ...twoTrials(name), trainer: { command: process.execPath, args: [FAKE_TRAINER, ...flags, `--log=${log}`] } });
  return { child, log };
}

describe('resuming after the coordinator is killed with SIGKILL', () => {
  it('finishes the study: each grid combination succeeds exactly once, the trainers left running adopted, nothing recorded lost', async () => {
    const name = 'killed';
    const snapshots: StoredStudy[] = [];
    coordinator('launch', {
      name,
      space: searchSpaceToJSON(space),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 2,
      trainer: { command: process.execPath, args: [FAKE_TRAINER, '--epochs=4', '--sleep-ms=70', `--log=${join(root, 'trainers.log')}`] },
      studyDir,
      backend,
    });
    const points: Array<(study: StoredStudy) => boolean> = [
      // Before any trial is done: a trial is running and has measured something.
      (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0),
      // Mid-way.
      (study) => count(study.trials, 'SUCCEEDED') >= 5 && count(study.trials, 'ACTIVE') > 0,
      // Near the end.
      (study) => count(study.trials, 'SUCCEEDED') >= 10,
    ];
    let current = children.at(-1) as ChildProcess;
    for (const [index, point] of points.entries()) {
      await waitForStudy(name, point);
      await kill9(current);
      const snapshot = openStudy(name, { studyDir });
      snapshots.push(snapshot);
      expect(snapshot.coordinator?.liveness).toBe('dead');
      if (index === 0) expect(count(snapshot.trials, 'SUCCEEDED')).toBe(0);
      if (index < points.length - 1) current = coordinator('resume', { name, studyDir, backend });
    }

    const resumed = await resumeStudy(name, { studyDir, backend: local(backend) });
    const { trials, study } = await resumed.wait();
    expect(study.state).toBe('COMPLETED');

    const combinations = [...enumerateGrid(space)].map(combinationKey);
    const succeeded = trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => combinationKey(trial.parameters));
    expect(succeeded.sort()).toEqual([...combinations].sort());
    expect(trials.filter((trial) => trial.state !== 'SUCCEEDED' && trial.state !== 'INFEASIBLE')).toEqual([]);

    // The trainers a killed coordinator left running were adopted, not run again: each combination trained once.
    // The one exception: a trial whose trainer a kill may have caught spawned but not yet recorded
    // (REQUESTED at the kill) runs again in a folder of its own (see the test below).
    const requestedAtKill = new Set(snapshots.flatMap((snapshot) => snapshot.trials.filter((trial) => trial.state === 'REQUESTED').map((trial) => trial.id)));
    expect(trials.filter((trial) => trial.failure?.kind === 'interrupted' && !requestedAtKill.has(trial.id))).toEqual([]);
    expect(trials.filter((trial) => trial.retryOf !== undefined && !requestedAtKill.has(trial.retryOf))).toEqual([]);
    for (const snapshot of snapshots) {
      for (const running of snapshot.trials.filter((trial) => trial.state === 'ACTIVE')) {
        expect(trials.find((trial) => trial.id === running.id)?.state).toBe('SUCCEEDED');
      }
    }

    // Nothing recorded before a kill was lost or changed: finished trials are identical, running ones kept their measurements.
    for (const snapshot of snapshots) {
      for (const before of snapshot.trials) {
        const after = trials.find((trial) => trial.id === before.id) as FrozenTrial;
        if (before.state === 'SUCCEEDED' || before.state === 'INFEASIBLE') expect(after).toEqual(before);
        else expect(after.measurements.slice(0, before.measurements.length)).toEqual(before.measurements);
      }
    }
    expect(openStudy(name, { studyDir }).coordinator).toBeUndefined();
  });

  it('adopts a trainer still running: waits for it without killing it, and records every measurement once', async () => {
    const name = 'adopt-running';
    const { child, log } = launchTwoTrials(name, ['--epochs=6', '--sleep-ms=150']);
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    const status = () => listStudies({ studyDir }).find((summary) => summary.study.name === name)?.status;
    expect(status()).toBe('ACTIVE');
    await kill9(child);
    // Read from the dead coordinator's lease, not stored: the store still says ACTIVE.
    expect(status()).toBe('INTERRUPTED');
    expect(openStudy(name, { studyDir })).toMatchObject({ status: 'INTERRUPTED', study: { state: 'ACTIVE' } });
    const [orphan] = trainerLog(log);
    expect(processLiveness({ pid: orphan?.pid as number, hostname: hostname() })).toBe('alive');

    const resumed = await resumeStudy(name, { studyDir, backend: local(backend) });
    const adopted: string[] = [];
    resumed.on('trialStarted', ({ trial }) => adopted.push(`${trial.id} ${trial.state} ${trial.measurements.length > 0}`));
    const { trials, study } = await resumed.wait();
    expect(study.state).toBe('COMPLETED');
    expect(status()).toBe('COMPLETED');
    expect(adopted[0]).toBe('1 ACTIVE true');
    expect(trials.map((trial) => [trial.id, trial.state, trial.parameters.x])).toEqual([
      ['1', 'SUCCEEDED', 1],
      ['2', 'SUCCEEDED', 2],
    ]);
    expect(trials[0]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trials[0]?.finalMeasurement?.metrics.accuracy).toBeCloseTo(0.001);
    // The orphan ran to its end: one start and one clean end, nothing run again.
    expect(trainerLog(log).map((entry) => `${entry.event} ${entry.pid === orphan?.pid ? 'orphan' : parametersOf(entry).x}`)).toEqual([
      'start orphan',
      'end orphan',
      'start 2',
      'end 2',
    ]);
  });

  it("adopts a trial host's running trial: the host finishes it and exits, and the rest runs in a new host", async () => {
    const name = 'adopt-host';
    const log = join(root, `${name}.log`);
    const child = coordinator('launch', { ...twoTrials(name), trainer: { command: process.execPath, args: [HOSTED_TRAINER, '--epochs=5', '--sleep-ms=150', `--log=${log}`], reusable: true } });
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    await kill9(child);
    const [orphan] = trainerLog(log);
    const host = { pid: orphan?.pid as number, hostname: hostname() };
    expect(processLiveness(host)).toBe('alive');

    const { trials, study } = await (await resumeStudy(name, { studyDir, backend: local(backend) })).wait();
    expect(study.state).toBe('COMPLETED');
    expect(trials.map((trial) => [trial.id, trial.state, trial.parameters.x])).toEqual([
      ['1', 'SUCCEEDED', 1],
      ['2', 'SUCCEEDED', 2],
    ]);
    expect(trials[0]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3, 4, 5]);
    // The orphaned host finished trial 1 and exited, without taking trial 2; a new host ran that.
    expect(processLiveness(host)).toBe('dead');
    expect(trainerLog(log).map((entry) => `${entry.event} ${entry.trial} ${entry.pid === orphan?.pid ? 'orphan' : 'new'}`)).toEqual([
      'start 1 orphan',
      'end 1 orphan',
      'start 2 new',
      'end 2 new',
    ]);
  });

  it('records a trainer that completed while no coordinator watched from its marker and metric file', async () => {
    const name = 'adopt-finished';
    const { child, log } = launchTwoTrials(name, ['--epochs=3', '--sleep-ms=150', '--drop-last']);
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    await kill9(child);
    await waitFor(() => trainerLog(log).some((entry) => entry.event === 'end'));
    expect(readTrialCompletion(join(studyDir, name, '1', 'model'))).toMatchObject({ version: 1, exitCode: 0 });
    expect(openStudy(name, { studyDir }).trials[0]?.state).toBe('ACTIVE');

    const { trials } = await (await resumeStudy(name, { studyDir, backend: local(backend) })).wait();
    expect(trials[0]).toMatchObject({ id: '1', state: 'SUCCEEDED', parameters: { x: 1 } });
    expect(trials[0]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3]);
    // The study's default, best: epoch 2's 0.001 rather than the last epoch's 0.0005.
    expect(trials[0]?.finalMeasurement).toMatchObject({ step: 2, metrics: { accuracy: 0.001 } });
    expect(trials.filter((trial) => trial.retryOf !== undefined)).toEqual([]);
    expect(trainerLog(log).filter((entry) => entry.event === 'start')).toHaveLength(2);
  });

  it('runs again a trainer that ended unwatched without its completion marker', async () => {
    const name = 'adopt-incomplete';
    const { child, log } = launchTwoTrials(name, ['--epochs=3', '--sleep-ms=150', '--no-marker']);
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    await kill9(child);
    await waitFor(() => trainerLog(log).some((entry) => entry.event === 'end'));

    const { trials } = await (await resumeStudy(name, { studyDir, backend: local(backend) })).wait();
    expect(trials[0]).toMatchObject({ id: '1', state: 'INFEASIBLE', failure: { kind: 'interrupted' } });
    const retry = trials.find((trial) => trial.retryOf === '1');
    expect(retry).toMatchObject({ state: 'SUCCEEDED', parameters: { x: 1 } });
    expect(trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort()).toEqual([1, 2]);
  });

  it('runs a trial whose trainer was spawned but not recorded again in a folder of its own, never beside that trainer', async () => {
    const name = 'unrecorded';
    const { child, log } = launchTwoTrials(name, ['--epochs=4', '--sleep-ms=150']);
    await waitFor(() => trainerLog(log).length > 0);
    await kill9(child);
    // What a kill between the spawn and the record of its pid leaves: the trial REQUESTED, its trainer running.
    const raw = new Database(join(studyDir, 'hptune.db'));
    raw.prepare("UPDATE trials SET state = 'REQUESTED', start_time = NULL, process_pid = NULL, process_hostname = NULL, process_start = NULL WHERE study = ? AND id = 1").run(name);
    raw.close();
    const [orphan] = trainerLog(log);
    expect(processLiveness({ pid: orphan?.pid as number, hostname: hostname() })).toBe('alive');

    const { trials, study } = await (await resumeStudy(name, { studyDir, backend: local(backend) })).wait();
    expect(study.state).toBe('COMPLETED');
    expect(trials.map((trial) => [trial.id, trial.state, trial.parameters.x, trial.failure?.kind, trial.retryOf])).toEqual([
      ['1', 'INFEASIBLE', 1, 'interrupted', undefined],
      ['2', 'SUCCEEDED', 1, undefined, '1'],
      ['3', 'SUCCEEDED', 2, undefined, undefined],
    ]);
    // Run beside the orphan in one folder, the curve interleaved both runs' steps (1,2,3,1,4,2,3,4).
    expect(trials[1]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3, 4]);
    expect(trainerLog(log).filter((entry) => entry.event === 'start').map((entry) => [entry.trial, parametersOf(entry).x])).toEqual([
      ['1', 1],
      ['2', 1],
      ['3', 2],
    ]);
  });

  it('stops an adopted trainer that outlives the trial timeout, and records it timed out', async () => {
    const name = 'adopt-timeout';
    const { child, log } = launchTwoTrials(name, ['--fail-when=x=1:hang']);
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    await kill9(child);
    const orphan = trainerLog(log)[0] as LogEntry;
    expect(parametersOf(orphan).x).toBe(1);
    expect(processLiveness({ pid: orphan.pid, hostname: hostname() })).toBe('alive');

    const { trials } = await (await resumeStudy(name, { studyDir, backend: local(backend), trialTimeoutSeconds: 1 })).wait();
    expect(processLiveness({ pid: orphan.pid, hostname: hostname() })).toBe('dead');
    expect(trials[0]).toMatchObject({ id: '1', state: 'INFEASIBLE', failure: { kind: 'timeout' } });
    expect(trials[0]?.failure?.reason).toMatch(/^stopped after the 1 s trial timeout/);
    // Recorded timed out, not interrupted: nothing is queued to run it again.
    expect(trials.map((trial) => [trial.id, trial.parameters.x, trial.retryOf])).toEqual([
      ['1', 1, undefined],
      ['2', 2, undefined],
    ]);
  });

  it('decides every combination exactly once when killed while a trial is being stopped early', async () => {
    const name = 'stopping';
    // Grid order runs the best first; x=5 then hangs after epoch 1, ignoring SIGTERM, so it stays STOPPING for the 30 s grace period.
    const launched = coordinator('launch', {
      name,
      space: searchSpaceToJSON(searchSpace({ x: discrete([6, 5, 4, 3]) })),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 1,
      trainer: { command: process.execPath, args: [FAKE_TRAINER, '--epochs=4', '--sleep-ms=60', '--fail-when=x=5:hang-hard', `--log=${join(root, 'trainers.log')}`] },
      studyDir,
      backend: { pollIntervalMs: 20, stopGracePeriodSeconds: 30 },
      earlyStopping: { kind: 'asha', maxStep: 4, reductionFactor: 2 },
    });
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'STOPPING'));
    await kill9(launched);

    const resumed = await resumeStudy(name, { studyDir, backend: local(backend) });
    const { trials, study } = await resumed.wait();
    expect(study.state).toBe('COMPLETED');
    expect(study.earlyStopping).toEqual({ kind: 'asha', minStep: 1, maxStep: 4, reductionFactor: 2 });
    // Every combination decided once: x=5's stored decision stands (its hung trainer is ended, nothing runs it again).
    expect(trials.map((trial) => [trial.parameters['x'], trial.state])).toEqual([
      [6, 'SUCCEEDED'],
      [5, 'SUCCEEDED'],
      [4, 'SUCCEEDED'],
      [3, 'SUCCEEDED'],
    ]);
    const stopped = trials.find((trial) => trial.parameters['x'] === 5);
    expect(stopped).toMatchObject({ stoppedEarly: true, stoppedAtStep: 1, finalMeasurement: { step: 1 } });
    expect(stopped?.measurements.map((measurement) => measurement.step)).toEqual([1]);
    expect(trials.filter((trial) => trial.stoppedEarly).map((trial) => trial.parameters['x']).sort()).toEqual([3, 4, 5]);
  });

  it('records a trial it was stopping as an ordinary one when its trainer finished its run while no coordinator watched', async () => {
    const name = 'stopping-finished';
    const log = join(root, 'deaf.log');
    // x=5 is rejected at step 1 (as above), ignores SIGTERM and trains on to a clean end, completion marker written.
    const launched = coordinator('launch', {
      name,
      space: searchSpaceToJSON(searchSpace({ x: discrete([6, 5, 4, 3]) })),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 1,
      trainer: { command: process.execPath, args: [FAKE_TRAINER, '--epochs=4', '--sleep-ms=300', '--fail-when=x=5:deaf', `--log=${log}`] },
      studyDir,
      backend: { pollIntervalMs: 20, stopGracePeriodSeconds: 30 },
      earlyStopping: { kind: 'asha', maxStep: 4, reductionFactor: 2 },
    });
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'STOPPING'));
    await kill9(launched);
    const killedWhile = openStudy(name, { studyDir }).trials.find((trial) => trial.parameters['x'] === 5);
    expect(killedWhile).toMatchObject({ state: 'STOPPING', stoppedAtStep: 1 });
    // The trainer runs on, unwatched, to its end.
    await waitFor(() => trainerLog(log).some((entry) => entry.event === 'end' && parametersOf(entry).x === 5));

    const { trials, study } = await (await resumeStudy(name, { studyDir, backend: local(backend) })).wait();
    expect(study.state).toBe('COMPLETED');
    // Every combination decided once; x=5 is not stopped (its trainer finished first), nor run again.
    expect(trials.map((trial) => [trial.parameters['x'], trial.state])).toEqual([
      [6, 'SUCCEEDED'],
      [5, 'SUCCEEDED'],
      [4, 'SUCCEEDED'],
      [3, 'SUCCEEDED'],
    ]);
    const finished = trials.find((trial) => trial.parameters['x'] === 5) as FrozenTrial;
    expect(finished.stoppedEarly).toBeFalsy();
    expect(finished.stoppedAtStep).toBeUndefined();
    expect(finished.measurementsAfterStop ?? []).toEqual([]);
    expect(finished.measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3, 4]);
    expect(finished.finalMeasurement).toMatchObject({ step: 4, metrics: { accuracy: 0.005 } });
    expect(trainerLog(log).filter((entry) => entry.event === 'start' && parametersOf(entry).x === 5)).toHaveLength(1);
  });
});
