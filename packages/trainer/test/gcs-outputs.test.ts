/**
 * The trainer with gs:// outputs, end to end: the built `hptune-train` as Vertex AI runs it, its
 * Cloud Storage traffic going to the loopback GCS fixture (`HPTUNE_GCS_API_ENDPOINT`) through the
 * real `@google-cloud/storage` client.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricFile } from '@hptune/trial';
import { readLogDir } from '@hptune/outputs/tensorboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { builtTrainerBin } from '@hptune/testing/built';
import { loadMnist } from '../src/data/mnist.js';
import { loadModel } from '../src/model/save.js';
import { evaluate } from '../src/train/step.js';
import { TENSORBOARD_SCALAR_TAGS, TEST_IMAGES_TAG, TEST_PREDICTIONS_TAG } from '../src/train/tensorboard-observer.js';

const BUCKET = 'hptune-test';
const root = mkdtempSync(join(tmpdir(), 'hptune-gcs-outputs-'));
let fixture: GcsFixture;
let trainerBin: string;

beforeAll(async () => {
  trainerBin = builtTrainerBin();
  fixture = await startGcsFixture({ buckets: [BUCKET], maxDelayMs: 2_000 });
});
afterAll(async () => {
  await fixture?.close();
  rmSync(root, { recursive: true, force: true });
});

interface TrainerRun {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built trainer with the trial contract's environment plus `env`; `onLine` sees each
 * stdout line as it comes. Its temporary folder (and so its staging folders) is `tmp`.
 */
function runTrainer(options: { args: string[]; env: Record<string, string>; tmp: string; onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void }): Promise<TrainerRun> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^(AIP_|CLOUD_ML_|HPTUNE_)/.test(key)) env[key] = value;
  mkdirSync(options.tmp, { recursive: true });
  Object.assign(env, { TMPDIR: options.tmp, HPTUNE_GCS_API_ENDPOINT: fixture.url, HPTUNE_TB_SYNC_INTERVAL_MS: '200', CLOUD_ML_HP_METRIC_FILE: join(options.tmp, 'output.metrics') }, options.env);
  // In its own folder: what the trainer keeps locally (checkpoints by default) is this run's alone.
  const child = spawn(process.execPath, [trainerBin, '--tfjs-backend=wasm', ...options.args], { env, cwd: options.tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) options.onLine?.(line, (signal) => child.kill(signal));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the trainer did not finish within 60 s; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ pid: child.pid as number, code, signal, stdout, stderr });
    });
  });
}

/** The fixture's objects under `prefix`, written to a fresh local folder (names relative to the prefix). */
function download(prefix: string): string {
  const dir = mkdtempSync(join(root, 'download-'));
  for (const name of fixture.objectNames(BUCKET)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name.slice(prefix.length));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, (fixture.getObject(BUCKET, name) as { data: Buffer }).data);
  }
  return dir;
}

describe('hptune-train with gs:// outputs', () => {
  it('uploads the model verified and syncs complete TensorBoard logs, leaving no staging folder', async () => {
    const tmp = join(root, 'normal');
    const run = await runTrainer({
      tmp,
      args: ['--train-size=256', '--test-size=64', '--num-epochs=3'],
      env: { AIP_TENSORBOARD_LOG_DIR: `gs://${BUCKET}/normal/logs`, AIP_MODEL_DIR: `gs://${BUCKET}/normal/model/`, CLOUD_ML_TRIAL_ID: '3' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^TensorBoard logs verified at gs://${BUCKET}/normal/logs: 1 file, `, 'm'));
    expect(run.stdout).toContain(`model uploaded to gs://${BUCKET}/normal/model and verified: weights.bin (`);
    expect(run.stdout).toContain(`model saved to gs://${BUCKET}/normal/model (model.json + weights.bin`);

    const names = fixture.objectNames(BUCKET).filter((name) => name.startsWith('normal/'));
    expect(names.filter((name) => !name.startsWith('normal/logs/'))).toEqual(['normal/model/model.json', 'normal/model/weights.bin']);
    expect(names.filter((name) => name.startsWith('normal/logs/')).map((name) => name.slice('normal/logs/'.length))).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d{10}\./)]);

    // The logs decode whole (every record's CRCs checked, nothing cut short) with every tag.
    const logs = readLogDir(download('normal/logs/'));
    expect(logs.runs.map((candidate) => candidate.name)).toEqual(['.']);
    const [logRun] = logs.runs;
    expect(logRun?.files.map((file) => file.trailingBytes)).toEqual([0]);
    const steps = (tag: string) => logRun?.points.filter((point) => point.tag === tag).map((point) => point.step);
    for (const tag of [...Object.values(TENSORBOARD_SCALAR_TAGS), TEST_IMAGES_TAG, TEST_PREDICTIONS_TAG, 'weights/conv1/kernel', 'weights/output/bias']) expect(steps(tag), tag).toEqual([1, 2, 3]);

    // The model in the bucket is the model that scored the reported accuracy.
    const model = await loadModel(download('normal/model/'));
    const scored = await evaluate(model, loadMnist({ trainSize: 1, testSize: 64 }).test);
    model.dispose();
    const reports = readMetricFile(join(tmp, 'output.metrics'));
    expect(reports.map((report) => report.globalStep)).toEqual([1, 2, 3]);
    expect(scored.correct / 64).toBe(reports[2]?.value);

    expect(readdirSync(join(tmp, 'hptune-staging', `${run.pid}-3`))).toEqual([]);
  });

  it('on SIGTERM mid-epoch, under 503 bursts and reset connections, syncs every byte of the logs and then exits', async () => {
    const tmp = join(root, 'sigterm');
    let faultsInjected = false;
    let killed = false;
    fixture.resetStats();
    const run = await runTrainer({
      tmp,
      args: ['--train-size=1024', '--test-size=64', '--num-epochs=3', '--batch-size=32'],
      env: { AIP_TENSORBOARD_LOG_DIR: `gs://${BUCKET}/sigterm/logs`, AIP_MODEL_DIR: `gs://${BUCKET}/sigterm/model`, CLOUD_ML_TRIAL_ID: '4' },
      onLine: (line, kill) => {
        if (!faultsInjected && line.startsWith('epoch 1/3:')) {
          faultsInjected = true;
          // Hit the background syncs of epoch 2 and the final sync: a burst of 503s on uploads, a
          // connection reset before an upload is served, a compose whose answer is lost after it landed.
          fixture.inject({ times: 2, match: { method: 'POST', path: 'uploadType=' }, fault: { kind: 'status', status: 503 } });
          fixture.inject({ times: 1, match: { method: 'POST', path: 'uploadType=' }, fault: { kind: 'reset' } });
          fixture.inject({ times: 1, match: { method: 'POST', path: '/compose' }, fault: { kind: 'reset' }, phase: 'after' });
        }
        if (!killed && /^epoch 2\/3 +\d+% /.test(line)) {
          killed = true;
          kill('SIGTERM');
        }
      },
    });
    expect(killed).toBe(true);
    expect(run.signal).toBe('SIGTERM');
    expect(run.stdout).toMatch(new RegExp(`^TensorBoard logs verified at gs://${BUCKET}/sigterm/logs: `, 'm'));
    expect(run.stdout).not.toMatch(/^epoch 2\/3:/m);
    expect(fixture.stats.faultsPlayed).toBe(4);

    // Every byte of every local event file is at the destination, and nothing else is.
    const localDir = join(tmp, 'hptune-staging', `${run.pid}-4`, 'logs');
    const local = readdirSync(localDir).sort();
    expect(local.length).toBeGreaterThan(0);
    expect(fixture.objectNames(BUCKET).filter((name) => name.startsWith('sigterm/'))).toEqual(local.map((name) => `sigterm/logs/${name}`));
    for (const name of local) {
      expect((fixture.getObject(BUCKET, `sigterm/logs/${name}`) as { data: Buffer }).data.equals(readFileSync(join(localDir, name))), name).toBe(true);
    }
    // The logs are whole: epoch 1 logged, nothing cut short.
    const logs = readLogDir(localDir);
    const points = logs.runs[0]?.points ?? [];
    expect(logs.runs[0]?.files.every((file) => file.trailingBytes === 0)).toBe(true);
    expect(points.filter((point) => point.tag === 'test/accuracy').map((point) => point.step)).toEqual([1]);
    expect(existsSync(join(localDir, '..', 'model', 'model.json'))).toBe(false);
  });

  it('with --gcs-bucket, fails (exit 1) when the model cannot be uploaded, the logs still landing under gs://BUCKET/hptune/<trial>/logs', async () => {
    const tmp = join(root, 'denied');
    fixture.inject({ times: 100, match: { method: 'POST', path: /weights\.bin/ }, fault: { kind: 'status', status: 403, message: 'hptune@p.iam.gserviceaccount.com does not have storage.objects.create access' } });
    const run = await runTrainer({ tmp, args: ['--train-size=64', '--test-size=32', `--gcs-bucket=${BUCKET}`], env: { CLOUD_ML_TRIAL_ID: '5' } });
    fixture.clearFaults();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`hptune-train: error: the model was not saved to gs://${BUCKET}/hptune/5/model (--gcs-bucket)`);
    expect(run.stdout).toMatch(new RegExp(`^TensorBoard logs verified at gs://${BUCKET}/hptune/5/logs: `, 'm'));
    const logs = readLogDir(download('hptune/5/logs/'));
    expect(logs.runs[0]?.files.every((file) => file.trailingBytes === 0)).toBe(true);
    expect(logs.runs[0]?.points.filter((point) => point.tag === 'test/accuracy').length).toBeGreaterThan(0);
    expect(fixture.objectNames(BUCKET).filter((name) => name.startsWith('hptune/5/model/'))).toEqual([]);
  });

  it('rejects a model folder in a missing bucket before training (exit 2)', async () => {
    const run = await runTrainer({ tmp: join(root, 'missing'), args: ['--train-size=64', '--test-size=32'], env: { AIP_MODEL_DIR: 'gs://no-such-bucket/model' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('hptune-train: error: AIP_MODEL_DIR (model directory) "gs://no-such-bucket/model" is in a bucket that does not exist');
    expect(run.stdout).not.toContain('epoch 1/1');
  });
});
