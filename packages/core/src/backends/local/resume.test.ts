import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { local } from './backend.js';
import { discrete, searchSpace } from '../../space/builder.js';
import { combinationKey, enumerateGrid } from '../../space/grid.js';
import { searchSpaceToJSON } from '../../space/json.js';
import { processLiveness } from './liveness.js';
import { resumeStudy } from '../../launch.js';
import { openStudy, type StoredStudy } from './open.js';
import type { FrozenTrial } from '../../study/types.js';

// The coordinator runs in its own process, from core built into a scratch folder (inside the
// package, so its dependencies resolve), and the test kills it with SIGKILL.
const CORE = fileURLToPath(new URL('../../..', import.meta.url));
const TSUP = fileURLToPath(new URL('../../../../../node_modules/.bin/tsup', import.meta.url));
const COORDINATOR = join(CORE, 'test/fixtures/study/coordinator.mjs');
const FAKE_TRAINER = join(CORE, 'test/fixtures/study/fake-trainer.mjs');
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
  for (const file of [join(root, 'trainers.log'), join(root, 'orphan.log')]) {
    if (!existsSync(file)) continue;
    for (const entry of readFileSync(file, 'utf8').trim().split('\n')) {
      const { pid } = JSON.parse(entry) as { pid: number };
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

describe('resuming after the coordinator is killed with SIGKILL', () => {
  it('finishes the study: each grid combination succeeds exactly once and nothing recorded is lost', async () => {
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

    // Every trial a killed coordinator left running is kept, interrupted, with a re-run of the same parameters.
    const interrupted = trials.filter((trial) => trial.failure?.kind === 'interrupted');
    expect(interrupted.length).toBeGreaterThanOrEqual(points.length);
    for (const trial of interrupted) {
      const retry = trials.find((candidate) => candidate.retryOf === trial.id);
      expect(retry?.parameters).toEqual(trial.parameters);
    }
    expect(interrupted.some((trial) => trial.measurements.length > 0)).toBe(true);

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

  it('stops the trial processes a killed coordinator left behind before running them again', async () => {
    const name = 'orphans';
    const log = join(root, 'orphan.log');
    const child = coordinator('launch', {
      name,
      space: searchSpaceToJSON(searchSpace({ x: discrete([1, 2]) })),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 1,
      trainer: { command: process.execPath, args: [FAKE_TRAINER, '--fail-when=x=1:hang', `--log=${log}`] },
      studyDir,
      backend,
    });
    await waitForStudy(name, (study) => study.trials.some((trial) => trial.state === 'ACTIVE' && trial.measurements.length > 0));
    await kill9(child);
    const orphan = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0] as string) as { pid: number; parameters: { x: string } };
    expect(orphan.parameters.x).toBe('1');
    const hostname = (await import('node:os')).hostname();
    expect(processLiveness({ pid: orphan.pid, hostname })).toBe('alive');

    const resumed = await resumeStudy(name, { studyDir, backend: local(backend), trialTimeoutSeconds: 2 });
    const deadline = Date.now() + 5000;
    while (processLiveness({ pid: orphan.pid, hostname }) === 'alive' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processLiveness({ pid: orphan.pid, hostname })).toBe('dead');
    resumed.cancel();
    await resumed.wait().catch(() => undefined);
    const trials = openStudy(name, { studyDir }).trials;
    expect(trials[0]).toMatchObject({ id: '1', state: 'INFEASIBLE', failure: { kind: 'interrupted' } });
    expect(trials[1]).toMatchObject({ retryOf: '1', parameters: { x: 1 } });
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
    const decided = trials.filter((trial) => trial.state === 'SUCCEEDED' || (trial.state === 'INFEASIBLE' && trial.failure?.kind !== 'interrupted'));
    expect(decided.map((trial) => trial.parameters['x']).sort()).toEqual([3, 4, 5, 6]);
    expect(trials.find((trial) => trial.failure?.kind === 'interrupted')?.parameters).toEqual({ x: 5 });
    // The re-run of x=5 is stopped again by the stored rule (SIGKILL after this run's 0.5 s grace), and so are the rest.
    expect(decided.filter((trial) => trial.stoppedEarly).map((trial) => trial.parameters['x']).sort()).toEqual([3, 4, 5]);
  });
});
