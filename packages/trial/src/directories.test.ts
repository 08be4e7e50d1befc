import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtFile } from '@hptune/testing/built';
import { directoryProblem, makeDirectory, makeDirectoryAsync } from './directories.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-dirs-'));
const onLinux = process.platform === 'linux';
/** This package's build, for code that must run in a child process (a hang must fail a test, not stall it). */
const builtTrial = () => builtFile(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

/** Runs an ES module snippet in a child Node with a deadline. */
function runChild(script: string, options: { uid?: number; gid?: number } = {}) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000, ...options });
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
    const run = runChild(`import { makeDirectory, makeDirectoryAsync } from ${JSON.stringify(builtTrial())};
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

describe('directoryProblem', () => {
  it('names a file where a folder should be, and a path under a file', () => {
    const file = join(scratch(), 'passwd');
    writeFileSync(file, '');
    expect(directoryProblem(file)?.problem).toBe('is a file, not a folder');
    expect(directoryProblem(join(file, 'x'))?.problem).toBe(`is inside ${file}, which is a file, not a folder`);
    expect(directoryProblem(join(scratch(), 'new', 'folder'))).toBeUndefined();
  });

  it.runIf(onLinux)('names /proc and /sys as virtual filesystems, creating nothing', () => {
    expect(directoryProblem('/proc/hptune-x')?.problem).toBe("is on /proc, the kernel's virtual proc filesystem, which holds no files");
    expect(directoryProblem('/sys/hptune-x/y')?.problem).toBe("is on /sys, the kernel's virtual sysfs filesystem, which holds no files");
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
      `import { makeDirectory } from ${JSON.stringify(builtTrial())}; try { makeDirectory(${JSON.stringify(join(locked, 'studies'))}); } catch (error) { console.log(error.code); }`,
      { uid: 65534, gid: 65534 },
    );
    expect(run.stdout.trim()).toBe('EACCES');
  });
});
