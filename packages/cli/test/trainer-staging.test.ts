/**
 * The trainer as a staged Vertex AI trial gets it: staged with its workspace dependencies by core's `stageTrainer` (which
 * checks the package and packs it with its local dependencies) into the loopback GCS fixture, from
 * the builds `pnpm build` made.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stageTrainer } from '@hptune/core/vertex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGcsFixture } from '@hptune/testing/gcs';
import { REPO_ROOT, builtTrainerBin } from '@hptune/testing/built';

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'hptune-trainer-pack-'));
});
afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Extracts a tarball with the system tar; returns the folder and every file in it, `/`-separated, sorted. */
function extract(tarball: string): { readonly dir: string; readonly files: string[] } {
  const dir = mkdtempSync(join(workDir, 'extracted-'));
  const result = spawnSync('tar', ['-xpzf', tarball, '-C', dir], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
  return { dir, files: files.sort() };
}

describe('the repository\'s own trainer, staged', () => {
  it('packs @hptune/trial and @hptune/outputs, then @hptune/trainer (command hptune-train) depending on their exact versions, never core', async () => {
    builtTrainerBin();
    const trialVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages/trial/package.json'), 'utf8')) as { version: string }).version;
    const gcs = await startGcsFixture({ buckets: ['hptune-stage'] });
    const staged = await stageTrainer({ bucket: 'hptune-stage', study: 'own', trainerPackageDir: join(REPO_ROOT, 'packages/trainer'), storageApiEndpoint: gcs.url });
    expect(staged.command).toBe('hptune-train');
    expect(staged.packages.map((pkg) => pkg.name)).toEqual(['@hptune/trial', '@hptune/outputs', '@hptune/trainer']);
    expect(staged.packages[0]?.version).toBe(trialVersion);
    const tarball = join(workDir, staged.packages[2]?.file ?? '');
    writeFileSync(tarball, gcs.getObject('hptune-stage', `hptune/staging/own/${staged.packages[2]?.file}`)?.data ?? '');
    await gcs.close();
    const { dir, files } = extract(tarball);
    expect(files).toContain('package/dist/bin.js');
    // esm-only.cjs: what require() gets where Node cannot load an ES module (see the package's exports).
    expect(files.filter((file) => !/^package\/(package\.json|readme(\..*)?|licen[cs]e(\..*)?|esm-only\.cjs|dist\/.*)$/i.test(file))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@hptune/trial']).toBe(trialVersion);
    expect(manifest.dependencies['@hptune/core']).toBeUndefined();
    expect(statSync(join(dir, 'package/dist/bin.js')).mode & 0o777).toBe(0o755);
  });
});
