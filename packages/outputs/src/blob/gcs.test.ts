import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFixture } from '@hptune/testing/gcs';
import { RetryError } from '../retry.js';
import { crc32cBase64 } from './checksum.js';
import { describeBlobStoreConformance } from './conformance.js';
import { openBlobStore } from './destination.js';
import { APPEND_PARTS_FOLDER, GcsBlobStore } from './gcs.js';
import { DestinationError } from './types.js';

const BUCKET = 'hptune-test';
/** Fast retries so that fault tests take milliseconds. */
const FAST_RETRY = { initialDelayMs: 2, maxDelayMs: 10, maxAttempts: 6 };

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describeBlobStoreConformance('gs:// bucket with a prefix (GCS fixture)', async () => {
  const fixture = await startGcsFixture({ buckets: [BUCKET] });
  fixture.putObject(BUCKET, 'outside/the/prefix', bytes('not ours'));
  return {
    store: new GcsBlobStore({ bucket: BUCKET, prefix: 'studies/s1/', apiEndpoint: fixture.url, projectId: 'test', retry: FAST_RETRY }),
    cleanup: () => fixture.close(),
  };
});

describeBlobStoreConformance('gs:// bucket root (GCS fixture)', async () => {
  const fixture = await startGcsFixture({ buckets: [BUCKET] });
  return {
    store: new GcsBlobStore({ bucket: BUCKET, apiEndpoint: fixture.url, projectId: 'test', retry: FAST_RETRY }),
    cleanup: () => fixture.close(),
  };
});

describe('GcsBlobStore against the GCS fixture', () => {
  let fixture: GcsFixture;
  let store: GcsBlobStore;

  beforeEach(async () => {
    fixture = await startGcsFixture({ buckets: [BUCKET], maxDelayMs: 3_000 });
    store = new GcsBlobStore({ bucket: BUCKET, prefix: 'logs', apiEndpoint: fixture.url, projectId: 'test', retry: FAST_RETRY, requestTimeoutMs: 2_000 });
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('appends by composing an uploaded part: bytes on the wire equal bytes appended, no part left behind', async () => {
    await store.append('run/events', bytes('a'.repeat(1000)));
    fixture.resetStats();
    for (let i = 0; i < 10; i++) await store.append('run/events', bytes('b'.repeat(100)));
    expect(fixture.stats.objectBytesReceived).toBe(1000);
    expect(fixture.getObject(BUCKET, 'logs/run/events')).toMatchObject({ componentCount: 11 });
    expect(fixture.getObject(BUCKET, 'logs/run/events')?.data.length).toBe(2000);
    expect(fixture.objectNames(BUCKET)).toEqual(['logs/run/events']);
    expect(fixture.requests.some((r) => r.url.includes('/compose'))).toBe(true);
  });

  it('retries 503 and 429 answers until the write lands', async () => {
    fixture.inject({ times: 2, fault: { kind: 'status', status: 503 } });
    fixture.inject({ times: 1, fault: { kind: 'status', status: 429 } });
    const info = await store.putBytes('model.json', bytes('{"w":1}'));
    expect(info.crc32c).toBe(crc32cBase64(bytes('{"w":1}')));
    expect(fixture.getObject(BUCKET, 'logs/model.json')?.data.toString()).toBe('{"w":1}');
    expect(fixture.stats.faultsPlayed).toBe(3);
  });

  it('never appends twice when a compose lands but its answer is lost', async () => {
    await store.append('events', bytes('head,'));
    fixture.inject({ match: { path: '/compose' }, fault: { kind: 'reset' }, phase: 'after' });
    const info = await store.append('events', bytes('tail'), { expectedSize: 5 });
    expect(info.size).toBe(9);
    expect(fixture.getObject(BUCKET, 'logs/events')?.data.toString()).toBe('head,tail');
    expect(fixture.stats.faultsPlayed).toBe(1);
  });

  it('never uploads a part twice when its upload lands but the answer is lost', async () => {
    await store.append('events', bytes('head,'));
    fixture.inject({ match: { path: 'uploadType=multipart' }, fault: { kind: 'reset' }, phase: 'after' });
    await store.append('events', bytes('tail'));
    expect(fixture.getObject(BUCKET, 'logs/events')?.data.toString()).toBe('head,tail');
    expect(fixture.objectNames(BUCKET)).toEqual(['logs/events']);
  });

  it('retries an answer slower than the request timeout', async () => {
    const slow = new GcsBlobStore({ bucket: BUCKET, apiEndpoint: fixture.url, retry: FAST_RETRY, requestTimeoutMs: 200 });
    fixture.inject({ match: { path: 'uploadType=multipart' }, fault: { kind: 'delay', ms: 1_000 } });
    await slow.putBytes('slow', bytes('eventually'));
    expect(fixture.getObject(BUCKET, 'slow')?.data.toString()).toBe('eventually');
    expect(fixture.requests.filter((r) => r.url.includes('uploadType=multipart')).length).toBe(2);
  });

  it('gives up after the configured attempts with a RetryError carrying the last error', async () => {
    fixture.inject({ times: 100, fault: { kind: 'status', status: 503 } });
    const error = await store.putBytes('x', bytes('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryError);
    expect(error).toMatchObject({ attempts: 6, reason: 'attempts-exhausted', status: 503 });
    expect((error as RetryError).message).toContain('upload gs://hptune-test/logs/x failed after 6 attempts');
  });

  it('turns 403 into an access-denied DestinationError at once', async () => {
    fixture.inject({ times: 100, fault: { kind: 'status', status: 403, message: 'caller does not have storage.objects.create access' } });
    const error = await store.putBytes('x', bytes('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect(error).toMatchObject({ code: 'DESTINATION_ACCESS_DENIED', problem: 'access-denied' });
    expect((error as Error).message).toMatch(/gs:\/\/hptune-test\/logs: permission denied \(HTTP 403\).*roles\/storage.objectAdmin/);
    expect(fixture.stats.requests).toBe(1);
  });

  it('turns a missing bucket into a not-found DestinationError from probe, list and writes', async () => {
    const missing = new GcsBlobStore({ bucket: 'no-such-bucket', apiEndpoint: fixture.url, retry: FAST_RETRY });
    await expect(missing.probe()).rejects.toMatchObject({ code: 'DESTINATION_NOT_FOUND' });
    await expect(missing.list()).rejects.toBeInstanceOf(DestinationError);
    await expect(missing.putBytes('a', bytes('a'))).rejects.toThrow(/bucket gs:\/\/no-such-bucket does not exist/);
    await expect(missing.append('a', bytes('a'))).rejects.toBeInstanceOf(DestinationError);
  });

  it('uploads large files with a resumable upload', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'hptune-gcs-'));
    try {
      const path = join(directory, 'model.bin');
      const data = Buffer.alloc(300_000, 3);
      await writeFile(path, data);
      const resumable = new GcsBlobStore({ bucket: BUCKET, apiEndpoint: fixture.url, retry: FAST_RETRY, resumableThresholdBytes: 100_000 });
      fixture.inject({ match: { method: 'PUT' }, fault: { kind: 'reset' } });
      const info = await resumable.putFile(path, 'models/model.bin');
      expect(info).toMatchObject({ size: 300_000, crc32c: crc32cBase64(data) });
      expect(fixture.requests.filter((r) => r.url.includes('uploadType=resumable') && r.method === 'POST').length).toBe(2);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('hides append parts from list and pages through long listings', async () => {
    fixture.putObject(BUCKET, `logs/${APPEND_PARTS_FOLDER}/orphan`, bytes('left behind'));
    for (let i = 0; i < 1005; i++) fixture.putObject(BUCKET, `logs/many/${String(i).padStart(4, '0')}`, bytes(String(i)));
    const listed = await store.list('many/');
    expect(listed.length).toBe(1005);
    expect(listed[1004]?.name).toBe('many/1004');
    expect((await store.list()).some((i) => i.name.includes(APPEND_PARTS_FOLDER))).toBe(false);
    expect(fixture.requests.filter((r) => r.method === 'GET' && r.url.includes('/o?')).length).toBeGreaterThanOrEqual(3);
  });

  it('opens gs:// destinations through openBlobStore without loading anything until first use', async () => {
    const opened = openBlobStore(`gs://${BUCKET}/logs/run`, { retry: FAST_RETRY, gcs: { apiEndpoint: fixture.url } });
    expect(opened.url).toBe(`gs://${BUCKET}/logs/run`);
    expect(fixture.stats.requests).toBe(0);
    await opened.putBytes('x', bytes('y'));
    expect(fixture.getObject(BUCKET, 'logs/run/x')?.data.toString()).toBe('y');
  });
});
