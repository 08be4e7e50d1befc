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
});
