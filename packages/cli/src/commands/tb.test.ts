import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SummaryWriter, writeHParamsSessionStart } from '@hptune/core/tensorboard';
import { runCli } from '../../test/cli-harness.js';

function writeRun(logDir: string) {
  const writer = new SummaryWriter({ logDir });
  for (let step = 1; step <= 3; step++) writer.scalar('test/accuracy', 0.9 + step / 100, step);
  writer.histogram('weights/conv1', [0.1, -0.2, 0.3, 0.05], 3);
  writer.close();
}

describe('hptune tb inspect', () => {
  it('prints each run with its tags, counts, steps and last scalar value', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hptune-tb-'));
    writeRun(join(root, '1', 'logs'));
    const result = await runCli(['tb', 'inspect', root, '--runs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('run 1/logs: 1 file(s)');
    expect(result.stdout).toMatch(/test\/accuracy\s+scalars\s+3\s+1\.\.3\s+0\.93/);
    expect(result.stdout).toMatch(/weights\/conv1\s+histograms\s+1\s+3\.\.3/);
  });

  it('summarizes by default: runs in numeric order, one row each, and each tag once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hptune-tb-'));
    for (const id of [1, 2, 10]) writeRun(join(root, String(id), 'logs'));
    const result = await runCli(['tb', 'inspect', root]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${root}: 3 run(s), 0 HParams session(s)`);
    expect(lines.filter((line) => /^\d+\/logs /.test(line)).map((line) => line.split(' ')[0])).toEqual(['1/logs', '2/logs', '10/logs']);
    expect(result.stdout).toMatch(/test\/accuracy\s+scalars\s+3\s+9\n/);
    expect(lines.length).toBeLessThan(16);
  });

  it('prints session hyperparameters as tables print parameters: doubles with 4 significant digits', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hptune-tb-'));
    writeHParamsSessionStart({ logDir: join(root, '1', 'logs'), parameters: { learning_rate: 0.0031622776601683794, batch_size: 64, activation: 'relu' }, groupName: '1' });
    const summary = await runCli(['tb', 'inspect', root]);
    expect(summary.stdout).toMatch(/^1\/logs\s+no end yet\s+0\.003162\s+64\s+relu\s/m);
    const runs = await runCli(['tb', 'inspect', root, '--runs']);
    expect(runs.stdout).toContain('hparams session 1: learning_rate=0.003162 batch_size=64 activation=relu (no end yet)');
    expect(summary.stdout + runs.stdout).not.toContain('0.00316227');
  });

  it('reports a corrupt record with its file and offset, and exits 1', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hptune-tb-'));
    writeRun(root);
    const [file] = readdirSync(root);
    // A complete record frame whose CRCs are wrong, appended after the good ones.
    appendFileSync(join(root, file as string), Buffer.alloc(8 + 4 + 3 + 4, 7).fill(0, 1, 8).fill(3, 0, 1));
    const result = await runCli(['tb', 'inspect', root]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/problem: .*events\.out\.tfevents\.\S+ at byte \d+: /);
  });
});
