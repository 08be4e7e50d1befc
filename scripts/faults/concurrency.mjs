// Concurrency: two runs of one study at once (exactly one runs, the other is refused naming the
// holder), a stale holder (killed with SIGKILL) taken over, two launches of one new study racing,
// and two studies in one store side by side.
import { join } from 'node:path';
import { CaseResult, problemList } from './lib/cases.mjs';
import { CLI_BIN, FAULTY_TRAINER, importCore, integrityCheck, runProcess, scratchDir, startCoordinator, waitFor } from './lib/env.mjs';

export async function run({ full }) {
  // The study author's entry and the local backend's (`STUDY_STORE_FILE`).
  const core = { ...(await importCore()), ...(await importCore('local')) };
  const dir = scratchDir('concurrency');
  const studyDir = join(dir, 'studies');
  const backend = { pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 };
  const launchOptions = (name, sleepMs = 30) => ({
    name,
    space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3, 4]) })),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=3', `--sleep-ms=${sleepMs}`] },
    studyDir,
    backend,
  });
  const succeededOnce = (name, expect) => {
    const trials = core.openStudy(name, { studyDir }).trials;
    const xs = trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort();
    expect(JSON.stringify(xs) === '[1,2,3,4]', `${name}: succeeded ${JSON.stringify(xs)}`);
  };
  const rounds = full ? 5 : 2;
  const locked = new CaseResult('concurrency: a second run of a running study', 'resumeStudy and hptune study resume are refused (STUDY_LOCKED, exit 1) naming the holder pid; the holder finishes alone');
  const stale = new CaseResult('concurrency: a stale holder (coordinator killed with SIGKILL)', 'resume takes the study over and completes it, each combination once');
  const race = new CaseResult('concurrency: two launches of one new study at once', 'exactly one runs, the other is refused with one line; every combination succeeds once');
  const sideBySide = new CaseResult('concurrency: two studies in one store at once', 'both complete, each combination once; integrity_check ok');

  for (let round = 0; round < rounds; round++) {
    const name = `held-${round}`;
    const holder = startCoordinator('launch', launchOptions(name, 150));
    await locked.attempt(`round ${round}`, async () => {
      const { problems, expect } = problemList();
      await waitFor(() => holder.output().includes('"launched"'));
      const pid = String(holder.child.pid);
      try {
        await core.resumeStudy(name, { studyDir, backend: core.local(backend) });
        expect(false, 'resumeStudy was not refused');
      } catch (error) {
        expect(error.code === 'STUDY_LOCKED' && error.message.includes(`pid ${pid}`), `resumeStudy: ${error.code} ${error.message}`);
      }
      const cli = await runProcess(process.execPath, [CLI_BIN, 'study', 'resume', name, '--study-dir', studyDir]);
      const line = cli.stderr.trim();
      expect(cli.code === 1 && !line.includes('\n') && line.includes(`pid ${pid}`), `hptune study resume: exit ${cli.code}, ${line.slice(0, 300)}`);
      // Kill the holder on odd rounds: the stale-holder case; let it finish on even ones.
      if (round % 2 === 1) {
        holder.child.kill('SIGKILL');
        await holder.exited;
        await stale.attempt(`round ${round}`, async () => {
          const taken = await startCoordinator('resume', { name, studyDir, backend }).exited;
          const inner = problemList();
          inner.expect(/"state":"COMPLETED"/.test(taken.stdout), `takeover: ${taken.stdout.trim().split('\n').at(-1)}`);
          succeededOnce(name, inner.expect);
          return inner.problems;
        });
      } else {
        const end = await holder.exited;
        expect(/"state":"COMPLETED"/.test(end.stdout), `the holder ended: ${end.stdout.trim().split('\n').at(-1)}`);
        succeededOnce(name, expect);
      }
      return problems;
    });

    const racing = `race-${round}`;
    const [a, b] = [startCoordinator('launch', launchOptions(racing)), startCoordinator('launch', launchOptions(racing))];
    const ends = await Promise.all([a.exited, b.exited]);
    await race.attempt(`round ${round}`, () => {
      const { problems, expect } = problemList();
      const completed = ends.filter((end) => /"state":"COMPLETED"/.test(end.stdout));
      const refused = ends.filter((end) => /"event":"error"/.test(end.stdout));
      expect(completed.length === 1 && refused.length === 1, `outcomes: ${ends.map((end) => end.stdout.trim().split('\n').at(-1)).join(' | ')}`);
      for (const end of refused) expect(!JSON.parse(end.stdout.trim().split('\n').at(-1)).message.includes('\n'), 'a refusal of several lines');
      succeededOnce(racing, expect);
      return problems;
    });

    const names = [`left-${round}`, `right-${round}`];
    const pair = await Promise.all(names.map((study) => startCoordinator('launch', launchOptions(study)).exited));
    await sideBySide.attempt(`round ${round}`, () => {
      const { problems, expect } = problemList();
      pair.forEach((end, index) => expect(/"state":"COMPLETED"/.test(end.stdout), `${names[index]}: ${end.stdout.trim().split('\n').at(-1)} ${end.stderr.slice(0, 200)}`));
      for (const study of names) succeededOnce(study, expect);
      const integrity = integrityCheck(join(studyDir, core.STUDY_STORE_FILE));
      expect(integrity === 'ok', `integrity_check: ${integrity}`);
      return problems;
    });
  }
  return [locked, stale, race, sideBySide];
}
