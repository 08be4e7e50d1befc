import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { startMetadataFixture, type MetadataFixture } from '@hptune/testing/metadata';
import { installFakeNpm } from '@hptune/testing/npm';
import { TRIAL_DIR, fakeTrainerPackage } from '../../../../test/fixtures/trainer-package.js';
import { DEFAULT_STOCK_NODE_IMAGE, STAGED_TRAINER_ENV, stagedTrialContainer } from './bootstrap.js';
import { stageTrainer, type StagedTrainer, type StagingManifest } from './stage.js';

const TOKEN = 'ya29.fixture-token';
const BUCKET = 'hptune-stage';

let gcs: GcsFixture;
let metadata: MetadataFixture;
let work: string;
let npmBin: string;
let staged: StagedTrainer;
let trainerDir: string;

beforeAll(async () => {
  gcs = await startGcsFixture({ buckets: [BUCKET], requireBearerToken: TOKEN });
  metadata = await startMetadataFixture({ accessToken: TOKEN });
  work = mkdtempSync(join(tmpdir(), 'hptune-bootstrap-'));
  trainerDir = fakeTrainerPackage(work);
  npmBin = installFakeNpm(join(work, 'bin'), [trainerDir, TRIAL_DIR]);
  staged = await stageTrainer({ bucket: BUCKET, study: 'seed', trainerPackageDir: trainerDir, storageApiEndpoint: gcs.url });
});

afterAll(async () => {
  await gcs?.close();
  await metadata?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a staged trial's container command as the stock image would, with `extraArgs` as Vertex's. */
function runTrial(manifestUri: string, extraArgs: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; stderr: string; tmp: string }> {
  const container = stagedTrialContainer({ manifestUri, trainerArgs: ['--train-size=256', '--test-size=100'] });
  const tmp = mkdtempSync(join(work, 'trial-'));
  const [, ...nodeArgs] = container.command ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...container.args, ...extraArgs], {
    env: {
      ...process.env,
      PATH: `${npmBin}:${process.env.PATH ?? ''}`,
      TMPDIR: tmp,
      HPTUNE_GCS_API_ENDPOINT: gcs.url,
      GCE_METADATA_HOST: metadata.host,
      ...Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value])),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, tmp })));
}

describe('stageTrainer', () => {
  it('uploads the trial package and trainer tarballs, then the manifest with their SHA-256s, last', () => {
    expect(gcs.objectNames(BUCKET)).toEqual(['hptune/staging/seed/hptune-fake-trainer-0.1.0.tgz', 'hptune/staging/seed/hptune-trial-0.1.0.tgz', 'hptune/staging/seed/manifest.json']);
    const manifest = JSON.parse(gcs.getObject(BUCKET, 'hptune/staging/seed/manifest.json')?.data.toString() ?? '') as StagingManifest;
    expect(manifest.command).toBe('hptune-train');
    expect(manifest.packages.map((entry) => entry.name)).toEqual(['@hptune/trial', '@hptune/fake-trainer']);
    for (const entry of manifest.packages) {
      const object = gcs.getObject(BUCKET, `hptune/staging/seed/${entry.file}`);
      expect(createHash('sha256').update(object?.data ?? '').digest('hex')).toBe(entry.sha256);
      expect(object?.data.length).toBe(entry.size);
    }
    const uploads = gcs.requests.filter((request) => request.method === 'POST' && /uploadType=/.test(request.url));
    expect(uploads.at(-1)?.url).toMatch(/manifest\.json/);
    expect(staged.manifestUri).toBe(`gs://${BUCKET}/hptune/staging/seed/manifest.json`);
  });
});

describe('a staged trial on the stock Node image', () => {
  it('runs node -e with the bootstrap, the trainer arguments after --, and the manifest in the environment', () => {
    const container = stagedTrialContainer({ manifestUri: staged.manifestUri, trainerArgs: ['--num-epochs=2'] });
    expect(container.imageUri).toBe(DEFAULT_STOCK_NODE_IMAGE);
    expect(container.command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(container.args).toEqual(['--', '--num-epochs=2']);
    expect(container.env).toEqual([{ name: STAGED_TRAINER_ENV, value: staged.manifestUri }]);
  });

  it('takes a token, downloads and checks the tarballs (retrying a 503), installs them and trains with the trial’s parameters', async () => {
    gcs.inject({ match: { method: 'GET', path: 'manifest.json' }, fault: { kind: 'status', status: 503 } });
    const outputDir = join(work, 'trained');
    const { code, stderr } = await runTrial(staged.manifestUri, ['--activation=relu', '--optimizer=adam', '--batch_size=64', `--output-dir=${outputDir}`]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/hptune bootstrap: downloading gs:\/\/hptune-stage\/hptune\/staging\/seed\/manifest\.json: HTTP 503.*trying again/);
    expect(stderr).toMatch(/hptune bootstrap: downloaded @hptune\/trial, @hptune\/fake-trainer \(\d+ KiB\) in [\d.]+ s/);
    expect(stderr).toMatch(/hptune bootstrap: installed with npm in [\d.]+ s; starting hptune-train/);
    expect(readFileSync(join(outputDir, 'hypertune', 'output.metrics'), 'utf8')).toMatch(/"accuracy"/);
    expect(existsSync(join(outputDir, 'model', 'model.json'))).toBe(true);
    expect(metadata.requests[0]).toEqual({ path: '/computeMetadata/v1/instance/service-accounts/default/token', status: 200 });
  }, 120_000);

  it('exits with the trainer’s status when the trainer refuses its arguments', async () => {
    const { code, stderr } = await runTrial(staged.manifestUri, ['--activation=tanh']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/activation/);
  }, 60_000);

  it('refuses a tarball that changed after staging, before installing anything', async () => {
    const tampered = await stageTrainer({ bucket: BUCKET, study: 'tampered', trainerPackageDir: trainerDir, storageApiEndpoint: gcs.url });
    gcs.putObject(BUCKET, 'hptune/staging/tampered/hptune-fake-trainer-0.1.0.tgz', Buffer.from('not the staged trainer'));
    const { code, stderr, tmp } = await runTrial(tampered.manifestUri, []);
    expect(code).toBe(1);
    expect(stderr).toMatch(/hptune-fake-trainer-0\.1\.0\.tgz has SHA-256 [0-9a-f]{64}, not the manifest's [0-9a-f]{64}: the staging folder changed after the launch; launch the study again/);
    const installDirs = readdirSync(tmp);
    expect(installDirs.every((dir) => !existsSync(join(tmp, dir, 'node_modules')))).toBe(true);
  }, 60_000);

  it('fails at once, with the service’s answer, when the manifest is not there', async () => {
    const started = Date.now();
    const { code, stderr } = await runTrial(`gs://${BUCKET}/hptune/staging/missing/manifest.json`, []);
    expect(code).toBe(1);
    expect(stderr).toMatch(/downloading gs:\/\/hptune-stage\/hptune\/staging\/missing\/manifest\.json: HTTP 404/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('says what is wrong when HPTUNE_STAGED_TRAINER is not a gs:// URI, before asking for a token', async () => {
    const asked = metadata.requests.length;
    const { code, stderr } = await runTrial('/local/manifest.json', []);
    expect(code).toBe(1);
    expect(stderr).toMatch(/HPTUNE_STAGED_TRAINER is "\/local\/manifest\.json", not the gs:\/\/ URI of a staging manifest/);
    expect(metadata.requests.length).toBe(asked);
  });

  it('stops at the first 401 when the trial’s token is refused, with the service’s message', async () => {
    const wrongToken = await startMetadataFixture({ accessToken: 'ya29.someone-else' });
    try {
      const { code, stderr } = await runTrial(staged.manifestUri, [], { GCE_METADATA_HOST: wrongToken.host });
      expect(code).toBe(1);
      expect(stderr).toMatch(/manifest\.json: HTTP 401 .*Invalid Credentials/);
      expect(stderr).not.toMatch(/trying again/);
    } finally {
      await wrongToken.close();
    }
  });
});
