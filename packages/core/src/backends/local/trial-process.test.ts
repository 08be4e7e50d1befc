import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Measurement, TrainerCommand } from '../../study/types.js';
import { trialPaths } from './contract.js';
import { isAccessDenied, startTrialProcess, type TrialProcessOptions } from './trial-process.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-trial-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Waits for a condition, polling, for at most 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let counter = 0;
function run(fakeArgs: string[], overrides: Partial<TrialProcessOptions> = {}) {
  counter += 1;
  const trainer: TrainerCommand = { command: process.execPath, args: [FAKE_TRAINER, ...fakeArgs], env: { FAKE_MARK: 'from-trainer', CLOUD_ML_TRIAL_ID: 'overridden?' } };
  const measurements: Measurement[] = [];
  const events: string[] = [];
  const paths = trialPaths(join(root, `study${counter}`), '7');
  const trial = startTrialProcess({
    trainer,
    studyName: 'unit',
    trialId: '7',
    parameters: { x: 3, act: 'relu' },
    paths,
    metricId: 'accuracy',
    gracePeriodSeconds: 0.3,
    pollIntervalMs: 10,
    onRunning: (process) => events.push(`running ${process.pid}`),
    onMeasurements: (batch) => measurements.push(...batch),
    onStopping: () => events.push('stopping'),
    ...overrides,
  });
  return { trial, measurements, events, paths };
}

describe('a local trial process', () => {
  it('runs the trainer with the trial contract and reads its measurements and final metric', async () => {
    const { trial, measurements, events, paths } = run(['--epochs=3', '--sleep-ms=40']);
    const { outcome } = await trial.done;
    expect(outcome).toEqual({
      state: 'SUCCEEDED',
      finalMeasurement: { step: 3, metrics: { accuracy: expect.closeTo(0.003, 9), loss: 1 / 3 }, elapsedSeconds: expect.any(Number) },
    });
    expect(measurements.map((measurement) => measurement.step)).toEqual([1, 2, 3]);
    expect(measurements[0]?.metrics).toEqual({ accuracy: 0.001, loss: 1 });
    expect(events[0]).toMatch(/^running \d+$/);

    const contract = JSON.parse(readFileSync(join(paths.trialDir, 'contract.json'), 'utf8'));
    expect(contract.argv).toEqual(['--epochs=3', '--sleep-ms=40', '--x=3', '--act=relu']);
    expect(contract.cwd).toBe(paths.trialDir);
    expect(contract.env).toEqual({
      AIP_MODEL_DIR: join(paths.trialDir, 'model'),
      AIP_CHECKPOINT_DIR: join(paths.trialDir, 'checkpoints'),
      AIP_TENSORBOARD_LOG_DIR: join(paths.trialDir, 'logs'),
      CLOUD_ML_TRIAL_ID: '7',
      CLOUD_ML_HP_METRIC_FILE: join(paths.trialDir, 'output.metrics'),
      CLOUD_ML_JOB_ID: 'unit',
      FAKE_MARK: 'from-trainer',
    });
    for (const dir of [paths.modelDir, paths.checkpointDir, paths.logDir]) expect(statSync(dir).isDirectory()).toBe(true);
    expect(readFileSync(paths.stdoutFile, 'utf8')).toContain('fake-trainer: trial 7');
    expect(readFileSync(paths.stderrFile, 'utf8')).toContain('epoch 3 done');
  });

  it('records a crash with its exit code and the last lines of stderr', async () => {
    const { outcome } = await run(['--fail=crash']).trial.done;
    expect(outcome).toEqual({
      state: 'INFEASIBLE',
      failure: { kind: 'exit-code', reason: 'exited with code 3', exitCode: 3, stderrTail: 'epoch 1 done\nfake-trainer: boom, out of memory (simulated)' },
    });
  });

  it('records a death by signal', async () => {
    const { outcome } = await run(['--fail=signal']).trial.done;
    expect(outcome).toMatchObject({ state: 'INFEASIBLE', failure: { kind: 'signal', reason: 'killed by SIGABRT', signal: 'SIGABRT' } });
  });

  it('stops a trial past its timeout with SIGTERM, keeping what it measured', async () => {
    const { trial, events, measurements } = run(['--fail=hang'], { timeoutSeconds: 1 });
    const started = performance.now();
    const { outcome } = await trial.done;
    expect(performance.now() - started).toBeLessThan(3000);
    expect(outcome).toMatchObject({
      state: 'INFEASIBLE',
      failure: { kind: 'timeout', reason: 'stopped after the 1 s trial timeout (SIGTERM)', exitCode: 143 },
    });
    expect((outcome as { failure: { stderrTail: string } }).failure.stderrTail).toContain('got SIGTERM');
    expect(events).toContain('stopping');
    expect(measurements).toHaveLength(1);
  });

  it('kills a trial that ignores SIGTERM after the grace period', async () => {
    // Long enough for Node to start and install the trainer's SIGTERM handler on a loaded machine.
    const { outcome } = await run(['--fail=hang-hard'], { timeoutSeconds: 1 }).trial.done;
    expect(outcome).toMatchObject({
      state: 'INFEASIBLE',
      failure: { kind: 'timeout', reason: 'stopped after the 1 s trial timeout (SIGTERM, then SIGKILL after 0.3 s)', signal: 'SIGKILL' },
    });
  });

  it('records a malformed metric file and a trainer that never reports the metric', async () => {
    const malformed = await run(['--fail=malformed']).trial.done;
    expect(malformed.outcome).toMatchObject({ state: 'INFEASIBLE', failure: { kind: 'malformed-metric-file', exitCode: 0 } });
    expect((malformed.outcome as { failure: { reason: string } }).failure.reason).toMatch(/^malformed metric file: metric file .* line 2 is not JSON/);

    const silent = await run(['--fail=nometric']).trial.done;
    expect(silent.outcome).toMatchObject({ state: 'INFEASIBLE', failure: { kind: 'no-metric', exitCode: 0 } });
    expect((silent.outcome as { failure: { reason: string } }).failure.reason).toMatch(/^exited with code 0 but never reported metric "accuracy"/);

    const otherMetric = await run(['--metric=f1']).trial.done;
    expect(otherMetric.outcome).toMatchObject({ state: 'INFEASIBLE', failure: { kind: 'no-metric' } });
  });

  it('records a trainer that cannot be started, without a process', async () => {
    const { trial, events } = run([], { trainer: { command: join(root, 'missing-trainer'), args: [] } });
    const { outcome } = await trial.done;
    expect(outcome).toEqual({ state: 'INFEASIBLE', failure: { kind: 'spawn-error', reason: `could not start ${JSON.stringify(join(root, 'missing-trainer'))}: ENOENT` } });
    expect(events).toEqual([]);
  });

  it('stops on request: SIGTERM to the process group, recorded as cancelled with the reason', async () => {
    const { trial, paths } = run(['--fail=hang']);
    await until(() => existsSync(paths.metricFile));
    trial.stop('the study was cancelled');
    trial.stop('twice is harmless');
    const { outcome } = await trial.done;
    expect(outcome).toMatchObject({ state: 'INFEASIBLE', failure: { kind: 'cancelled', reason: 'stopped (SIGTERM): the study was cancelled' } });
    expect(existsSync(paths.metricFile)).toBe(true);
  });

  it('ends what the trainer left in its process group after a clean exit: SIGTERM, then SIGKILL after the grace period', async () => {
    counter += 1;
    const paths = trialPaths(join(root, `study${counter}`), '1');
    const pidFile = join(root, `grandchild-${counter}.pid`);
    // A trainer that starts a child ignoring SIGTERM (in its own process group), reports, and exits 0.
    const script = join(root, `leaves-a-child-${counter}.cjs`);
    writeFileSync(
      script,
      [
        "const { spawn } = require('node:child_process');",
        "const fs = require('node:fs');",
        "const path = require('node:path');",
        "const child = spawn(process.execPath, ['-e', 'process.on(\\'SIGTERM\\', () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
        `fs.writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));`,
        'fs.mkdirSync(path.dirname(process.env.CLOUD_ML_HP_METRIC_FILE), { recursive: true });',
        'fs.writeFileSync(process.env.CLOUD_ML_HP_METRIC_FILE, JSON.stringify({ accuracy: "0.5", global_step: "1", timestamp: Date.now() / 1000 }) + "\\n");',
        'setTimeout(() => process.exit(0), 300);',
      ].join('\n'),
    );
    const trial = startTrialProcess({
      trainer: { command: process.execPath, args: [script] },
      studyName: 'unit',
      trialId: '1',
      parameters: {},
      paths,
      metricId: 'accuracy',
      gracePeriodSeconds: 0.3,
      pollIntervalMs: 10,
      onRunning: () => {},
      onMeasurements: () => {},
      onStopping: () => {},
    });
    const { outcome } = await trial.done;
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ state: 'SUCCEEDED' });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    let alive = true;
    try {
      process.kill(grandchild, 0);
      alive = !readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
    } catch {
      alive = false;
    }
    expect(alive).toBe(false);
  });

  it('tells a folder that denied access (tried again, never charged) from a failure of the trainer', () => {
    expect(isAccessDenied(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(true);
    expect(isAccessDenied(Object.assign(new Error('not permitted'), { code: 'EPERM' }))).toBe(true);
    expect(isAccessDenied(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false);
    expect(isAccessDenied(new Error('line 2 is not JSON'))).toBe(false);
    expect(isAccessDenied(undefined)).toBe(false);
  });

  it('stops early on request, and calls a trainer that had finished its run first an ordinary success', async () => {
    // Stopped while it still trains (epoch 2 of 4 is 2 s away): stopped early, with the step the rule named.
    const running = run(['--epochs=4', '--sleep-ms=2000', '--burst=1']);
    await until(() => running.measurements.length === 1);
    running.trial.stopEarly(1);
    const stopped = await running.trial.done;
    expect(stopped.outcome).toMatchObject({ state: 'SUCCEEDED', stoppedEarly: true, finalMeasurement: { step: 1 } });
    expect(running.events).toContain('stopping');

    // All 4 epochs reported and its completion marker written, still saving when the stop comes: not stopped.
    // The burst's last epoch lands in two writes (accuracy, then loss): a poll interval of 200 ms, not
    // the 10 ms above, is how long the tracker waits for the tag the step before had.
    const finished = run(['--epochs=4', '--burst=4', '--linger-ms=1500'], { pollIntervalMs: 200 });
    await until(() => finished.measurements.length === 4 && existsSync(join(finished.paths.modelDir, 'hptune-complete.json')));
    finished.trial.stopEarly(1);
    const outcome = (await finished.trial.done).outcome;
    expect(outcome).toMatchObject({ state: 'SUCCEEDED', finalMeasurement: { step: 4 } });
    expect(outcome).not.toHaveProperty('stoppedEarly');
  });
});
