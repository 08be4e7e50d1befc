import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The shell blocks of the README, in order. */
const shellBlocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);

/** The README's lines as a user pastes them: continuations joined, comments kept. */
function commands(block: string): string[] {
  return block.replace(/\\\n\s*/g, '').split('\n').filter((line) => line.trim() !== '');
}

describe('the README, pasted', () => {
  /** Runs README lines as a user would paste them in the repository root, `pnpm hptune` being the built CLI. */
  const paste = (lines: readonly string[]) => {
    // `pnpm hptune` runs the root's bin link to packages/cli/dist/bin.js; nothing else is changed.
    const script = [`pnpm() { shift; node ${JSON.stringify(builtFile(BIN))} "$@"; }`, ...lines].join('\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(GOOGLE_|CLOUDSDK_|HPTUNE_|CLOUD_ML_)/.test(key)));
    return promisify(execFile)('bash', ['-euc', script], { env, cwd: REPO_ROOT, timeout: 60_000 });
  };
  const lines = shellBlocks.flatMap(commands);
  const exports = lines.filter((line) => line.startsWith('export '));
  const dryRuns = lines.filter((line) => line.startsWith('pnpm hptune launch ') && line.includes('--dry-run'));

  it("runs the seed's launch dry run as printed, with the set-up's variables, through every offline check", async () => {
    expect(exports.join('\n')).toMatch(/GOOGLE_CLOUD_PROJECT=/);
    const seed = dryRuns.find((line) => line.includes('$IMAGE'));
    expect(seed).toBeDefined();
    const { stdout, stderr } = await paste([...exports, seed as string]);
    expect(stderr).toMatch(/dry run: every offline check passed/);
    expect(stderr).not.toMatch(/warning/);
    const request = JSON.parse(stdout) as { parent: string; hyperparameterTuningJob: { maxTrialCount: number; trialJobSpec: { workerPoolSpecs: { containerSpec: { imageUri: string } }[] } } };
    expect(request.parent).toBe('projects/my-project-123/locations/us-central1');
    expect(request.hyperparameterTuningJob.maxTrialCount).toBe(27);
    expect(request.hyperparameterTuningJob.trialJobSpec.workerPoolSpecs[0]?.containerSpec.imageUri).toBe('us-docker.pkg.dev/my-project-123/hptune/lenet5:latest');
  });

  it('runs every other launch dry run as printed through every offline check', async () => {
    const others = dryRuns.filter((line) => !line.includes('$IMAGE'));
    expect(others.length).toBeGreaterThan(0);
    for (const line of others) {
      const { stdout, stderr } = await paste([...exports, line]);
      expect(stderr, line).toMatch(/dry run: every offline check passed/);
      expect(JSON.parse(stdout)).toHaveProperty('hyperparameterTuningJob');
    }
  });

  it('runs the CLI the way a fresh clone can: pnpm hptune (hptune is on no PATH there)', () => {
    const bare = shellBlocks.flatMap(commands).filter((line) => /^hptune\b/.test(line.trim()));
    expect(bare).toEqual([]);
  });

  it('has no placeholder a preflight refuses, and never reuses a study name', () => {
    expect(README).not.toMatch(/MY_PROJECT|MY_BUCKET|JOB_ID |hptune launch \.\.\./);
    const names = shellBlocks.flatMap(commands).flatMap((line) => [...line.matchAll(/study run --name (\S+)/g)].map((match) => match[1]));
    expect(names.length).toBeGreaterThan(1);
    expect(new Set(names).size).toBe(names.length);
  });
});
