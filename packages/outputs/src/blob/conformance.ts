/**
 * The conformance suite every {@link BlobStore} implementation passes, exported from
 * `@hptune/core/testing` so a store written outside hptune can be checked the same way: call
 * {@link describeBlobStoreConformance} from a vitest test file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '@hptune/trial';
import { crc32cBase64 } from './checksum.js';
import { AppendConflictError, BlobNotFoundError, type BlobStore } from './types.js';
import { uploadFileVerified } from './verified.js';

/** A fresh, empty store for one test, and how to dispose of it. */
export interface BlobStoreConformanceSubject {
  store: BlobStore;
  cleanup(): Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** Runs the {@link BlobStore} contract over the stores `open` makes, as vitest tests under `label`; `cleanup` runs after each test. */
export function describeBlobStoreConformance(label: string, open: () => Promise<BlobStoreConformanceSubject>): void {
  describe(`BlobStore conformance: ${label}`, () => {
    let subject: BlobStoreConformanceSubject;
    let store: BlobStore;
    let scratch: string;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      scratch = await mkdtemp(join(tmpdir(), 'hptune-blob-'));
    });
    afterEach(async () => {
      await subject.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it('stores bytes and reports their size and CRC-32C everywhere alike', async () => {
      const data = new Uint8Array(256).map((_, i) => i);
      const put = await store.putBytes('run/all-bytes.bin', data);
      const expected = { name: 'run/all-bytes.bin', size: 256, crc32c: crc32cBase64(data) };
      expect(put).toMatchObject(expected);
      expect(await store.stat('run/all-bytes.bin')).toMatchObject(expected);
      expect(await store.list()).toEqual([expect.objectContaining(expected)]);
      expect(Buffer.from(await store.get('run/all-bytes.bin')).equals(Buffer.from(data))).toBe(true);
    });

    it('uploads a local file and replaces an object of the same name', async () => {
      const path = join(scratch, 'model.json');
      await writeFile(path, '{"weights":[1,2,3]}');
      await store.putBytes('model.json', bytes('old'));
      const info = await store.putFile(path, 'model.json');
      expect(info).toMatchObject({ size: 19, crc32c: crc32cBase64(bytes('{"weights":[1,2,3]}')) });
      expect(text(await store.get('model.json'))).toBe('{"weights":[1,2,3]}');
    });

    it('answers absence plainly: stat undefined, get throws BlobNotFoundError, delete false', async () => {
      expect(await store.stat('nothing/here')).toBeUndefined();
      await expect(store.get('nothing/here')).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await store.delete('nothing/here')).toBe(false);
      await store.putBytes('gone', bytes('x'));
      expect(await store.delete('gone')).toBe(true);
      expect(await store.stat('gone')).toBeUndefined();
    });

    it('lists by prefix, sorted by name, nested names included', async () => {
      for (const name of ['b/2', 'a/x/1', 'b/1', 'a/2', 'c']) await store.putBytes(name, bytes(name));
      expect((await store.list()).map((i) => i.name)).toEqual(['a/2', 'a/x/1', 'b/1', 'b/2', 'c']);
      expect((await store.list('a/')).map((i) => i.name)).toEqual(['a/2', 'a/x/1']);
      expect((await store.list('b/1')).map((i) => i.name)).toEqual(['b/1']);
      expect(await store.list('zzz/')).toEqual([]);
    });

    it('appends: creates the object, then adds only the new bytes', async () => {
      const before = store.bytesUploaded;
      await store.append('events/log', bytes('first '));
      await store.append('events/log', bytes('second '), { expectedSize: 6 });
      const info = await store.append('events/log', bytes('third'), { expectedSize: 13 });
      expect(text(await store.get('events/log'))).toBe('first second third');
      expect(info).toMatchObject({ size: 18, crc32c: crc32cBase64(bytes('first second third')) });
      expect(store.bytesUploaded - before).toBe(18);
      expect((await store.list()).map((i) => i.name)).toEqual(['events/log']);
    });

    it('refuses an append whose expected size is stale, writing nothing', async () => {
      await store.putBytes('log', bytes('abc'));
      await expect(store.append('log', bytes('d'), { expectedSize: 2 })).rejects.toBeInstanceOf(AppendConflictError);
      await expect(store.append('log', bytes('d'), { expectedSize: 0 })).rejects.toMatchObject({ code: 'APPEND_CONFLICT', expectedSize: 0, actualSize: 3 });
      await expect(store.append('new', bytes('d'), { expectedSize: 5 })).rejects.toMatchObject({ actualSize: 0 });
      expect(text(await store.get('log'))).toBe('abc');
      expect(await store.stat('new')).toBeUndefined();
    });

    it('treats an empty append as a no-op', async () => {
      await store.putBytes('log', bytes('abc'));
      expect(await store.append('log', new Uint8Array(0), { expectedSize: 3 })).toMatchObject({ size: 3 });
      expect(text(await store.get('log'))).toBe('abc');
    });

    it('rejects names that could escape the root or are malformed', async () => {
      for (const name of ['../x', '/abs', 'a//b', 'a/./b', '', 'a\\b']) {
        await expect(store.putBytes(name, bytes('x')), name).rejects.toBeInstanceOf(ValidationError);
      }
    });

    it('uploads a file verified', async () => {
      const path = join(scratch, 'metrics');
      await writeFile(path, 'accuracy=0.98\n');
      const info = await uploadFileVerified(store, path, 'trial-1/metrics');
      expect(info).toMatchObject({ size: 14, crc32c: crc32cBase64(bytes('accuracy=0.98\n')) });
    });

    it('passes the probe', async () => {
      await expect(store.probe()).resolves.toBeUndefined();
    });
  });
}
