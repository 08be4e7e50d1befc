import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStudy } from '@hptune/core';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

describe('Ctrl-C during hptune study run', () => {
  it('ends running trials gracefully, leaves a resumable study and exits 130', async () => {
    const studyDir = mkdtempSync(join(tmpdir(), 'hptune-cli-interrupt-'));
    const child = spawn(
      process.execPath,
      [bin, 'study', 'run', '--name', 'stopped', '--study-dir', studyDir, '--max-parallel-trial-count', '1',
        '--num-epochs', '50', '--train-size', '256', '--test-size', '64', '--backend', 'wasm'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes('trial 1 started')) interrupted = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('hptune study resume stopped');
    const stored = openStudy('stopped', { studyDir });
    expect(stored.study.state).toBe('CANCELLED');
    expect(stored.trials.map((trial) => [trial.id, trial.state, trial.failure?.kind])).toEqual([['1', 'INFEASIBLE', 'cancelled']]);
  }, 60_000);
});
