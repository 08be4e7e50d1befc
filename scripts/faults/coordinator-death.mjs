// Coordinator death: `kill -9` of the coordinator process alone (its trainers live on, as after an
// OOM kill) at seeded moments of a 27-trial study, resuming after each. At the end every
// combination is decided exactly once (one SUCCEEDED trial each, none run twice to success), every
// trial recorded finished before a kill is unchanged, the store passes `PRAGMA integrity_check`
// after every kill, and no trainer is left running once the resumed study has ended.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CaseResult, problemList } from './lib/cases.mjs';
import { FAULTY_TRAINER, importCore, integrityCheck, isRunning, loggedTrainers, scratchDir, sleep, startCoordinator, waitFor } from './lib/env.mjs';

const combinationOf = (parameters) => `${parameters.a}/${parameters.b}/${parameters.c}`;

export async function run({ full, random }) {
  // The study author's entry and the local backend's (`STUDY_STORE_FILE`).
  const core = { ...(await importCore()), ...(await importCore('local')) };
  const dir = scratchDir('death');
  const studyDir = join(dir, 'studies');
  const storeFile = join(studyDir, core.STUDY_STORE_FILE);
  const log = join(dir, 'trainers.log');
  const backend = { pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 };
  const name = 'death';
  const kills = full ? 20 : 8;
  const space = core.searchSpace({ a: core.discrete([1, 2, 3]), b: core.discrete([10, 20, 30]), c: core.discrete([100, 200, 300]) });
  const killCase = new CaseResult(`coordinator death: kill -9 at ${kills} seeded moments of a 27-trial study`, 'the killed coordinator is shown dead; PRAGMA integrity_check ok; every trial finished before the kill is unchanged at the end');
  const endCase = new CaseResult('coordinator death: the study resumed after every kill', 'COMPLETED; each of the 27 combinations SUCCEEDED exactly once, the rest INFEASIBLE interrupted; no trainer running after the end');

  const snapshots = [];
  let coordinator = startCoordinator('launch', {
    name,
    space: core.searchSpaceToJSON(space),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 3,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=3', '--sleep-ms=40', `--log=${log}`] },
    studyDir,
    backend,
  });
  let finishedEarly = false;
  for (let kill = 1; kill <= kills; kill++) {
    // Most kills come while trials run; some while the coordinator is still starting (opening the store, taking the lease).
    if (random() < 0.8) await waitFor(() => coordinator.output().includes('"launched"') || coordinator.child.exitCode !== null, { timeoutMs: 15_000 });
    await sleep(random.int(0, 600));
    if (coordinator.child.exitCode !== null) {
      finishedEarly = true;
      break;
    }
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    await killCase.attempt(`kill ${kill}`, () => {
      const { problems, expect } = problemList();
      const integrity = existsSync(storeFile) ? integrityCheck(storeFile) : 'ok';
      expect(integrity === 'ok', `integrity_check: ${integrity}`);
      try {
        const stored = core.openStudy(name, { studyDir });
        expect(stored.coordinator === undefined || stored.coordinator.liveness === 'dead', `coordinator shown ${stored.coordinator?.liveness}`);
        snapshots.push({ kill, trials: stored.trials.filter((trial) => trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE') });
      } catch (error) {
        // Killed before the study was created: nothing stored yet is a correct state.
        expect(error.code === 'STUDY_NOT_FOUND', `openStudy: ${error.message}`);
      }
      return problems;
    });
    const stored = (() => {
      try {
        return core.openStudy(name, { studyDir });
      } catch {
        return undefined;
      }
    })();
    coordinator = stored
      ? startCoordinator('resume', { name, studyDir, backend })
      : startCoordinator('launch', JSON.parse(coordinator.child.spawnargs.at(-1)));
  }
  const last = await coordinator.exited;
  await endCase.attempt(`seed run, ${snapshots.length} kills${finishedEarly ? ' (finished before the last kill)' : ''}`, () => {
    const { problems, expect } = problemList();
    expect(/"done","state":"COMPLETED"/.test(last.stdout), `the last resume ended: ${last.stdout.trim().split('\n').at(-1)} ${last.stderr.slice(-300)}`);
    const { trials, study } = core.openStudy(name, { studyDir });
    expect(study.state === 'COMPLETED', `study state ${study.state}`);
    const successes = new Map();
    for (const trial of trials) {
      if (trial.state === 'SUCCEEDED') successes.set(combinationOf(trial.parameters), (successes.get(combinationOf(trial.parameters)) ?? 0) + 1);
      else expect(trial.state === 'INFEASIBLE' && trial.failure?.kind === 'interrupted', `trial ${trial.id}: ${trial.state} ${JSON.stringify(trial.failure)}`);
    }
    expect(successes.size === 27, `${successes.size} of 27 combinations succeeded`);
    for (const [combination, times] of successes) expect(times === 1, `${combination} succeeded ${times} times`);
    const integrity = integrityCheck(storeFile);
    expect(integrity === 'ok', `integrity_check: ${integrity}`);
    for (const snapshot of snapshots) {
      for (const before of snapshot.trials) {
        const after = trials.find((trial) => trial.id === before.id);
        expect(JSON.stringify(after) === JSON.stringify(before), `trial ${before.id}, finished before kill ${snapshot.kill}, changed`);
      }
    }
    // Reported, not failed: a trainer that finished while no coordinator watched is run again on resume
    // unless resume adopts its result.
    const ends = new Map();
    for (const entry of loggedTrainers(log).filter((line) => line.event === 'end')) ends.set(combinationOf(entry.parameters), (ends.get(combinationOf(entry.parameters)) ?? 0) + 1);
    endCase.checked += ` (this run: ${[...ends.values()].filter((times) => times > 1).length} combinations' trainers ran to their end twice, one result recorded)`;
    const running = loggedTrainers(log).filter((entry) => entry.event === 'start' && isRunning(entry));
    expect(running.length === 0, `${running.length} trainers still running: pids ${running.map((entry) => entry.pid).join(', ')}`);
    for (const entry of running) process.kill(entry.pid, 'SIGKILL');
    return problems;
  });
  return [killCase, endCase];
}
