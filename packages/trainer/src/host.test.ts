import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TRIAL_HOST_VARIABLE, readMetricFile, readTrialCompletion, type TrialHostReply, type TrialHostRequest } from '@hptune/trial';
import { lenet5Trainer, trainerBinPath } from './command.js';

const root = mkdtempSync(join(tmpdir(), 'hptune-trainer-host-'));
const hosts: ChildProcess[] = [];
afterAll(() => {
  for (const host of hosts) if (host.exitCode === null) host.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

// Small runs: what is compared is the numbers, not how good they are.
const trainer = lenet5Trainer({ flags: { numEpochs: 2, trainSize: 512, testSize: 200, tfjsBackend: 'wasm', resume: false } });

/** The trial contract's environment for trial `id` under `dir`, as the local backend gives it. */
function trialEnv(id: string, dir: string): Record<string, string> {
  for (const sub of ['model', 'checkpoints', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  return {
    ...(process.env as Record<string, string>),
    CLOUD_ML_TRIAL_ID: id,
    CLOUD_ML_HP_METRIC_FILE: join(dir, 'output.metrics'),
    AIP_MODEL_DIR: join(dir, 'model'),
    AIP_CHECKPOINT_DIR: join(dir, 'checkpoints'),
    AIP_TENSORBOARD_LOG_DIR: join(dir, 'logs'),
  };
}

/** The metric reports of the trial in `dir`, without their timestamps. */
const reports = (dir: string) => readMetricFile(join(dir, 'output.metrics')).map(({ tag, value, globalStep, trial }) => ({ tag, value, globalStep, trial }));

/** Starts hptune-train as a trial host, as the local backend does. */
let hostsStarted = 0;
function startHost(): { host: ChildProcess; run: (id: string, args: string[]) => string; ended: (id: string) => Promise<number>; stop: (id: string) => void } {
  const host = spawn(trainer.command, trainer.args, { env: { ...process.env, [TRIAL_HOST_VARIABLE]: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  hosts.push(host);
  const folder = `host-${(hostsStarted += 1)}`;
  const send = (message: TrialHostRequest) => host.send(message);
  return {
    host,
    run(id, args) {
      const dir = join(root, folder, `trial-${id}`);
      mkdirSync(dir, { recursive: true });
      for (const file of ['stdout.log', 'stderr.log']) writeFileSync(join(dir, file), '');
      send({ type: 'hptune:run-trial', trialId: id, args, env: trialEnv(id, dir), cwd: dir, stdoutFile: join(dir, 'stdout.log'), stderrFile: join(dir, 'stderr.log') });
      return dir;
    },
    ended: (id) =>
      new Promise((resolve, reject) => {
        const onMessage = (message: TrialHostReply) => {
          if (message.type !== 'hptune:trial-ended' || message.trialId !== id) return;
          host.off('message', onMessage);
          resolve(message.exitCode);
        };
        host.on('message', onMessage);
        host.once('exit', (code) => reject(new Error(`the host exited with ${code} during trial ${id}`)));
      }),
    stop: (id) => send({ type: 'hptune:stop-trial', trialId: id }),
  };
}

describe.skipIf(!existsSync(trainerBinPath()))('hptune-train as a trial host', () => {
  it('trains a trial after another exactly as a fresh process does: the same reports, its own files, and exits once its channel closes', async () => {
    const { host, run, ended } = startHost();
    const first = run('1', ['--activation=relu', '--optimizer=adam', '--batch_size=64']);
    expect(await ended('1')).toBe(0);
    const second = run('2', ['--activation=leakyrelu', '--optimizer=sgd', '--batch_size=32']);
    expect(await ended('2')).toBe(0);

    const fresh = join(root, 'fresh-2');
    mkdirSync(fresh, { recursive: true });
    await promisify(execFile)(trainer.command, [...trainer.args, '--activation=leakyrelu', '--optimizer=sgd', '--batch_size=32'], { env: trialEnv('2', fresh) });
    expect(reports(second)).toEqual(reports(fresh));
    expect(reports(second).map((report) => report.globalStep)).toEqual([1, 2]);
    expect(readTrialCompletion(join(second, 'model'))).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(first, 'stdout.log'), 'utf8')).toContain('LeNet-5: activation relu, optimizer adam');
    expect(readFileSync(join(second, 'stdout.log'), 'utf8')).toContain('LeNet-5: activation leakyrelu, optimizer sgd');
    expect(readFileSync(join(second, 'stdout.log'), 'utf8')).not.toContain('activation relu,');

    const exited = new Promise((resolve) => host.once('exit', resolve));
    host.disconnect();
    expect(await exited).toBe(0);
  }, 120_000);

  it('ends a trial it is asked to stop, before its last epoch and without its completion marker, and trains the next', async () => {
    const { host, run, ended, stop } = startHost();
    const stopped = run('1', ['--activation=relu', '--optimizer=adam', '--batch_size=32', '--train-size=4096', '--num-epochs=200']);
    const exitCode = ended('1');
    // Stop once the first epoch is reported.
    while (!existsSync(join(stopped, 'output.metrics'))) await new Promise((resolve) => setTimeout(resolve, 20));
    stop('1');
    expect(await exitCode).toBe(1);
    expect(reports(stopped).length).toBeLessThan(200);
    expect(readTrialCompletion(join(stopped, 'model'))).toBeUndefined();
    expect(readFileSync(join(stopped, 'stderr.log'), 'utf8')).toContain('hptune-train: stopped: trial 1 was asked to stop; its trial host goes on with the next trial');
    const next = run('2', ['--activation=relu', '--optimizer=sgd', '--batch_size=64']);
    expect(await ended('2')).toBe(0);
    expect(reports(next)).toHaveLength(2);
    host.disconnect();
  }, 120_000);
});
