import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTarball, type TarballEntry } from './tarball.js';

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'hptune-tarball-'));
});
afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Runs the system (GNU) tar, failing the test with its stderr when it fails. */
function tar(args: readonly string[]): string {
  const result = spawnSync('tar', args, { cwd: workDir, encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** Writes the archive, extracts it with the system tar into a fresh folder, and returns that folder. */
function extract(archive: Buffer): string {
  writeFileSync(join(workDir, 'archive.tgz'), archive);
  const into = mkdtempSync(join(workDir, 'out-'));
  tar(['-xpzf', 'archive.tgz', '-C', into]); // -p: modes as stored, whatever the umask
  return into;
}

function bytes(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

describe('createTarball', () => {
  it('gives an archive the system tar extracts to the same bytes and modes', () => {
    const entries: TarballEntry[] = [
      { path: 'package/package.json', data: new TextEncoder().encode('{"name":"x"}\n') },
      { path: 'package/dist/bin.js', data: new TextEncoder().encode('#!/usr/bin/env node\n'), mode: 0o755 },
      { path: 'package/dist/big.bin', data: bytes(70_000, 7), mode: 0o600 },
    ];
    const out = extract(createTarball(entries));
    for (const entry of entries) {
      const path = join(out, entry.path);
      expect(new Uint8Array(readFileSync(path))).toEqual(entry.data);
      expect(statSync(path).mode & 0o777).toBe(entry.mode ?? 0o644);
    }
  });

  it('round-trips the padding edge cases: an empty file and a file of exactly one block', () => {
    const entries: TarballEntry[] = [
      { path: 'package/empty.txt', data: new Uint8Array(0) },
      { path: 'package/block.bin', data: bytes(512, 1) },
      { path: 'package/after.txt', data: new TextEncoder().encode('after the full block\n') },
    ];
    const out = extract(createTarball(entries));
    for (const entry of entries) expect(new Uint8Array(readFileSync(join(out, entry.path)))).toEqual(entry.data);
    expect(tar(['-tzf', 'archive.tgz']).trim().split('\n')).toEqual(entries.map((entry) => entry.path));
  });

  it('stores a path longer than 100 bytes in the ustar prefix, and tar reads it back whole', () => {
    const path = `package/${'deep-folder-name/'.repeat(8)}a-file-name-that-is-long-too.js`;
    expect(path.length).toBeGreaterThan(100);
    const data = new TextEncoder().encode('export {};\n');
    const out = extract(createTarball([{ path, data }]));
    expect(new Uint8Array(readFileSync(join(out, path)))).toEqual(data);
    expect(tar(['-tzf', 'archive.tgz']).trim()).toBe(path);
  });

  it('gives the same bytes for the same entries', () => {
    const entries: TarballEntry[] = [
      { path: 'package/a.txt', data: bytes(1000, 3) },
      { path: 'package/b.js', data: bytes(10, 4), mode: 0o755 },
    ];
    const first = createTarball(entries);
    const second = createTarball(entries.map((entry) => ({ ...entry, data: entry.data.slice() })));
    expect(Buffer.compare(first, second)).toBe(0);
  });

  it('throws a RangeError for a path ustar cannot hold', () => {
    const data = new Uint8Array(1);
    // One name of 101 bytes, with no folder to split off.
    expect(() => createTarball([{ path: 'n'.repeat(101), data }])).toThrow(RangeError);
    // A folder part of more than 155 bytes before a name that would fit.
    expect(() => createTarball([{ path: `${'f'.repeat(156)}/name.js`, data }])).toThrow(RangeError);
    // A name of more than 100 bytes after the last folder.
    expect(() => createTarball([{ path: `package/${'n'.repeat(101)}`, data }])).toThrow(/too long for a ustar archive/);
  });

  it('records owner 0/0 and the fixed date of 1985-10-26 08:15 UTC for every entry', () => {
    writeFileSync(
      join(workDir, 'archive.tgz'),
      createTarball([
        { path: 'package/package.json', data: bytes(20, 0) },
        { path: 'package/dist/bin.js', data: bytes(20, 1), mode: 0o755 },
      ]),
    );
    const result = spawnSync('tar', ['-tvzf', 'archive.tgz', '--numeric-owner'], { cwd: workDir, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^-rw-r--r-- 0\/0 +20 1985-10-26 08:15 package\/package\.json$/),
      expect.stringMatching(/^-rwxr-xr-x 0\/0 +20 1985-10-26 08:15 package\/dist\/bin\.js$/),
    ]);
  });
});
