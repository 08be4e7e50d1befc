import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inheritCheckpoints, trialPaths } from './contract.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function studyFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
  folders.push(folder);
  return folder;
}

function writeCheckpoint(folder: string, trialId: string, content: string): void {
  const dir = trialPaths(folder, trialId).checkpointDir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'checkpoint.bin'), content);
}

describe('inheritCheckpoints', () => {
  it('gives a retry the checkpoints of the trial it retries, and a retry of a retry the furthest ones', () => {
    const folder = studyFolder();
    writeCheckpoint(folder, '3', 'after epoch 2');
    writeFileSync(join(trialPaths(folder, '3').checkpointDir, 'checkpoint.bin.123.tmp'), 'half written');
    inheritCheckpoints(folder, { id: '7', retryOf: '3' });
    const retryDir = trialPaths(folder, '7').checkpointDir;
    expect(readdirSync(retryDir)).toEqual(['checkpoint.bin']);
    expect(readFileSync(join(retryDir, 'checkpoint.bin'), 'utf8')).toBe('after epoch 2');

    writeCheckpoint(folder, '7', 'after epoch 3');
    inheritCheckpoints(folder, { id: '9', retryOf: '7' });
    expect(readFileSync(join(trialPaths(folder, '9').checkpointDir, 'checkpoint.bin'), 'utf8')).toBe('after epoch 3');
  });

  it('leaves a first attempt, a retry with checkpoints of its own, and a retry of a trial that left none alone', () => {
    const folder = studyFolder();
    inheritCheckpoints(folder, { id: '1' });
    inheritCheckpoints(folder, { id: '2', retryOf: '1' });
    expect(readdirSync(folder)).toEqual([]);

    writeCheckpoint(folder, '1', 'old');
    writeCheckpoint(folder, '2', 'own');
    inheritCheckpoints(folder, { id: '2', retryOf: '1' });
    expect(readFileSync(join(trialPaths(folder, '2').checkpointDir, 'checkpoint.bin'), 'utf8')).toBe('own');
  });
});
