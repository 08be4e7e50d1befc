import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/cli-harness.js';

describe('hptune', () => {
  it('prints the CLI package version and exits 0', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('hptune errors', () => {
  it('exits 2 with a one-line hint for an unknown command', async () => {
    const result = await runCli(['bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'bogus'");
  });

  it('refuses a bad choice or an unknown option in one line that names it and says where help is', async () => {
    for (const [args, named] of [
      [['study', 'run', '--goal', 'up'], "option '--goal <goal>' argument 'up' is invalid. Allowed choices are maximize, minimize."],
      [['study', 'run', '--frobnicate'], "unknown option '--frobnicate'"],
    ] as const) {
      const result = await runCli([...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`error: ${named} (run with --help for usage)\n`);
    }
  });

  it('names --space and the file when it holds no usable search space', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-space-'));
    const file = join(dir, 'space.txt');
    writeFileSync(file, 'parameters: x');
    const result = await runCli(['study', 'run', '--space', file, '--study-dir', join(dir, 'studies')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^hptune: --space ${JSON.stringify(file)} is not valid JSON \\(.+\\); fix the JSON syntax there \\(no comments or trailing commas\\)\n$`));
    expect(readdirSync(dir)).toEqual(['space.txt']);
    rmSync(dir, { recursive: true, force: true });
  });
});
