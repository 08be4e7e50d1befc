import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));

/** How CI runs each example: quick settings, and the Vertex AI one as a dry run (nothing sent). */
const CI_RUNS: Readonly<Record<string, { args: string[]; env: Record<string, string>; expect: RegExp }>> = {
  'local-grid': {
    args: [],
    env: { HPTUNE_MAX_TRIALS: '2' },
    expect: /^trial [12] SUCCEEDED .*\n.*\nbest: trial [12], relu\/sgd\/(32|64)\n$/,
  },
  'local-tpe': {
    args: [],
    env: { HPTUNE_MAX_TRIALS: '2' },
    expect: /^trial [12] SUCCEEDED .*\n.*\nbest: trial [12], learning rate \S+ with (sgd|adam|rmsprop)\n$/,
  },
  'vertex-lenet5': {
    args: ['--dry-run'],
    // HPTUNE_REGION as the README's set-up exports it (and hptune launch reads it).
    env: { GOOGLE_CLOUD_PROJECT: 'my-project-123', HPTUNE_BUCKET: 'my-bucket-123', HPTUNE_REGION: 'europe-west4', HPTUNE_IMAGE: 'us-docker.pkg.dev/my-project-123/hptune/lenet5:latest' },
    expect: /"parent": "projects\/my-project-123\/locations\/europe-west4"/,
  },
};

describe('pnpm example <name>', () => {
  it('has a CI run for every example', () => {
    expect(EXAMPLES.sort()).toEqual(Object.keys(CI_RUNS).sort());
  });

  it.each(Object.entries(CI_RUNS))('runs %s as the README says', { timeout: 180_000 }, async (name, run) => {
    builtFile(join(REPO_ROOT, 'packages/trainer/dist/bin.js'));
    const studyDir = mkdtempSync(join(tmpdir(), `hptune-example-${name}-`));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/example.mjs'), name, ...run.args], {
      cwd: studyDir,
      env: { ...process.env, HPTUNE_STUDY_DIR: studyDir, ...run.env },
      timeout: 170_000,
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(run.expect);
  });

  it('names the examples when asked for one that does not exist', async () => {
    const failed = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'scripts/example.mjs'), 'nope']).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failed).toMatchObject({ code: 2, stderr: `hptune example: there is no example "nope"; run one of ${EXAMPLES.sort().join(', ')}, e.g. pnpm example local-grid\n` });
  });
});
