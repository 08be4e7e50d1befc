import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { runCli } from '../../test/cli-harness.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-cli-delete-'));

/** A space file and a trainer (Node, no Python needed) that succeeds or fails as told. */
function project(dir: string, exitCode: number): string[] {
  writeFileSync(join(dir, 'space.json'), JSON.stringify({ version: 1, parameters: { x: { kind: 'discrete', values: [1, 2], scale: 'linear' } } }));
  const script = join(dir, 'task.mjs');
  writeFileSync(
    script,
    exitCode === 0
      ? "import { writeFileSync } from 'node:fs'; writeFileSync(process.env.CLOUD_ML_HP_METRIC_FILE, JSON.stringify({ accuracy: '0.5', global_step: '1', trial: '1', timestamp: 1 }) + '\\n');"
      : "process.stderr.write('Traceback (most recent call last):\\nModuleNotFoundError: No module named \\'torch\\'\\n'); process.exit(1);",
  );
  return ['--space', join(dir, 'space.json'), '--metric', 'accuracy', '--', process.execPath, script];
}

/** `hptune <argv>` with a terminal on stdin that answers `answer`. */
async function runAnswering(argv: readonly string[], answer: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (err.endsWith('[y/N] ')) stdin.write(`${answer}\n`);
  });
  const code = await main(argv, { stdout, stderr, stdin, env: {} });
  return { code, stdout: out, stderr: err };
}

describe('hptune study delete, and a study no trial of which succeeded', () => {
  it('exits 1 when no trial succeeded, naming the cause and the log; list and show say so', async () => {
    const dir = scratch();
    const run = await runCli(['study', 'run', '--name', 'broken', '--study-dir', dir, '--max-parallel-trial-count', '1', ...project(dir, 1)]);
    expect(run.code).toBe(1);
    const log = join(dir, 'broken', '1', 'stderr.log');
    expect(run.stdout).toContain(`trial 1 failed (1/2): exited with code 1\n    | Traceback (most recent call last):\n    | ModuleNotFoundError: No module named 'torch'\n    log: ${log}\n`);
    expect(run.stderr).toBe(`hptune: study broken has no successful trial (0 succeeded, 2 failed, 2 trials): fix what the failed trials' stderr says; trial 1's log: ${log}\n`);

    const list = await runCli(['study', 'list', '--study-dir', dir]);
    expect(list.stdout).toMatch(/broken\s+COMPLETED\s+2\/2\s+0 succeeded, 2 failed, 2 trials/);
    expect(list.stdout).toContain('study broken ended with no successful trial; see why with: hptune study show broken');
    const show = await runCli(['study', 'show', 'broken', '--study-dir', dir], { npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' });
    expect(show.stdout).toContain('2/2 done');
    expect(show.stdout).toContain(`no trial succeeded; trial 2 exited with code 1:\n    | Traceback (most recent call last):\n    | ModuleNotFoundError: No module named 'torch'\n    log: ${join(dir, 'broken', '2', 'stderr.log')}`);
  }, 60_000);

  it('offers delete for a finished study run again, asks before deleting, and frees the name', async () => {
    const dir = scratch();
    const args = ['study', 'run', '--name', 'done', '--study-dir', dir, '--max-parallel-trial-count', '1', ...project(dir, 0)];
    expect((await runCli(args)).code).toBe(0);
    const again = await runCli(args, { npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('hptune: study "done" already exists and is COMPLETED; choose another name, or delete it first with pnpm hptune study delete done\n');

    // No terminal to ask on: refused, naming the flag that answers.
    const unasked = await runCli(['study', 'delete', 'done', '--study-dir', dir]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toBe('hptune: hptune study delete done asks before deleting, and there is no terminal to ask on; pass --yes to delete study done without asking\n');
    const kept = await runAnswering(['study', 'delete', 'done', '--study-dir', dir], 'n');
    expect(kept.code).toBe(1);
    expect(kept.stderr).toContain(`Delete study done (2 succeeded, 0 failed, 2 trials) and its folder ${join(dir, 'done')}? [y/N] `);
    expect(existsSync(join(dir, 'done'))).toBe(true);

    const deleted = await runAnswering(['study', 'delete', 'done', '--study-dir', dir], 'y');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(`deleted study done: 2 trials and ${join(dir, 'done')}\n`);
    expect(existsSync(join(dir, 'done'))).toBe(false);
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli(['study', 'delete', 'done', '--study-dir', dir, '--yes'])).code).toBe(0);
    const missing = await runCli(['study', 'delete', 'done', '--study-dir', dir, '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no study "done"');
  }, 60_000);
});
