import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { local } from './backend.js';
import { HptuneError, ValidationError } from '../../errors.js';
import { categorical, discrete, double, searchSpace } from '../../space/builder.js';
import { combinationKey } from '../../space/grid.js';
import { searchSpaceToJSON } from '../../space/json.js';
import { currentLeaseOwner } from './liveness.js';
import { openSqliteStudyStore } from '../../study-store/sqlite.js';
import type { StudyHandle } from '../../study/handle.js';
import { launchStudy, resumeStudy } from '../../launch.js';
import { listStudies, openStudy } from './open.js';
import type { LaunchStudyOptions } from '../../launch.js';
import { coordinatorOverhead } from './overhead.js';
import type { FrozenTrial, TrainerCommand } from '../../study/types.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-study-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh study directory per test. */
const freshDir = () => join(root, `dir${(counter += 1)}`);
const fake = (...args: string[]): TrainerCommand => ({ command: process.execPath, args: [FAKE_TRAINER, ...args] });
const fastBackend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 });
const accuracy = { id: 'accuracy', goal: 'maximize' } as const;
const line = searchSpace({ x: discrete([1, 2, 3, 4, 5, 6, 7, 8]) });

async function rejection(promise: Promise<unknown>): Promise<HptuneError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HptuneError);
    return error as HptuneError;
  }
  throw new Error('expected a rejection');
}

/** Resolves on the first event for which `test` holds. */
function once<E extends 'trialStarted' | 'measurement' | 'trialCompleted'>(study: StudyHandle, event: E, test: () => boolean = () => true): Promise<void> {
  return new Promise((resolve) => {
    const off = study.on(event, () => {
      if (test()) {
        off();
        resolve();
      }
    });
  });
}

const unfinished = (trials: readonly FrozenTrial[]) => trials.filter((trial) => trial.state !== 'SUCCEEDED' && trial.state !== 'INFEASIBLE');

describe('launchStudy', () => {
  it('runs a 27-combination grid two at a time: one trial per combination, the best found, events in order', async () => {
    const studyDir = freshDir();
    const space = searchSpace({ a: discrete([1, 2, 3]), b: discrete([10, 20, 30]), c: categorical(['p', 'q', 'r']) });
    const study = await launchStudy({ name: 'grid27', space, metric: accuracy, algorithm: 'grid', parallelTrials: 2, trainer: fake('--sleep-ms=5'), studyDir, backend: fastBackend });
    expect(study.study).toMatchObject({ name: 'grid27', maxTrials: 27, parallelTrials: 2, state: 'ACTIVE', backend: 'local' });
    expect(study.backend.directory).toBe(join(studyDir, 'grid27'));
    const events: string[] = [];
    let running = 0;
    let mostRunning = 0;
    study.on('trialStarted', ({ trial }) => {
      events.push(`start ${trial.id}`);
      running += 1;
      mostRunning = Math.max(mostRunning, running);
    });
    study.on('measurement', ({ trial, measurement }) => events.push(`measure ${trial.id} ${measurement.step}`));
    study.on('trialCompleted', ({ trial }) => {
      events.push(`end ${trial.id}`);
      running -= 1;
    });
    study.on('studyCompleted', () => events.push('completed'));

    const { trials, best, study: info } = await study.wait();
    expect(info.state).toBe('COMPLETED');
    expect(trials).toHaveLength(27);
    expect(trials.every((trial) => trial.state === 'SUCCEEDED')).toBe(true);
    expect(new Set(trials.map((trial) => combinationKey(trial.parameters))).size).toBe(27);
    // a + b is largest at a=3, b=30; of the three c values the earliest trial wins the tie.
    expect(best?.parameters).toEqual({ a: 3, b: 30, c: 'p' });
    expect(best?.finalMeasurement?.metrics.accuracy).toBeCloseTo(0.033, 9);
    expect(trials[0]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
    expect(mostRunning).toBe(2);
    for (const trial of trials) {
      const order = [`start ${trial.id}`, `measure ${trial.id} 1`, `measure ${trial.id} 2`, `end ${trial.id}`].map((event) => events.indexOf(event));
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(events.at(-1)).toBe('completed');
    expect(study.best()?.id).toBe(best?.id);

    const overhead = coordinatorOverhead(study.backend.timings());
    expect(overhead.start.count).toBe(27);
    expect(overhead.record.count).toBe(27);

    const stored = openStudy('grid27', { studyDir });
    expect(stored.study.state).toBe('COMPLETED');
    expect(stored.trials).toEqual(trials);
    expect(stored.coordinator).toBeUndefined();
    expect(listStudies({ studyDir })).toMatchObject([{ study: { name: 'grid27' }, counts: { total: 27, succeeded: 27, failed: 0, running: 0 }, best: { id: best?.id } }]);

    const again = await rejection(launchStudy({ name: 'grid27', space, metric: accuracy, algorithm: 'grid', trainer: fake(), studyDir }));
    expect(again.code).toBe('STUDY_EXISTS');
  });

  it('records each kind of trainer failure as an INFEASIBLE trial with its reason, and still completes', async () => {
    const studyDir = freshDir();
    const trainer = fake('--fail-when=x=2:crash', '--fail-when=x=3:hang', '--fail-when=x=4:malformed', '--fail-when=x=5:nometric', '--fail-when=x=6:signal');
    const space = searchSpace({ x: discrete([1, 2, 3, 4, 5, 6]) });
    const study = await launchStudy({ name: 'failures', space, metric: accuracy, algorithm: 'grid', parallelTrials: 6, trialTimeoutSeconds: 1.5, trainer, studyDir, backend: fastBackend });
    const { trials, best } = await study.wait();
    const byX = new Map(trials.map((trial) => [trial.parameters.x, trial]));
    expect(trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'INFEASIBLE', 'INFEASIBLE', 'INFEASIBLE', 'INFEASIBLE', 'INFEASIBLE']);
    expect(byX.get(2)?.failure).toMatchObject({ kind: 'exit-code', reason: 'exited with code 3', exitCode: 3 });
    expect(byX.get(2)?.failure?.stderrTail).toContain('boom');
    expect(byX.get(3)?.failure).toMatchObject({ kind: 'timeout', reason: 'stopped after the 1.5 s trial timeout (SIGTERM)' });
    expect(byX.get(4)?.failure?.kind).toBe('malformed-metric-file');
    expect(byX.get(4)?.failure?.reason).toMatch(/^malformed metric file: .*line 2 is not JSON/);
    expect(byX.get(5)?.failure?.kind).toBe('no-metric');
    expect(byX.get(6)?.failure).toMatchObject({ kind: 'signal', reason: 'killed by SIGABRT' });
    expect(byX.get(3)?.measurements).toHaveLength(1);
    expect(best?.parameters).toEqual({ x: 1 });
    expect(readFileSync(join(studyDir, 'failures', '2', 'stderr.log'), 'utf8')).toContain('boom');
  });

  it('stops after maxFailedTrials: ends the running trial and names the failed ones', async () => {
    const studyDir = freshDir();
    const space = searchSpace({ x: discrete([1, 2, 3, 4]) });
    const study = await launchStudy({
      name: 'too-many-failures',
      space,
      metric: accuracy,
      algorithm: 'grid',
      parallelTrials: 2,
      maxFailedTrials: 2,
      // x=1 and x=3 crash; x=2 would run for 10 s; x=4 is never reached.
      trainer: fake('--fail-when=x=1:crash', '--fail-when=x=3:crash', '--epochs=500'),
      studyDir,
      backend: fastBackend,
    });
    const stopped = new Promise((resolve) => study.on('studyStopped', resolve));
    const started = performance.now();
    const error = await rejection(study.wait());
    expect(performance.now() - started).toBeLessThan(8000);
    await stopped;
    expect(error.code).toBe('STUDY_FAILED');
    expect(error.message).toMatch(/stopped after 2 failed trials \(maxFailedTrials 2\): trial 1 \(x=1\): exited with code 3; trial 3 \(x=3\): exited with code 3/);
    const stored = openStudy('too-many-failures', { studyDir });
    expect(stored.study.state).toBe('FAILED');
    expect(unfinished(stored.trials)).toEqual([]);
    expect(stored.trials.some((trial) => trial.parameters.x === 4)).toBe(false);
    expect(stored.trials.find((trial) => trial.parameters.x === 2)?.failure).toMatchObject({ kind: 'cancelled', reason: expect.stringContaining('too many failed trials') });
  });

  it('cancels mid-study: running trials stopped and recorded, the store consistent, and a resume finishes the grid', async () => {
    const studyDir = freshDir();
    const controller = new AbortController();
    const options: LaunchStudyOptions = { name: 'cancelled', space: line, metric: accuracy, algorithm: 'grid', parallelTrials: 2, trainer: fake('--epochs=6', '--sleep-ms=40'), studyDir, backend: fastBackend, signal: controller.signal };
    const study = await launchStudy(options);
    let completed = 0;
    study.on('trialCompleted', () => (completed += 1));
    await once(study, 'measurement', () => completed >= 1);
    controller.abort();
    const error = await rejection(study.wait());
    expect(error.code).toBe('STUDY_CANCELLED');

    const stored = openStudy('cancelled', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.coordinator).toBeUndefined();
    expect(unfinished(stored.trials)).toEqual([]);
    const cancelled = stored.trials.filter((trial) => trial.failure?.kind === 'cancelled');
    expect(cancelled.length).toBeGreaterThanOrEqual(1);
    expect(cancelled[0]?.failure?.reason).toContain('the study was cancelled');

    const resumed = await resumeStudy('cancelled', { studyDir, backend: fastBackend });
    const { trials, study: info } = await resumed.wait();
    expect(info.state).toBe('COMPLETED');
    const succeeded = trials.filter((trial) => trial.state === 'SUCCEEDED');
    expect(succeeded.map((trial) => trial.parameters.x).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Everything recorded before the cancel is still there, unchanged.
    for (const before of stored.trials) expect(trials.find((trial) => trial.id === before.id)).toEqual(before);
  });

  it('stops gracefully: no new trial starts, the running ones finish and are recorded, and a resume runs the rest', async () => {
    const studyDir = freshDir();
    const study = await launchStudy({ name: 'drained', space: line, metric: accuracy, algorithm: 'grid', parallelTrials: 2, trainer: fake('--epochs=4', '--sleep-ms=60'), studyDir, backend: fastBackend });
    const started: string[] = [];
    study.on('trialStarted', ({ trial }) => started.push(trial.id));
    await once(study, 'measurement', () => started.length === 2);
    await study.stop();
    const error = await rejection(study.wait());
    expect(error.code).toBe('STUDY_CANCELLED');
    expect(error.message).toContain('stopped after its running trials finished');
    expect(started).toEqual(['1', '2']);
    const stored = openStudy('drained', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.trials.map((trial) => [trial.id, trial.state, trial.measurements.length])).toEqual([
      ['1', 'SUCCEEDED', 4],
      ['2', 'SUCCEEDED', 4],
    ]);

    const { trials } = await (await resumeStudy('drained', { studyDir, backend: fastBackend })).wait();
    expect(trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('ends the trials a graceful stop let run when cancel follows it', async () => {
    const studyDir = freshDir();
    const study = await launchStudy({ name: 'drain-cancel', space: line, metric: accuracy, algorithm: 'grid', parallelTrials: 1, trainer: fake('--fail=hang'), studyDir, backend: fastBackend });
    await once(study, 'measurement');
    await study.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(study.trials().map((trial) => trial.state)).toEqual(['ACTIVE']);
    await study.cancel();
    expect((await rejection(study.wait())).code).toBe('STUDY_CANCELLED');
    expect(study.trials().map((trial) => [trial.state, trial.failure?.kind])).toEqual([['INFEASIBLE', 'cancelled']]);
  });

  it('completes a study stopped gracefully while its last trials ran', async () => {
    const studyDir = freshDir();
    const two = searchSpace({ x: discrete([1, 2]) });
    const study = await launchStudy({ name: 'drain-last', space: two, metric: accuracy, algorithm: 'grid', parallelTrials: 2, trainer: fake('--epochs=3', '--sleep-ms=40'), studyDir, backend: fastBackend });
    await once(study, 'measurement');
    await study.stop();
    const { study: info, trials } = await study.wait();
    expect(info.state).toBe('COMPLETED');
    expect(trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it.each([
    ['best', undefined, 2, 0.006],
    ['best', 'best', 2, 0.006],
    ['last', 'last', 3, 0.003],
  ] as const)("takes a trial's %s measurement as its value (measurementSelection %s)", async (_, measurementSelection, step, value) => {
    const studyDir = freshDir();
    const study = await launchStudy({
      name: `select-${measurementSelection ?? 'default'}`,
      space: searchSpace({ x: discrete([6]) }),
      metric: accuracy,
      algorithm: 'grid',
      ...(measurementSelection ? { measurementSelection } : {}),
      trainer: fake('--epochs=3', '--drop-last'),
      studyDir,
      backend: fastBackend,
    });
    const { trials, study: info, best } = await study.wait();
    expect(info.measurementSelection).toBe(measurementSelection ?? 'best');
    expect(trials[0]?.measurements.map((measurement) => measurement.metrics.accuracy)).toEqual([0.003, 0.006, 0.003]);
    expect(trials[0]?.finalMeasurement).toMatchObject({ step, metrics: { accuracy: value } });
    expect(best?.finalMeasurement?.metrics.accuracy).toBe(value);
    expect(openStudy(info.name, { studyDir }).study.measurementSelection).toBe(measurementSelection ?? 'best');
  });

  it("keeps the last measurement for a study stored before measurementSelection existed", async () => {
    const studyDir = freshDir();
    const store = openSqliteStudyStore({ file: join(studyDir, 'hptune.db') });
    const owner = currentLeaseOwner();
    store.createStudy(
      { name: 'old', space: searchSpaceToJSON(searchSpace({ x: discrete([6]) })), metric: accuracy, algorithm: 'grid', maxTrials: 1, parallelTrials: 1, seed: 1, trainer: fake('--epochs=3', '--drop-last'), backend: 'local' },
      owner,
    );
    store.releaseLease('old', owner.token);
    store.close();
    const { trials } = await (await resumeStudy('old', { studyDir, backend: fastBackend })).wait();
    expect(trials[0]?.finalMeasurement).toMatchObject({ step: 3, metrics: { accuracy: 0.003 } });
  });

  it('refuses a second coordinator on a running study, and lets readers in', async () => {
    const studyDir = freshDir();
    const options: LaunchStudyOptions = { name: 'busy', space: line, metric: accuracy, algorithm: 'grid', parallelTrials: 1, trainer: fake('--fail=hang'), studyDir, backend: fastBackend };
    const study = await launchStudy(options);
    await once(study, 'trialStarted');

    const second = await rejection(launchStudy(options));
    expect(second.code).toBe('STUDY_LOCKED');
    expect(second.message).toContain(`pid ${process.pid}`);
    const resumed = await rejection(resumeStudy('busy', { studyDir }));
    expect(resumed.code).toBe('STUDY_LOCKED');
    expect(resumed.message).toMatch(/being run by another coordinator \(pid \d+ on host .*\); wait for it to finish, or stop it \(kill \d+\)/);

    const reading = openStudy('busy', { studyDir });
    expect(reading.coordinator).toMatchObject({ pid: process.pid, liveness: 'alive' });
    expect(reading.trials.map((trial) => trial.state)).toEqual(['ACTIVE']);
    study.cancel();
    expect((await rejection(study.wait())).code).toBe('STUDY_CANCELLED');
  });

  it('isolates a listener that throws: the study goes on, the error arrives as a warning, other listeners still run', async () => {
    const studyDir = freshDir();
    const study = await launchStudy({ name: 'listener', space: line, metric: accuracy, algorithm: 'grid', maxTrials: 2, parallelTrials: 1, trainer: fake('--sleep-ms=5'), studyDir, backend: fastBackend });
    study.on('trialStarted', () => {
      throw new Error('a bug in the listener');
    });
    const started: string[] = [];
    study.on('trialStarted', ({ trial }) => started.push(trial.id));
    const warnings: string[] = [];
    study.on('warning', ({ code, message }) => warnings.push(`${code}: ${message}`));
    const result = await study.wait();
    expect(result.study.state).toBe('COMPLETED');
    expect(started).toEqual(['1', '2']);
    expect(warnings).toEqual([
      'LISTENER_FAILED: a listener of trialStarted threw: a bug in the listener; the study goes on',
      'LISTENER_FAILED: a listener of trialStarted threw: a bug in the listener; the study goes on',
    ]);
    expect(openStudy('listener', { studyDir }).trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('writes nothing more once another coordinator has taken the study over', async () => {
    const studyDir = freshDir();
    const study = await launchStudy({ name: 'taken', space: line, metric: accuracy, algorithm: 'grid', parallelTrials: 1, trainer: fake('--fail=hang'), studyDir, backend: fastBackend });
    await once(study, 'trialStarted');
    const thief = openSqliteStudyStore({ file: join(studyDir, 'hptune.db') });
    const owner = { ...currentLeaseOwner(), hostname: 'elsewhere.invalid' };
    thief.acquireLease('taken', owner, { takeOver: () => true });
    study.cancel();
    expect((await rejection(study.wait())).code).toBe('LEASE_LOST');
    expect(thief.getStudy('taken')).toMatchObject({ state: 'ACTIVE', lease: { token: owner.token } });
    expect(thief.getTrials('taken').map((trial) => trial.state)).toEqual(['ACTIVE']);
    thief.close();
  });

  it('rejects bad options before anything runs or is written, naming the field', async () => {
    const studyDir = freshDir();
    const notADir = join(root, 'a-file');
    writeFileSync(notADir, '');
    const good: LaunchStudyOptions = { name: 'ok', space: line, metric: accuracy, algorithm: 'grid', trainer: fake(), studyDir };
    const cases: Array<[string, Partial<LaunchStudyOptions> & Record<string, unknown>]> = [
      ['name', { name: 'has space' }],
      ['name', { name: '../escape' }],
      ['maxTrials', { maxTrials: 0 }],
      ['maxTrials', { maxTrials: 9 }],
      ['maxTrials', { algorithm: 'random' }],
      ['parallelTrials', { parallelTrials: 0 }],
      ['parallelTrials', { parallelTrials: 1.5 }],
      ['maxFailedTrials', { maxFailedTrials: -1 }],
      ['trialTimeoutSeconds', { trialTimeoutSeconds: 0 }],
      ['metric.goal', { metric: { id: 'accuracy', goal: 'up' as 'maximize' } }],
      ['metric.id', { metric: { id: 'timestamp', goal: 'maximize' } }],
      ['algorithm', { algorithm: 'cmaes' as 'grid' }],
      ['trainer.command', { trainer: { command: join(root, 'nope'), args: [] } }],
      ['trainer.command', { trainer: { command: 'no-such-program-hptune', args: [] } }],
      ['trainer.args', { trainer: { command: process.execPath, args: 'x' as unknown as string[] } }],
      ['parameters.lr.kind', { space: searchSpace({ lr: double(0.1, 1) }) }],
      ['backend', { backend: { kind: 'kubernetes' } as unknown as LaunchStudyOptions['backend'] }],
      // A vertex backend is checked by the Vertex preflight, before any request is sent.
      ['backend', { backend: { kind: 'vertex' } as unknown as LaunchStudyOptions['backend'] }],
      ['backend.pollIntervalMs', { backend: local({ pollIntervalMs: 0 }) }],
      ['studyDir', { studyDir: notADir }],
      ['seed', { seed: 1.5 }],
    ];
    for (const [field, change] of cases) {
      let error: unknown;
      try {
        await launchStudy({ ...good, ...change } as LaunchStudyOptions);
      } catch (caught) {
        error = caught;
      }
      expect(error, `${field} ${JSON.stringify(change)}`).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, JSON.stringify(change)).toBe(field);
      expect((error as ValidationError).exitCode).toBe(2);
    }
    expect((await rejection(launchStudy({ ...good, maxTrials: 9 }))).message).toBe(
      'maxTrials 9 is above the grid size (8 combinations); give at most 8, or leave it unset to run the whole grid',
    );
    expect(existsSync(studyDir)).toBe(false);
    expect((await rejection(resumeStudy('missing', { studyDir }))).code).toBe('STUDY_NOT_FOUND');
    expect(() => openStudy('missing', { studyDir })).toThrow(/no study "missing"/);
    expect(listStudies({ studyDir })).toEqual([]);
    expect(existsSync(studyDir)).toBe(false);
  });

  it('refuses a study folder that is a symbolic link, before writing anything there', async () => {
    const studyDir = freshDir();
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(studyDir, { recursive: true });
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(studyDir, 'linked'));
    const error = await rejection(launchStudy({ name: 'linked', algorithm: 'grid', space: line, metric: accuracy, trainer: fake(), studyDir, backend: fastBackend }));
    expect(error.code).toBe('STUDY_DIR_SYMLINK');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`${join(studyDir, 'linked')} is a symbolic link (to ${elsewhere})`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(studyDir, 'hptune.db'))).toBe(false);
  });

  it('creates nothing world-writable, even under umask 000', async () => {
    const studyDir = freshDir();
    const previous = process.umask(0);
    try {
      const study = await launchStudy({ name: 'modes', space: searchSpace({ x: discrete([1, 2]) }), metric: accuracy, algorithm: 'grid', trainer: fake(), studyDir, backend: fastBackend });
      await study.wait();
    } finally {
      process.umask(previous);
    }
    // contract.json and the metric file are the fake trainer's own files, made under its own (inherited) umask.
    const writable = (readdirSync(studyDir, { recursive: true }) as string[])
      .filter((path) => !/(contract\.json|output\.metrics)$/.test(path) && (lstatSync(join(studyDir, path)).mode & 0o002) !== 0);
    expect(writable).toEqual([]);
    expect(lstatSync(studyDir).mode & 0o002).toBe(0);
  });

  it('runs a seeded random search to maxTrials', async () => {
    const studyDir = freshDir();
    const space = searchSpace({ lr: double(1e-4, 1e-1, { scale: 'log' }), act: categorical(['relu', 'tanh']) });
    const study = await launchStudy({ name: 'random', space, metric: { id: 'loss', goal: 'minimize' }, algorithm: 'random', maxTrials: 3, parallelTrials: 3, seed: 42, trainer: fake('--sleep-ms=1'), studyDir, backend: fastBackend });
    const { trials, best } = await study.wait();
    expect(trials).toHaveLength(3);
    expect(trials.every((trial) => trial.state === 'SUCCEEDED' && typeof trial.parameters.lr === 'number')).toBe(true);
    expect(best?.finalMeasurement?.metrics.loss).toBe(0.5);
    expect(openStudy('random', { studyDir }).study.seed).toBe(42);
  });
});
