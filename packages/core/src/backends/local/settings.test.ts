import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { prepareStudyDir } from './settings.js';

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
