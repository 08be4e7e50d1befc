import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';
import { directoryProblem, makeDirectory, makeDirectoryAsync } from './directories.js';
import { prepareStudyDir } from './backends/local/settings.js';
import { ValidationError } from './errors.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-dirs-'));
const onLinux = process.platform === 'linux';
/** Core's build, for code that must run in a child process (a hang must fail a test, not stall it). */
const builtBlob = () => builtFile(fileURLToPath(new URL('../dist/blob.js', import.meta.url)));

/** Runs an ES module snippet in a child Node with a deadline. */
function runChild(script: string, options: { uid?: number; gid?: number } = {}) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000, ...options });
}

function refusal(studyDir: string): ValidationError {
  try {
    prepareStudyDir(studyDir);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`prepareStudyDir(${studyDir}) was accepted`);
}

describe('makeDirectory', () => {
  it('creates missing levels and accepts a folder that exists', async () => {
    const root = scratch();
    makeDirectory(join(root, 'a', 'b', 'c'));
    makeDirectory(join(root, 'a', 'b', 'c'));
    await makeDirectoryAsync(join(root, 'x', 'y'));
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(statSync(join(root, 'x', 'y')).isDirectory()).toBe(true);
  });

  it.runIf(onLinux)('fails at once under /proc, where Node 20’s recursive mkdir spins forever', async () => {
    // A child process with a deadline, so a regression fails the test instead of hanging it.
    const run = runChild(`import { makeDirectory, makeDirectoryAsync } from ${JSON.stringify(builtBlob())};
      for (const make of [makeDirectory, makeDirectoryAsync]) {
        try { await make('/proc/hptune-test/x'); console.log('created'); } catch (error) { console.log(error.code); }
      }`);
    expect(run.signal).toBeNull();
    expect(run.stdout.trim().split('\n')).toEqual(['ENOENT', 'ENOENT']);
  });

  it('fails with ENOTDIR when a file stands where a folder should be', async () => {
    const file = join(scratch(), 'file');
    writeFileSync(file, '');
    expect(() => makeDirectory(join(file, 'x', 'y'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    await expect(makeDirectoryAsync(join(file, 'x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

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

  it.runIf(onLinux)('refuses a folder this user may not write to', () => {
    const locked = join(scratch(), 'locked');
    makeDirectory(locked);
    chmodSync(locked, 0o555);
    if (process.getuid?.() !== 0) {
      expect(directoryProblem(join(locked, 'studies'))?.problem).toMatch(new RegExp(`^is not writable: ${locked} does not let this user \\(user id \\d+\\) create files$`));
      return;
    }
    // root may write anywhere: try as an unprivileged user instead, through the public entry.
    chmodSync(join(locked, '..'), 0o755);
    const run = runChild(
      `import { makeDirectory } from ${JSON.stringify(builtBlob())}; try { makeDirectory(${JSON.stringify(join(locked, 'studies'))}); } catch (error) { console.log(error.code); }`,
      { uid: 65534, gid: 65534 },
    );
    expect(run.stdout.trim()).toBe('EACCES');
  });
});
