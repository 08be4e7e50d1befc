import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { prepareStudyDir, validateTrainer } from './settings.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-dirs-'));
const onLinux = process.platform === 'linux';

function refusal(studyDir: string): ValidationError {
  try {
    prepareStudyDir(studyDir);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`prepareStudyDir(${studyDir}) was accepted`);
}

describe('prepareStudyDir', () => {
  it('creates the study folder and returns it absolute', () => {
    const dir = join(scratch(), 'studies', 'here');
    expect(prepareStudyDir(dir)).toBe(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('refuses a file, or a path under a file, naming the folder and the fix', () => {
    const file = join(scratch(), 'passwd');
    writeFileSync(file, '');
    for (const [studyDir, problem] of [
      [file, 'is a file, not a folder'],
      [join(file, 'x'), `is inside ${file}, which is a file, not a folder`],
    ] as const) {
      const error = refusal(studyDir);
      expect(error.field).toBe('studyDir');
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(`studyDir ${JSON.stringify(studyDir)} `);
      expect(error.problem).toContain(problem);
      expect(error.fix).toMatch(/a folder on a disk that you can write to, such as "\.\/hptune"/);
    }
  });

  it.runIf(onLinux)('refuses /proc and /sys as virtual filesystems, creating nothing', () => {
    expect(refusal('/proc/hptune-x').problem).toBe("is on /proc, the kernel's virtual proc filesystem, which holds no files");
    expect(refusal('/sys/hptune-x/y').problem).toBe("is on /sys, the kernel's virtual sysfs filesystem, which holds no files");
    expect(existsSync('/sys/hptune-x')).toBe(false);
  });
});

function trainerRefusal(trainer: unknown): ValidationError {
  try {
    validateTrainer(trainer);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the trainer was accepted');
}

describe('validateTrainer', () => {
  it('refuses a NUL character anywhere the operating system would refuse it, naming the field', () => {
    const node = process.execPath;
    expect(trainerRefusal({ command: node, args: ['train.js', 'a\u0000b'] }).field).toBe('trainer.args[1]');
    expect(trainerRefusal({ command: node, args: [], env: { MODE: 'fast\u0000' } }).field).toBe('trainer.env.MODE');
    expect(trainerRefusal({ command: node, args: [], env: { 'BAD\u0000NAME': 'x' } }).field).toBe('trainer.env');
    expect(trainerRefusal({ command: `${node}\u0000`, args: [] }).message).toContain('holds a NUL character');
  });

  it('names the environment variable whose value is not a string, shown as JSON', () => {
    const error = trainerRefusal({ command: process.execPath, args: [], env: { MODE: { fast: true } } });
    expect(error.message).toBe('trainer.env.MODE {"fast":true} is not a string; give each environment variable a string value, e.g. { NAME: "value" }');
  });
});
