import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { lenet5Trainer, trainerBinPath } from './command.js';

describe('lenet5Trainer', () => {
  it('runs the built hptune-train under the current Node with the fixed flags', () => {
    const command = lenet5Trainer({ flags: { numEpochs: 2, trainSize: 5000, tfjsBackend: 'wasm', testSize: undefined }, env: { A: 'b' }, nodeArgs: ['--max-old-space-size=1024'] });
    expect(command.command).toBe(process.execPath);
    expect(command.args).toEqual(['--max-old-space-size=1024', trainerBinPath(), '--num-epochs=2', '--train-size=5000', '--tfjs-backend=wasm']);
    expect(trainerBinPath()).toMatch(/packages\/trainer\/dist\/bin\.js$/);
    expect(command.env).toEqual({ A: 'b' });
  });

  it.skipIf(!existsSync(trainerBinPath()))('is a program that answers --help and rejects a bad flag with exit code 2', async () => {
    const { command, args } = lenet5Trainer();
    const help = await promisify(execFile)(command, [...args, '--help']);
    expect(help.stdout).toContain('--batch-size');
    const rejected = await promisify(execFile)(command, [...args, '--batch_size=zero']).catch((error: { code: number; stderr: string }) => error);
    expect(rejected).toMatchObject({ code: 2, stderr: expect.stringContaining('--batch-size "zero" is not a positive integer') });
  });
});
