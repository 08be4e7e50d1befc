import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStudy } from '@hptune/core';
import { runCli } from '../../test/cli-harness.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');
const EPOCHS = 4;
/** One trial of hptune's own trainer, long enough per epoch (about a second here) to be killed inside one. */
const STUDY_FLAGS = ['--max-trial-count', '1', '--max-parallel-trial-count', '1', '--num-epochs', String(EPOCHS), '--train-size', '12000', '--test-size', '500', '--tfjs-backend', 'wasm'];

/** The summary line hptune-train prints after `epoch` of {@link EPOCHS}, with its test accuracy. */
const epochLines = (log: string) => [...log.matchAll(/^epoch (\d+)\/\d+: .*test loss [\d.]+ accuracy ([\d.]+)%/gm)].map((match) => ({ epoch: Number(match[1]), accuracy: match[2] }));

/**
 * The trainer `hptune study run` started: its child running hptune-train (the leader of its own
 * process group), found in /proc, as Linux shows every process's parent and command line.
 */
function trainerPid(coordinatorPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces, so read after its ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === coordinatorPid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('trainer')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('hptune study resume after the machine went down mid-trial', () => {
  it('reruns the interrupted trial from its last checkpoint: 4 epochs in all, the accuracy of an uninterrupted run', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-resume-'));

    // The same trial, never interrupted: what the resumed one must end with.
    const whole = await runCli(['study', 'run', '--name', 'whole', '--study-dir', studyDir, ...STUDY_FLAGS]);
    expect(whole.code, whole.stderr).toBe(0);
    const wholeLog = readFileSync(join(studyDir, 'whole', '1', 'stdout.log'), 'utf8');
    const uninterrupted = epochLines(wholeLog);
    expect(uninterrupted.map((line) => line.epoch)).toEqual([1, 2, 3, 4]);

    // The study again, killed (coordinator and trainer, as a power cut would) a quarter into epoch 3.
    const coordinator = spawn(process.execPath, [bin, 'study', 'run', '--name', 'cut', '--study-dir', studyDir, ...STUDY_FLAGS], { stdio: 'ignore' });
    const exited = new Promise((resolve) => coordinator.on('exit', resolve));
    const cutLog = join(studyDir, 'cut', '1', 'stdout.log');
    await until(() => (existsSync(cutLog) && /^epoch 3\/4 +25%/m.test(readFileSync(cutLog, 'utf8')) ? true : undefined), 'the trainer to be a quarter into epoch 3');
    const trainer = await until(() => trainerPid(coordinator.pid as number), 'the trainer process');
    coordinator.kill('SIGKILL');
    process.kill(-trainer, 'SIGKILL');
    await exited;
    const killedLog = readFileSync(cutLog, 'utf8');
    expect(epochLines(killedLog).map((line) => line.epoch)).toEqual([1, 2]);
    expect(existsSync(join(studyDir, 'cut', '1', 'checkpoints', 'checkpoint.bin'))).toBe(true);

    const resumed = await runCli(['study', 'resume', 'cut', '--study-dir', studyDir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const { trials } = openStudy('cut', { studyDir });
    expect(trials.map((trial) => [trial.id, trial.state, trial.failure?.kind, trial.retryOf])).toEqual([
      ['1', 'INFEASIBLE', 'interrupted', undefined],
      ['2', 'SUCCEEDED', undefined, '1'],
    ]);
    expect(trials[1]?.parameters).toEqual(trials[0]?.parameters);

    // The retry started after epoch 2 and trained epochs 3 and 4 only: 4 epochs in all.
    const retryLog = readFileSync(join(studyDir, 'cut', '2', 'stdout.log'), 'utf8');
    expect(retryLog).toMatch(/checkpoint: resuming after epoch 2 of 4 from .*checkpoints/);
    const retried = epochLines(retryLog);
    expect(retried.map((line) => line.epoch)).toEqual([3, 4]);
    // Training on one backend is deterministic, so "within noise" is exact here: the same accuracy
    // after epochs 3 and 4 (to the printed 0.01%) as the uninterrupted run.
    expect(retried).toEqual(uninterrupted.slice(2));
    const wholeTrial = openStudy('whole', { studyDir }).trials[0];
    expect(trials[1]?.finalMeasurement?.metrics).toEqual(wholeTrial?.finalMeasurement?.metrics);
  }, 180_000);
});
