import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from './local.js';
import { DestinationError, type BlobInfo, type BlobStore } from './types.js';
import { uploadFileVerified } from './verified.js';

/** A local store whose first `lies` stats report a wrong checksum, as after a corrupted upload. */
class FlakyStore extends LocalBlobStore {
  puts = 0;
  constructor(
    directory: string,
    private lies: number,
    private failPuts = 0,
  ) {
    super(directory);
  }
  override async putFile(localPath: string, name: string): Promise<BlobInfo> {
    this.puts++;
    if (this.failPuts-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    return super.putFile(localPath, name);
  }
  override async stat(name: string): Promise<BlobInfo | undefined> {
    const info = await super.stat(name);
    if (info !== undefined && this.lies-- > 0) return { ...info, crc32c: 'AAAAAA==' };
    return info;
  }
}

describe('uploadFileVerified', () => {
  let directory: string;
  let file: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'hptune-verified-'));
    file = join(directory, 'model.json');
    await writeFile(file, '{"layers":5}');
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('uploads again when the read-back does not match, until it does', async () => {
    const store = new FlakyStore(join(directory, 'dest'), 2);
    const info = await uploadFileVerified(store, file, 'trial-1/model.json');
    expect(info.size).toBe(12);
    expect(store.puts).toBe(3);
  });

  it('survives a failed upload round', async () => {
    const store = new FlakyStore(join(directory, 'dest'), 0, 1);
    await uploadFileVerified(store, file, 'model.json');
    expect(store.puts).toBe(2);
  });

  it('throws UPLOAD_NOT_VERIFIED saying what differs when it never matches', async () => {
    const store = new FlakyStore(join(directory, 'dest'), 100);
    const error = await uploadFileVerified(store, file, 'model.json', { attempts: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UPLOAD_NOT_VERIFIED', exitCode: 1 });
    expect((error as Error).message).toMatch(/model\.json did not land verified at .*\/dest\/model\.json after 2 attempts: it holds 12 bytes with CRC-32C AAAAAA==, the file has 12 bytes with /);
  });

  it('stops at once on a destination that cannot be used', async () => {
    let puts = 0;
    const store: BlobStore = Object.assign(new LocalBlobStore(join(directory, 'dest')), {
      putFile: async () => {
        puts++;
        throw new DestinationError('gs://b', 'access-denied', 'permission denied');
      },
    });
    await expect(uploadFileVerified(store, file, 'model.json')).rejects.toBeInstanceOf(DestinationError);
    expect(puts).toBe(1);
  });
});
