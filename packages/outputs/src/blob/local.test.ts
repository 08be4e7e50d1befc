import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeBlobStoreConformance } from './conformance.js';
import { LocalBlobStore } from './local.js';
import { DestinationError } from './types.js';

describeBlobStoreConformance('local directory', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'hptune-local-store-'));
  return {
    store: new LocalBlobStore(join(directory, 'created-on-first-write')),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('LocalBlobStore', () => {
  it('writes objects as files under its directory and leaves no temporary files', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hptune-local-store-'));
    try {
      const store = new LocalBlobStore(directory);
      await store.putBytes('run/a/events', new Uint8Array([1, 2, 3]));
      await store.append('run/a/events', new Uint8Array([4]));
      expect(await readdir(join(directory, 'run', 'a'))).toEqual(['events']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() === 0)('says plainly when the directory cannot be written', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hptune-local-store-'));
    try {
      await chmod(directory, 0o500);
      const store = new LocalBlobStore(join(directory, 'logs'));
      await expect(store.probe()).rejects.toBeInstanceOf(DestinationError);
      await expect(store.putBytes('x', new Uint8Array(1))).rejects.toMatchObject({ code: 'DESTINATION_ACCESS_DENIED' });
    } finally {
      await chmod(directory, 0o700);
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('says plainly when the destination is a file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hptune-local-store-'));
    try {
      await writeFile(join(directory, 'file'), 'x');
      const store = new LocalBlobStore(join(directory, 'file'));
      await expect(store.probe()).rejects.toMatchObject({ code: 'DESTINATION_NOT_FOUND' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
