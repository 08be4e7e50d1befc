import type { FrozenTrial, Measurement, StudyState, TrialSummary } from '../study/types.js';
import type { StudyDefinition } from '../study/definition.js';
import { checkMeasurement, checkTransition, deepFreeze, interruptedFailure, storeErrors } from './rules.js';
import type { InterruptedTrial, LeaseOwner, StudyLease, StudyRecord, StudyStore, TrialProcess } from './types.js';

interface MemoryTrial {
  trial: FrozenTrial;
  process?: TrialProcess;
}

interface MemoryStudy {
  record: StudyRecord;
  trials: MemoryTrial[];
}

/**
 * A study store held in memory, for tests and throw-away studies: the same contract as the SQLite
 * store, within one process. Everything is lost when the process ends.
 */
export function createMemoryStudyStore(): StudyStore {
  const studies = new Map<string, MemoryStudy>();
  let closed = false;

  const open = () => {
    if (closed) throw new Error('the study store is closed');
  };
  const study = (name: string): MemoryStudy => {
    open();
    const found = studies.get(name);
    if (!found) throw storeErrors.studyNotFound(name, 'the in-memory store');
    return found;
  };
  const leased = (name: string, token: string): MemoryStudy => {
    const found = study(name);
    if (found.record.lease?.token !== token) throw storeErrors.leaseLost(name);
    return found;
  };
  const trialOf = (found: MemoryStudy, trialId: string): MemoryTrial => {
    const entry = found.trials[Number(trialId) - 1];
    if (!entry || entry.trial.id !== trialId) throw storeErrors.trialNotFound(found.record.definition.name, trialId);
    return entry;
  };
  const touch = (found: MemoryStudy, changes: Partial<StudyRecord>) => {
    found.record = deepFreeze({ ...found.record, ...changes, updateTime: new Date().toISOString() });
  };
  const update = (entry: MemoryTrial, changes: Partial<FrozenTrial>): FrozenTrial => {
    entry.trial = deepFreeze({ ...entry.trial, ...changes });
    return entry.trial;
  };
  const recordOf = ({ measurements: _measurements, measurementsAfterStop: _after, ...record }: FrozenTrial): TrialSummary => Object.freeze(record);
  const leaseFor = (owner: LeaseOwner): StudyLease => ({ ...owner, acquiredAt: new Date().toISOString() });
  const interrupt = (found: MemoryStudy, entry: MemoryTrial, endTime: string): InterruptedTrial => {
    const trial = update(entry, { state: 'INFEASIBLE', failure: interruptedFailure(), endTime });
    const retry: FrozenTrial = deepFreeze({
      id: String(found.trials.length + 1),
      state: 'REQUESTED',
      parameters: { ...trial.parameters },
      measurements: [],
      retryOf: trial.id,
      createTime: endTime,
    });
    found.trials.push({ trial: retry });
    return { trial, retry, ...(entry.process ? { process: entry.process } : {}) };
  };

  return {
    createStudy(definition: StudyDefinition, owner: LeaseOwner) {
      open();
      if (studies.has(definition.name)) throw storeErrors.studyExists(definition.name);
      const now = new Date().toISOString();
      const record = deepFreeze({ definition: structuredClone(definition), state: 'ACTIVE' as const, createTime: now, updateTime: now, lease: leaseFor(owner) });
      studies.set(definition.name, { record, trials: [] });
      return record;
    },
    getStudy(name) {
      open();
      return studies.get(name)?.record;
    },
    listStudies() {
      open();
      return [...studies.values()].map((entry) => entry.record);
    },
    acquireLease(name, owner, options) {
      const found = study(name);
      const held = found.record.lease;
      const takeover = held && held.token !== owner.token ? options.takeOver(held) : false;
      if (held && !takeover) return { lease: held };
      const lease = leaseFor(owner);
      touch(found, { lease });
      return { lease: found.record.lease as StudyLease, ...(held ? { takenOver: held } : {}) };
    },
    releaseLease(name, token) {
      const found = study(name);
      if (found.record.lease?.token !== token) return;
      const { lease: _released, ...rest } = found.record;
      found.record = deepFreeze({ ...rest, updateTime: new Date().toISOString() });
    },
    deleteStudy(name, token) {
      leased(name, token);
      studies.delete(name);
    },
    setStudyState(name, state: StudyState, token) {
      touch(leased(name, token), { state });
    },
    createTrial(name, input, token) {
      const found = leased(name, token);
      const trial: FrozenTrial = deepFreeze({
        id: String(found.trials.length + 1),
        state: 'REQUESTED',
        parameters: { ...input.parameters },
        measurements: [],
        ...(input.retryOf === undefined ? {} : { retryOf: input.retryOf }),
        createTime: new Date().toISOString(),
      });
      found.trials.push({ trial });
      return trial;
    },
    startTrial(name, trialId, start, token) {
      const entry = trialOf(leased(name, token), trialId);
      checkTransition(name, trialId, entry.trial.state, 'start');
      if (start.process) entry.process = { ...start.process };
      return update(entry, { state: 'ACTIVE', startTime: start.startTime });
    },
    stopTrial(name, trialId, token, decision) {
      const entry = trialOf(leased(name, token), trialId);
      checkTransition(name, trialId, entry.trial.state, 'stop');
      if (decision) checkMeasurement(decision.stoppedAtStep, 0);
      return recordOf(update(entry, { state: 'STOPPING', ...(decision ? { stoppedAtStep: decision.stoppedAtStep } : {}) }));
    },
    addMeasurements(name, trialId, measurements: readonly Measurement[], token) {
      if (measurements.length === 0) return;
      const entry = trialOf(leased(name, token), trialId);
      checkTransition(name, trialId, entry.trial.state, 'measure');
      for (const measurement of measurements) checkMeasurement(measurement.step, measurement.elapsedSeconds);
      const added = measurements.map((measurement) => structuredClone(measurement));
      if (entry.trial.stoppedAtStep === undefined) update(entry, { measurements: [...entry.trial.measurements, ...added] });
      else update(entry, { measurementsAfterStop: [...(entry.trial.measurementsAfterStop ?? []), ...added] });
    },
    finishTrial(name, trialId, outcome, token) {
      const entry = trialOf(leased(name, token), trialId);
      checkTransition(name, trialId, entry.trial.state, 'finish');
      if (!(outcome.state === 'SUCCEEDED' && outcome.stoppedEarly)) {
        // The trainer finished first (or failed): the decision ended nothing, so nothing came after it.
        const { stoppedAtStep: _decision, measurementsAfterStop: after, ...rest } = entry.trial;
        entry.trial = deepFreeze({ ...rest, measurements: [...rest.measurements, ...(after ?? [])] });
      }
      const finished =
        outcome.state === 'SUCCEEDED'
          ? { state: outcome.state, finalMeasurement: structuredClone(outcome.finalMeasurement), endTime: outcome.endTime, ...(outcome.stoppedEarly ? { stoppedEarly: true } : {}) }
          : { state: outcome.state, failure: structuredClone(outcome.failure), endTime: outcome.endTime };
      return recordOf(update(entry, finished));
    },
    interruptTrials(name, endTime, token) {
      const found = leased(name, token);
      const interrupted: InterruptedTrial[] = [];
      for (const entry of [...found.trials]) {
        if (entry.trial.state !== 'ACTIVE' && entry.trial.state !== 'STOPPING') continue;
        interrupted.push(interrupt(found, entry, endTime));
      }
      return interrupted;
    },
    interruptTrial(name, trialId, endTime, token) {
      const found = leased(name, token);
      const entry = trialOf(found, trialId);
      checkTransition(name, trialId, entry.trial.state, 'interrupt');
      return interrupt(found, entry, endTime);
    },
    getTrialProcess(name, trialId) {
      const entry = trialOf(study(name), trialId);
      return entry.process ? { ...entry.process } : undefined;
    },
    getTrials(name) {
      return study(name).trials.map((entry) => entry.trial);
    },
    getTrialSummaries(name) {
      return study(name).trials.map((entry) => recordOf(entry.trial));
    },
    getTrial(name, trialId) {
      const found = study(name);
      const entry = found.trials[Number(trialId) - 1];
      return entry?.trial.id === trialId ? entry.trial : undefined;
    },
    close() {
      closed = true;
    },
  };
}
