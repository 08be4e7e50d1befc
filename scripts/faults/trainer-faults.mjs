// Trainer faults: trainers killed by signals, exiting non-zero, stopped (SIGSTOP) past the trial
// timeout, writing garbage or half a metric file, flooding stderr. Each trial ends INFEASIBLE with
// the failure kind the contract names, the study goes on, maxFailedTrials stops it, and the
// coordinator's memory stays bounded.
import { join } from 'node:path';
import { CaseResult, problemList } from './lib/cases.mjs';
import { FAULTY_TRAINER, importCore, scratchDir } from './lib/env.mjs';

export async function run({ full, random }) {
  const core = await importCore();
  const dir = scratchDir('trainer');
  const stderrMiB = full ? 64 : 16;
  const expected = {
    ok: 'SUCCEEDED',
    'signal:SIGKILL': 'signal',
    'signal:SIGSEGV': 'signal',
    'signal:SIGTERM': 'signal',
    'exit:3': 'exit-code',
    'exit:255': 'exit-code',
    stop: 'timeout',
    garbage: 'malformed-metric-file',
    half: 'malformed-metric-file',
    [`stderr:${stderrMiB}`]: 'exit-code',
  };
  const modes = Object.keys(expected);
  const repeats = full ? 5 : 2;
  const xs = Array.from({ length: repeats }, (_, index) => index + 1 + random.int(0, 1000) * 10);
  const rows = [];

  const faults = new CaseResult('trainer faults: signals, exit codes, SIGSTOP past the timeout, garbage and half-written metric files, stderr floods', 'INFEASIBLE with the right failure kind (signal, exit-code, timeout, malformed-metric-file), a bounded stderr tail; the other trials succeed');
  const memory = new CaseResult(`trainer faults: coordinator memory`, `RSS grows under 64 MiB while trials write ${stderrMiB} MiB of stderr each`);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const handle = await core.launchStudy({
    name: 'trainer-faults',
    space: core.searchSpace({ mode: core.categorical(modes), x: core.discrete(xs) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 2,
    trialTimeoutSeconds: 2,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--fault-param=mode', '--epochs=3'] },
    studyDir: join(dir, 'studies'),
    backend: core.local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 }),
  });
  const result = await handle.wait().catch((error) => ({ error }));
  clearInterval(sampler);
  if (result.error) {
    faults.record('the study', [`ended with ${result.error.code}: ${result.error.message}`]);
    return [faults, memory];
  }
  faults.record('the study completes', result.study.state === 'COMPLETED' ? [] : [`state ${result.study.state}`]);
  for (const trial of result.trials) {
    const { problems, expect } = problemList();
    const want = expected[trial.parameters.mode];
    if (want === 'SUCCEEDED') expect(trial.state === 'SUCCEEDED', `${trial.state} ${JSON.stringify(trial.failure)}`);
    else expect(trial.state === 'INFEASIBLE' && trial.failure?.kind === want, `expected INFEASIBLE ${want}, got ${trial.state} ${JSON.stringify(trial.failure)}`);
    const tail = trial.failure?.stderrTail ?? '';
    expect(tail.split('\n').length <= 20 && tail.length <= 16 * 1024, `stderr tail of ${tail.length} characters`);
    faults.record(`trial ${trial.id} (${trial.parameters.mode})`, problems);
  }
  const grown = (peak - baseline) / 1024 / 1024;
  memory.checked += ` (this run: +${grown.toFixed(0)} MiB)`;
  memory.record('rss', grown < 64 ? [] : [`RSS grew by ${grown.toFixed(0)} MiB`]);
  rows.push(faults, memory);

  const limit = new CaseResult('trainer faults: maxFailedTrials', 'a study of failing trainers stops FAILED (STUDY_FAILED) after exactly maxFailedTrials failures; no further trial starts');
  for (let attempt = 0; attempt < (full ? 3 : 1); attempt++) {
    const maxFailedTrials = random.int(1, 4);
    const failing = await core.launchStudy({
      name: `max-failed-${attempt}`,
      space: core.searchSpace({ x: core.discrete([1, 2, 3, 4, 5, 6, 7, 8]) }),
      metric: { id: 'accuracy', goal: 'maximize' },
      algorithm: 'grid',
      parallelTrials: 1,
      maxFailedTrials,
      trainer: { command: process.execPath, args: [FAULTY_TRAINER, `--fault=${random.pick(['exit:1', 'signal:SIGKILL', 'garbage'])}`] },
      studyDir: join(dir, 'studies'),
      backend: core.local({ pollIntervalMs: 20 }),
    });
    const outcome = await failing.wait().then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    const { problems, expect } = problemList();
    expect(outcome.error?.code === 'STUDY_FAILED', `ended with ${outcome.error?.code ?? 'success'}`);
    const trials = core.openStudy(`max-failed-${attempt}`, { studyDir: join(dir, 'studies') }).trials;
    expect(trials.length === maxFailedTrials && trials.every((trial) => trial.state === 'INFEASIBLE'), `maxFailedTrials ${maxFailedTrials}: ${trials.length} trials ran`);
    limit.record(`maxFailedTrials ${maxFailedTrials}`, problems);
  }
  rows.push(limit);
  return rows;
}
