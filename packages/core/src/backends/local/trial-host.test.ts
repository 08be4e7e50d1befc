import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { launchStudy } from '../../launch.js';
import { discrete, searchSpace } from '../../space/builder.js';
import { asha } from '../../stopping/asha.js';
import { local } from './backend.js';
import { trialPaths } from './contract.js';

const HOSTED_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/hosted-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-trial-host-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const accuracy = { id: 'accuracy', goal: 'maximize' } as const;
const space = searchSpace({ x: discrete([6, 5, 4, 3, 2, 1]) });

interface LogEntry {
  readonly event: 'start' | 'end';
  readonly trial: string;
  readonly pid: number;
}

function trainerLog(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogEntry);
}

const runs = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A grid study of {@link space} with the hosted trainer given `flags`, logging to `<name>.log`. */
async function study(name: string, options: { flags?: readonly string[]; parallelTrials?: number; reuse?: boolean; earlyStopping?: ReturnType<typeof asha>; gracePeriodSeconds?: number } = {}) {
  const log = join(root, `${name}.log`);
  const studyDir = join(root, name);
  const handle = await launchStudy({
    name,
    space,
    metric: accuracy,
    algorithm: 'grid',
    parallelTrials: options.parallelTrials ?? 1,
    trainer: { command: process.execPath, args: [HOSTED_TRAINER, ...(options.flags ?? []), `--log=${log}`], reusable: true },
    studyDir,
    backend: local({ pollIntervalMs: 10, stopGracePeriodSeconds: options.gracePeriodSeconds ?? 1, ...(options.reuse === undefined ? {} : { reuseTrainerProcesses: options.reuse }) }),
    ...(options.earlyStopping ? { earlyStopping: options.earlyStopping } : {}),
  });
  const result = await handle.wait();
  const pids = [...new Set(trainerLog(log).map((entry) => entry.pid))];
  return { ...result, pids, folder: join(studyDir, name) };
}

describe('trial hosts: a reusable trainer runs trial after trial in one process per slot', () => {
  it('runs every trial, each with its own files and value, in at most one process per parallel slot, and ends those processes with the study', { timeout: 30_000 }, async () => {
    // A long grace period: closing the hosts must not wait for it (they exit when their channel closes).
    const started = Date.now();
    const { trials, best, pids, folder } = await study('two-slots', { parallelTrials: 2, gracePeriodSeconds: 60 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(trials.map((trial) => trial.state)).toEqual(Array(6).fill('SUCCEEDED'));
    expect(best?.parameters).toEqual({ x: 6 });
    for (const trial of trials) {
      expect(trial.finalMeasurement?.metrics['accuracy']).toBeCloseTo((trial.parameters['x'] as number) / 1000);
      const paths = trialPaths(folder, trial.id);
      expect(readFileSync(paths.stdoutFile, 'utf8')).toMatch(new RegExp(`^trial ${trial.id}: \\{"x":"${String(trial.parameters['x'])}"\\}`));
      expect(readFileSync(paths.stderrFile, 'utf8')).toBe('epoch 1 done\nepoch 2 done\n');
    }
    expect(pids.length).toBeLessThanOrEqual(2);
    expect(pids.some(runs)).toBe(false);
  });

  it('starts a process per trial with reuseTrainerProcesses: false', async () => {
    const { trials, pids } = await study('no-reuse', { reuse: false });
    expect(trials.filter((trial) => trial.state === 'SUCCEEDED')).toHaveLength(6);
    expect(pids).toHaveLength(6);
  });

  it('stops a trial early inside its host, which then runs the next trial', async () => {
    const { trials, pids, folder } = await study('early', {
      flags: ['--epochs=4', '--sleep-ms=150'],
      earlyStopping: asha({ maxStep: 4, reductionFactor: 2 }),
    });
    // The grid runs the best first: every later trial is behind it at the first rung.
    expect(trials.filter((trial) => trial.stoppedEarly).map((trial) => trial.id)).toEqual(['2', '3', '4', '5', '6']);
    for (const trial of trials.slice(1)) {
      expect(trial.state).toBe('SUCCEEDED');
      expect(readFileSync(trialPaths(folder, trial.id).stderrFile, 'utf8')).toMatch(/stopped before epoch [23]\n$/);
    }
    expect(pids).toHaveLength(1);
  });

  it("fails a trial whose host dies with the host's exit code and last words, and runs the next trial in a new host", async () => {
    const { trials, pids } = await study('crash', { flags: ['--crash-when=x=5'] });
    const crashed = trials.find((trial) => trial.parameters['x'] === 5);
    expect(crashed?.state).toBe('INFEASIBLE');
    expect(crashed?.failure).toMatchObject({ kind: 'exit-code', exitCode: 3 });
    expect(crashed?.failure?.stderrTail).toContain('epoch 1 done');
    expect(crashed?.failure?.stderrTail).toContain(`hosted-trainer: crashing in trial ${crashed?.id}`);
    expect(trials.filter((trial) => trial.state === 'SUCCEEDED')).toHaveLength(5);
    expect(pids).toHaveLength(2);
  });

  it('fails a trial that throws with exit code 1 and its error, and its host goes on', async () => {
    const { trials, pids } = await study('throw', { flags: ['--throw-when=x=4'] });
    const failed = trials.find((trial) => trial.parameters['x'] === 4);
    expect(failed?.failure).toMatchObject({ kind: 'exit-code', exitCode: 1 });
    expect(failed?.failure?.stderrTail).toContain('hosted-trainer: cannot train x=4');
    expect(trials.filter((trial) => trial.state === 'SUCCEEDED')).toHaveLength(5);
    expect(pids).toHaveLength(1);
  });

  it('refuses a reuseTrainerProcesses or a trainer.reusable that is not a boolean, naming the field, before anything is written', async () => {
    const studyDir = join(root, 'refused');
    const base = { name: 'refused', space, metric: accuracy, algorithm: 'grid', parallelTrials: 1, studyDir } as const;
    const trainer = { command: process.execPath, args: [HOSTED_TRAINER] };
    const launches = [
      launchStudy({ ...base, trainer, backend: local({ reuseTrainerProcesses: 'yes' as unknown as boolean }) }),
      launchStudy({ ...base, trainer: { ...trainer, reusable: 1 as unknown as boolean }, backend: local() }),
    ];
    await expect(launches[0]).rejects.toThrow(ValidationError);
    await expect(launches[0]).rejects.toThrow(/backend\.reuseTrainerProcesses.*"yes".*is not true or false/);
    await expect(launches[1]).rejects.toThrow(/trainer\.reusable.*1.*is not true or false.*serveTrials/);
    expect(existsSync(join(studyDir, 'refused'))).toBe(false);
  });
});
