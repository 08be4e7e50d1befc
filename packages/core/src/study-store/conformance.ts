/**
 * The conformance suite every {@link StudyStore} passes, exported from `@hptune/core/testing` so a
 * store written outside hptune can be checked the same way: call
 * {@link describeStudyStoreConformance} from a vitest test file.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HptuneError } from '../errors.js';
import type { StudyDefinition } from '../study/definition.js';
import { withCurves } from './rules.js';
import type { LeaseOwner, StudyStore } from './types.js';

const definition = (name = 'seed'): StudyDefinition => ({
  name,
  space: { version: 1, parameters: { x: { kind: 'categorical', values: ['a', 'b'] } } },
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  maxTrials: 2,
  parallelTrials: 1,
  seed: 7,
  trainer: { command: 'node', args: ['train.js'] },
  backend: 'local',
});

/** A lease owner as a coordinator would be: what the store records, nothing it checks. */
const newOwner = (): LeaseOwner => ({ token: randomUUID(), pid: 4242, hostname: 'coordinator.test' });

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof HptuneError) return error.code;
    throw error;
  }
  return undefined;
}

/** A fresh, empty study store for one test, and how to remove what it leaves behind once closed. */
export interface StudyStoreConformanceSubject {
  readonly store: StudyStore;
  cleanup(): void;
}

/**
 * Runs the {@link StudyStore} contract (studies and their leases, trials and their transitions,
 * finished trials immutable, interrupted trials and their retries) over the stores `open` makes,
 * as vitest tests under `label`. The suite closes each store, then calls `cleanup`.
 */
export function describeStudyStoreConformance(label: string, open: () => StudyStoreConformanceSubject): void {
  describe(`StudyStore conformance: ${label}`, () => {
    let store: StudyStore;
    let cleanup: () => void;
    let owner: LeaseOwner;
    beforeEach(() => {
      ({ store, cleanup } = open());
      owner = newOwner();
    });
    afterEach(() => {
      store.close();
      cleanup();
    });

    it('creates a study ACTIVE with its lease, and refuses a second of the same name', () => {
      const record = store.createStudy(definition(), owner);
      expect(record.state).toBe('ACTIVE');
      expect(record.definition).toEqual(definition());
      expect(record.lease).toMatchObject({ token: owner.token, pid: 4242, hostname: 'coordinator.test' });
      expect(codeOf(() => store.createStudy(definition(), newOwner()))).toBe('STUDY_EXISTS');
      store.createStudy(definition('other'), newOwner());
      expect(store.listStudies().map((study) => study.definition.name)).toEqual(['seed', 'other']);
      expect(store.getStudy('missing')).toBeUndefined();
    });

    it('deletes a study with its trials for the lease holder only, after which the name is free', () => {
      store.createStudy(definition(), owner);
      const trial = store.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
      store.startTrial('seed', trial.id, { startTime: '2026-12-01T00:00:00.000Z' }, owner.token);
      store.addMeasurements('seed', trial.id, [{ step: 1, metrics: { accuracy: 0.5 }, elapsedSeconds: 1 }], owner.token);
      expect(codeOf(() => store.deleteStudy('seed', newOwner().token))).toBe('LEASE_LOST');
      expect(store.getTrials('seed')).toHaveLength(1);
      store.deleteStudy('seed', owner.token);
      expect(store.getStudy('seed')).toBeUndefined();
      expect(store.listStudies()).toEqual([]);
      expect(codeOf(() => store.deleteStudy('seed', owner.token))).toBe('STUDY_NOT_FOUND');
      const again = newOwner();
      store.createStudy(definition(), again);
      expect(store.getTrials('seed')).toEqual([]);
      expect(store.createTrial('seed', { parameters: { x: 'b' } }, again.token).id).toBe('1');
    });

    it('runs a trial through its states, keeps every measurement, and never changes it once finished', () => {
      store.createStudy(definition(), owner);
      const requested = store.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
      expect(requested).toMatchObject({ id: '1', state: 'REQUESTED', parameters: { x: 'a' }, measurements: [] });
      expect(store.startTrial('seed', '1', { startTime: '2026-01-01T00:00:00.000Z' }, owner.token).state).toBe('ACTIVE');
      store.addMeasurements('seed', '1', [{ step: 1, metrics: { accuracy: 0.5, loss: 1 }, elapsedSeconds: 1 }], owner.token);
      store.addMeasurements('seed', '1', [{ step: 1, metrics: { accuracy: 0.5 }, elapsedSeconds: 1.5 }], owner.token);
      store.addMeasurements('seed', '1', [{ step: 2, metrics: { accuracy: 0.7 }, elapsedSeconds: 2 }], owner.token);
      const final = { step: 2, metrics: { accuracy: 0.7 }, elapsedSeconds: 2 };
      const done = store.finishTrial('seed', '1', { state: 'SUCCEEDED', finalMeasurement: final, endTime: '2026-01-01T00:00:02.000Z' }, owner.token);
      expect(done).toMatchObject({ state: 'SUCCEEDED', finalMeasurement: final, startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T00:00:02.000Z' });
      // The write hands back the record alone: a trial's measurements are not read back on each write.
      expect('measurements' in done).toBe(false);
      const stored = store.getTrial('seed', '1');
      expect(stored?.measurements.map((measurement) => measurement.step)).toEqual([1, 1, 2]);
      expect(stored?.measurements[0]?.metrics).toEqual({ accuracy: 0.5, loss: 1 });
      expect(Object.isFrozen(stored) && Object.isFrozen(stored?.measurements) && Object.isFrozen(done)).toBe(true);

      const failure = { kind: 'exit-code' as const, reason: 'exited with code 1', exitCode: 1 };
      expect(codeOf(() => store.finishTrial('seed', '1', { state: 'INFEASIBLE', failure, endTime: 'x' }, owner.token))).toBe('TRIAL_FINISHED');
      expect(codeOf(() => store.addMeasurements('seed', '1', [final], owner.token))).toBe('TRIAL_FINISHED');
      expect(codeOf(() => store.stopTrial('seed', '1', owner.token))).toBe('TRIAL_FINISHED');
      expect(store.getTrial('seed', '1')).toEqual(stored);
      expect(store.getTrialSummaries('seed')).toEqual([done]);
    });

    it('keeps a large batch of measurements whole and in order, and the batches after it', () => {
      store.createStudy(definition(), owner);
      store.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
      store.startTrial('seed', '1', { startTime: 't' }, owner.token);
      const at = (step: number) => ({ step, metrics: { accuracy: step / 1000, ...(step % 2 === 0 ? { loss: 1 / step } : {}) }, elapsedSeconds: step / 10 });
      const first = Array.from({ length: 1001 }, (_, index) => at(index + 1));
      store.addMeasurements('seed', '1', first, owner.token);
      store.addMeasurements('seed', '1', [at(1002), at(1003)], owner.token);
      expect(store.getTrial('seed', '1')?.measurements).toEqual([...first, at(1002), at(1003)]);
    });

    it('records a trial an early-stopping rule ended: SUCCEEDED, its last measurement final, stoppedEarly', () => {
      store.createStudy(definition(), owner);
      store.createTrial('seed', { parameters: { x: 'a' } }, owner.token);
      store.createTrial('seed', { parameters: { x: 'b' } }, owner.token);
      for (const id of ['1', '2']) store.startTrial('seed', id, { startTime: 't' }, owner.token);
      const measurement = { step: 1, metrics: { accuracy: 0.2 }, elapsedSeconds: 1 };
      store.addMeasurements('seed', '1', [measurement], owner.token);
      store.stopTrial('seed', '1', owner.token);
      const stopped = store.finishTrial('seed', '1', { state: 'SUCCEEDED', finalMeasurement: measurement, endTime: 't', stoppedEarly: true }, owner.token);
      expect(stopped).toMatchObject({ state: 'SUCCEEDED', finalMeasurement: measurement, stoppedEarly: true });
      const full = store.finishTrial('seed', '2', { state: 'SUCCEEDED', finalMeasurement: measurement, endTime: 't' }, owner.token);
      expect(full.stoppedEarly).toBeUndefined();
      expect(store.getTrials('seed').map((trial) => trial.stoppedEarly)).toEqual([true, undefined]);
    });

    it('stores the step a rule stopped a trial at, keeps later reports apart, and drops the decision when the trainer finished first', () => {
      store.createStudy(definition(), owner);
      for (const x of ['a', 'b']) store.createTrial('seed', { parameters: { x } }, owner.token);
      for (const id of ['1', '2']) store.startTrial('seed', id, { startTime: 't' }, owner.token);
      const at = (step: number) => ({ step, metrics: { accuracy: step / 10 }, elapsedSeconds: step });
      for (const id of ['1', '2']) {
        store.addMeasurements('seed', id, [at(1), at(2)], owner.token);
        expect(store.stopTrial('seed', id, owner.token, { stoppedAtStep: 2 })).toMatchObject({ state: 'STOPPING', stoppedAtStep: 2 });
        store.addMeasurements('seed', id, [at(3)], owner.token);
        expect(store.getTrial('seed', id)).toMatchObject({ measurements: [at(1), at(2)], measurementsAfterStop: [at(3)] });
      }
      const stoppedSummary = store.finishTrial('seed', '1', { state: 'SUCCEEDED', finalMeasurement: at(2), endTime: 't', stoppedEarly: true }, owner.token);
      const stopped = store.getTrial('seed', '1');
      expect(stopped).toMatchObject({ stoppedEarly: true, stoppedAtStep: 2, measurements: [at(1), at(2)], measurementsAfterStop: [at(3)] });
      const finishedFirstSummary = store.finishTrial('seed', '2', { state: 'SUCCEEDED', finalMeasurement: at(3), endTime: 't' }, owner.token);
      const finishedFirst = store.getTrial('seed', '2');
      expect(finishedFirst?.measurements).toEqual([at(1), at(2), at(3)]);
      expect(finishedFirst?.stoppedAtStep).toBeUndefined();
      expect(finishedFirst?.measurementsAfterStop).toBeUndefined();
      expect(store.getTrials('seed')).toEqual([stopped, finishedFirst]);
      // What the writer holds, joined to what the writes returned, is what is stored.
      const held = { measurements: [at(1), at(2)], measurementsAfterStop: [at(3)] };
      expect([withCurves(stoppedSummary, held), withCurves(finishedFirstSummary, held)]).toEqual([stopped, finishedFirst]);
    });

    it('numbers trials 1, 2, ... and records failures and stops', () => {
      store.createStudy(definition(), owner);
      for (const x of ['a', 'b', 'c']) store.createTrial('seed', { parameters: { x } }, owner.token);
      expect(store.getTrials('seed').map((trial) => trial.id)).toEqual(['1', '2', '3']);
      expect(codeOf(() => store.addMeasurements('seed', '2', [{ step: 0, metrics: {}, elapsedSeconds: 0 }], owner.token))).toBe('INVALID_TRIAL_STATE');
      store.startTrial('seed', '2', { startTime: 't' }, owner.token);
      expect(codeOf(() => store.startTrial('seed', '2', { startTime: 't' }, owner.token))).toBe('INVALID_TRIAL_STATE');
      expect(store.stopTrial('seed', '2', owner.token).state).toBe('STOPPING');
      const failure = { kind: 'timeout' as const, reason: 'stopped after the 1 s trial timeout', signal: 'SIGTERM', stderrTail: 'epoch 1' };
      expect(store.finishTrial('seed', '2', { state: 'INFEASIBLE', failure, endTime: 't' }, owner.token)).toMatchObject({ state: 'INFEASIBLE', failure });
      expect(codeOf(() => store.addMeasurements('seed', '3', [{ step: -1, metrics: {}, elapsedSeconds: 0 }], owner.token))).toBe('INVALID_TRIAL_STATE');
      store.startTrial('seed', '3', { startTime: 't' }, owner.token);
      expect(codeOf(() => store.addMeasurements('seed', '3', [{ step: -1, metrics: {}, elapsedSeconds: 0 }], owner.token))).toBe('INVALID_MEASUREMENT');
      expect(codeOf(() => store.startTrial('seed', '9', { startTime: 't' }, owner.token))).toBe('TRIAL_NOT_FOUND');
      expect(store.getTrial('seed', '9')).toBeUndefined();
      store.setStudyState('seed', 'COMPLETED', owner.token);
      expect(store.getStudy('seed')?.state).toBe('COMPLETED');
    });

    it('asks the caller whether to take a lease another owner holds, inside the store, and never for its own', () => {
      store.createStudy(definition(), owner);
      const second = newOwner();
      const asked: string[] = [];
      expect(store.acquireLease('seed', owner, { takeOver: () => { throw new Error('not asked for its own lease'); } }).lease.token).toBe(owner.token);
      const refusal = new HptuneError('STUDY_LOCKED', 'held');
      expect(() => store.acquireLease('seed', second, { takeOver: (held) => { asked.push(held.token); throw refusal; } })).toThrow(refusal);
      expect(asked).toEqual([owner.token]);
      expect(store.getStudy('seed')?.lease?.token).toBe(owner.token);
      expect(codeOf(() => store.createTrial('seed', { parameters: {} }, second.token))).toBe('LEASE_LOST');
      expect(codeOf(() => store.acquireLease('missing', second, { takeOver: () => true }))).toBe('STUDY_NOT_FOUND');
    });

    it('takes the lease over when the caller says so, after which the old holder cannot write', () => {
      store.createStudy(definition(), owner);
      const second = newOwner();
      const grant = store.acquireLease('seed', second, { takeOver: () => true });
      expect(grant.lease.token).toBe(second.token);
      expect(grant.takenOver?.token).toBe(owner.token);
      expect(codeOf(() => store.createTrial('seed', { parameters: {} }, owner.token))).toBe('LEASE_LOST');
      store.createTrial('seed', { parameters: {} }, second.token);
    });

    it('frees a released lease: the next owner takes it without asking', () => {
      store.createStudy(definition(), owner);
      store.releaseLease('seed', newOwner().token);
      expect(store.getStudy('seed')?.lease?.token).toBe(owner.token);
      store.releaseLease('seed', owner.token);
      expect(store.getStudy('seed')?.lease).toBeUndefined();
      expect(store.acquireLease('seed', newOwner(), { takeOver: () => { throw new Error('not asked for a free lease'); } }).takenOver).toBeUndefined();
    });

    it('interrupts a dead coordinator\'s running trials: old records kept, each queued again once', () => {
      store.createStudy(definition(), owner);
      for (const x of ['a', 'b', 'c', 'd']) store.createTrial('seed', { parameters: { x } }, owner.token);
      const process = { pid: 4242, hostname: 'here', processStart: '99' };
      store.startTrial('seed', '1', { startTime: 't', process }, owner.token);
      store.addMeasurements('seed', '1', [{ step: 1, metrics: { accuracy: 0.3 }, elapsedSeconds: 1 }], owner.token);
      store.finishTrial('seed', '1', { state: 'SUCCEEDED', finalMeasurement: { step: 1, metrics: { accuracy: 0.3 }, elapsedSeconds: 1 }, endTime: 't' }, owner.token);
      store.startTrial('seed', '2', { startTime: 't', process }, owner.token);
      store.addMeasurements('seed', '2', [{ step: 1, metrics: { accuracy: 0.4 }, elapsedSeconds: 1 }], owner.token);
      store.startTrial('seed', '3', { startTime: 't' }, owner.token);
      store.stopTrial('seed', '3', owner.token);

      const interrupted = store.interruptTrials('seed', 'later', owner.token);
      expect(interrupted.map((entry) => [entry.trial.id, entry.retry.id, entry.retry.parameters.x])).toEqual([
        ['2', '5', 'b'],
        ['3', '6', 'c'],
      ]);
      expect(interrupted[0]?.process).toEqual(process);
      const trials = store.getTrials('seed');
      expect(trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'INFEASIBLE', 'INFEASIBLE', 'REQUESTED', 'REQUESTED', 'REQUESTED']);
      expect(trials[1]?.failure?.kind).toBe('interrupted');
      expect(trials[1]?.measurements).toEqual([{ step: 1, metrics: { accuracy: 0.4 }, elapsedSeconds: 1 }]);
      expect(trials[4]?.retryOf).toBe('2');
      expect(store.interruptTrials('seed', 'later', owner.token)).toEqual([]);
    });

    it('tells the process a trial started with, and interrupts one trial at a time for a resumed study that adopted it', () => {
      store.createStudy(definition(), owner);
      for (const x of ['a', 'b']) store.createTrial('seed', { parameters: { x } }, owner.token);
      const process = { pid: 4242, hostname: 'here', processStart: '99' };
      store.startTrial('seed', '1', { startTime: 't', process }, owner.token);
      store.startTrial('seed', '2', { startTime: 't' }, owner.token);
      expect(store.getTrialProcess('seed', '1')).toEqual(process);
      expect(store.getTrialProcess('seed', '2')).toBeUndefined();
      expect(codeOf(() => store.getTrialProcess('seed', '9'))).toBe('TRIAL_NOT_FOUND');

      const interrupted = store.interruptTrial('seed', '1', 'later', owner.token);
      expect([interrupted.trial.state, interrupted.trial.failure?.kind, interrupted.retry.id, interrupted.retry.retryOf]).toEqual(['INFEASIBLE', 'interrupted', '3', '1']);
      expect(interrupted.process).toEqual(process);
      expect(store.getTrials('seed').map((trial) => trial.state)).toEqual(['INFEASIBLE', 'ACTIVE', 'REQUESTED']);
      expect(codeOf(() => store.interruptTrial('seed', '1', 'later', owner.token))).toBe('TRIAL_FINISHED');
      expect(codeOf(() => store.interruptTrial('seed', '3', 'later', owner.token))).toBe('INVALID_TRIAL_STATE');
      expect(codeOf(() => store.interruptTrial('seed', '2', 'later', newOwner().token))).toBe('LEASE_LOST');
    });
  });
}
