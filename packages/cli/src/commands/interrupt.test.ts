import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStudy } from '@hptune/core';
import { runCli } from '../../test/cli-harness.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** `hptune study run` as a child process, as a user's terminal runs it; its output gathered. */
function studyRun(name: string, studyDir: string, flags: readonly string[]) {
  const child = spawn(
    process.execPath,
    [bin, 'study', 'run', '--name', name, '--study-dir', studyDir, '--max-parallel-trial-count', '1', '--train-size', '256', '--test-size', '64', '--tfjs-backend', 'wasm', ...flags],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((wake) => wake());
  child.stdout.on('data', (chunk: Buffer) => ((output.stdout += chunk.toString()), notify()));
  child.stderr.on('data', (chunk: Buffer) => ((output.stderr += chunk.toString()), notify()));
  /** Resolves once `stream` holds `text`. */
  const seen = async (stream: 'stdout' | 'stderr', text: string) => {
    while (!output[stream].includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output, seen, exited };
}

/** The trial counts line each command prints, e.g. `1 succeeded, 0 failed, 1 trials`. */
const countsIn = (text: string) => /\d+ succeeded, \d+ failed(, \d+ \w+)*, \d+ trials/.exec(text)?.[0];

async function countsShownBy(name: string, studyDir: string): Promise<{ list: string | undefined; show: string | undefined }> {
  const list = await runCli(['study', 'list', '--study-dir', studyDir]);
  const show = await runCli(['study', 'show', name, '--study-dir', studyDir]);
  return { list: countsIn(list.stdout), show: countsIn(show.stdout) };
}

describe('Ctrl-C during hptune study run', () => {
  it('once: starts no new trial, lets the running one finish, and counts it the same in run, list and show', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-interrupt-'));
    const run = studyRun('drained', studyDir, ['--max-trial-count', '2', '--num-epochs', '1']);
    await run.seen('stdout', 'trial 1 started');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toContain('no new trials start; the 1 running trial finishes first. Press Ctrl-C again to stop them now');
    expect(run.output.stderr).toContain('hptune study resume drained');
    const stored = openStudy('drained', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.trials.map((trial) => [trial.id, trial.state])).toEqual([['1', 'SUCCEEDED']]);
    expect(countsIn(run.output.stdout)).toBe('1 succeeded, 0 failed, 1 trials');
    expect(await countsShownBy('drained', studyDir)).toEqual({ list: '1 succeeded, 0 failed, 1 trials', show: '1 succeeded, 0 failed, 1 trials' });
  }, 90_000);

  it('twice: stops the running trials, recorded cancelled (never failed) in run, list and show, and exits 130', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-interrupt-'));
    const run = studyRun('stopped', studyDir, ['--num-epochs', '50']);
    await run.seen('stdout', 'trial 1 started');
    run.child.kill('SIGINT');
    await run.seen('stderr', 'Press Ctrl-C again');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.output.stderr).toContain('hptune: cancelling: stopping the running trials now');
    expect(run.output.stderr).toContain('hptune study resume stopped');
    const stored = openStudy('stopped', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.trials.map((trial) => [trial.id, trial.state, trial.failure?.kind])).toEqual([['1', 'INFEASIBLE', 'cancelled']]);
    expect(countsIn(run.output.stdout)).toBe('0 succeeded, 0 failed, 1 cancelled, 1 trials');
    expect(await countsShownBy('stopped', studyDir)).toEqual({ list: '0 succeeded, 0 failed, 1 cancelled, 1 trials', show: '0 succeeded, 0 failed, 1 cancelled, 1 trials' });
  }, 90_000);
});

describe('SIGHUP (a closed terminal) during hptune study run', () => {
  it('is the first Ctrl-C: the running trial finishes and is recorded, then it exits 129', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-hangup-'));
    const run = studyRun('hungup', studyDir, ['--max-trial-count', '2', '--num-epochs', '1']);
    await run.seen('stdout', 'trial 1 started');
    run.child.kill('SIGHUP');
    expect(await run.exited).toBe(129);
    expect(run.output.stderr).toContain('the terminal closed (SIGHUP): no new trials start; the running trials finish and are recorded');
    const stored = openStudy('hungup', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.trials.map((trial) => [trial.id, trial.state])).toEqual([['1', 'SUCCEEDED']]);
  }, 90_000);
});

describe('kill -9 of hptune study run', () => {
  it('leaves a study that study list shows INTERRUPTED, and study resume adopts the trainer still running', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-kill-'));
    const run = studyRun('killed', studyDir, ['--max-trial-count', '1', '--num-epochs', '2']);
    await run.seen('stdout', 'trial 1 started');
    run.child.kill('SIGKILL');
    await run.exited;

    const list = await runCli(['study', 'list', '--study-dir', studyDir]);
    expect(list.stdout).toMatch(/killed\s+INTERRUPTED\s/);
    expect(list.stdout).toContain('continue it with: hptune study resume killed');
    expect(openStudy('killed', { studyDir }).trials[0]?.state).toBe('ACTIVE');

    const resume = await runCli(['study', 'resume', 'killed', '--study-dir', studyDir]);
    expect(resume.code).toBe(0);
    const stored = openStudy('killed', { studyDir });
    // The same trial, trained once by the trainer the killed coordinator started: no re-run.
    expect(stored.trials.map((trial) => [trial.id, trial.state])).toEqual([['1', 'SUCCEEDED']]);
    expect(stored.trials[0]?.measurements.map((measurement) => measurement.step)).toEqual([1, 2]);
    expect((await runCli(['study', 'list', '--study-dir', studyDir])).stdout).toMatch(/killed\s+COMPLETED\s/);
  }, 90_000);
});
