import { appendFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGcsFixture, type GcsFaultRule, type GcsFixture } from '@hptune/testing/gcs';
import { GcsBlobStore } from '../blob/gcs.js';
import { LocalBlobStore } from '../blob/local.js';
import { DestinationError } from '../blob/types.js';
import { TensorBoardSyncer, formatSyncReport, type SyncWarning } from './syncer.js';

const BUCKET = 'hptune-logs';
const FAST_RETRY = { initialDelayMs: 1, maxDelayMs: 8, maxAttempts: 8 };

/** A seeded source of floats in [0, 1), so fault schedules and record sizes repeat exactly. */
function seeded(seed: number): () => number {
  // mulberry32: tiny, and the same sequence on every platform.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that look like TFRecord-framed events: a length, a checksum-ish header and a payload. */
function recordLike(random: () => number, size: number): Buffer {
  const record = Buffer.alloc(size);
  for (let i = 0; i < size; i++) record[i] = Math.floor(random() * 256);
  record.writeUInt32LE(size - 16, 0);
  return record;
}

describe('TensorBoardSyncer to a gs:// destination (GCS fixture)', () => {
  let fixture: GcsFixture;
  let localDir: string;
  let warnings: SyncWarning[];

  const store = (options: { requestTimeoutMs?: number } = {}): GcsBlobStore =>
    new GcsBlobStore({ bucket: BUCKET, prefix: 'tb/trial-1', apiEndpoint: fixture.url, retry: FAST_RETRY, ...options });
  const syncer = (options: { requestTimeoutMs?: number; handleSignals?: boolean; intervalMs?: number } = {}): TensorBoardSyncer =>
    new TensorBoardSyncer({
      localDir,
      destination: store(options),
      intervalMs: options.intervalMs ?? 60_000,
      handleSignals: options.handleSignals ?? false,
      onWarning: (warning) => warnings.push(warning),
    });
  const remote = (name: string): Buffer | undefined => fixture.getObject(BUCKET, `tb/trial-1/${name}`)?.data;

  beforeEach(async () => {
    fixture = await startGcsFixture({ buckets: [BUCKET], maxDelayMs: 2_000 });
    localDir = await mkdtemp(join(tmpdir(), 'hptune-syncer-'));
    warnings = [];
  });
  afterEach(async () => {
    await fixture.close();
    await rm(localDir, { recursive: true, force: true });
  });

  it('uploads new files, then only the new bytes of grown ones, and verifies on stop', async () => {
    const tb = syncer();
    await mkdir(join(localDir, 'train'), { recursive: true });
    await writeFile(join(localDir, 'train', 'events.out.tfevents.1.host.1.0'), 'version-record;');
    await writeFile(join(localDir, 'hparams.tfevents'), 'experiment;');
    expect(await tb.sync()).toMatchObject({ filesUploaded: 2, bytesUploaded: 26, failed: [] });
    await appendFile(join(localDir, 'train', 'events.out.tfevents.1.host.1.0'), 'scalar@1;');
    expect(await tb.sync()).toMatchObject({ filesUploaded: 1, bytesUploaded: 9 });
    expect(await tb.sync()).toMatchObject({ filesUploaded: 0, bytesUploaded: 0 });
    await appendFile(join(localDir, 'train', 'events.out.tfevents.1.host.1.0'), 'scalar@2;');
    const report = await tb.stop();
    expect(report).toMatchObject({ destination: `gs://${BUCKET}/tb/trial-1`, files: 2, bytesWritten: 44, bytesUploaded: 44, verified: true, missing: [], mismatched: [] });
    expect(remote('train/events.out.tfevents.1.host.1.0')?.toString()).toBe('version-record;scalar@1;scalar@2;');
    expect(formatSyncReport(report)).toBe(`TensorBoard logs verified at gs://${BUCKET}/tb/trial-1: 2 files, 44 B written, 44 B uploaded`);
    expect(warnings).toEqual([]);
    expect(tb.state).toMatchObject({ status: 'stopped', report });
  });

  it('lands every byte under 503 bursts, 429s, reset connections and slow answers', async () => {
    const random = seeded(7);
    const tb = syncer({ requestTimeoutMs: 300 });
    const files = ['run/events.out.tfevents.1', 'run/events.out.tfevents.2', 'eval/events.out.tfevents.1'];
    await mkdir(join(localDir, 'run'), { recursive: true });
    await mkdir(join(localDir, 'eval'), { recursive: true });
    const faults: GcsFaultRule[] = [
      { times: 3, fault: { kind: 'status', status: 503 } },
      { times: 2, fault: { kind: 'status', status: 429 } },
      { match: { path: '/compose' }, fault: { kind: 'reset' }, phase: 'after' },
      { match: { path: 'uploadType=multipart' }, fault: { kind: 'reset' } },
      { match: { path: 'uploadType=multipart' }, fault: { kind: 'reset' }, phase: 'after' },
      { match: { method: 'GET' }, fault: { kind: 'delay', ms: 800 } },
      { match: { path: '/compose' }, fault: { kind: 'delay', ms: 800 }, phase: 'after' },
      { match: { method: 'DELETE' }, times: 2, fault: { kind: 'status', status: 500 } },
    ];
    for (let round = 0; round < 12; round++) {
      for (const name of files) {
        if (random() < 0.8) await appendFile(join(localDir, ...name.split('/')), recordLike(random, 16 + Math.floor(random() * 200)));
      }
      fixture.inject(faults[Math.floor(random() * faults.length)] as GcsFaultRule);
      await tb.sync();
    }
    const report = await tb.stop();
    expect(report.verified).toBe(true);
    expect(report.files).toBe(3);
    for (const name of files) {
      expect(remote(name)?.equals(await readFile(join(localDir, ...name.split('/')))), name).toBe(true);
    }
    expect(fixture.stats.faultsPlayed).toBeGreaterThanOrEqual(10);
    expect(fixture.objectNames(BUCKET).every((name) => !name.includes('.hptune-parts/')), 'no part objects left').toBe(true);
  });

  it('keeps going when a round fails: warns, keeps the logs, and catches up on the next round', async () => {
    const tb = syncer();
    await writeFile(join(localDir, 'events.out.tfevents.1'), 'a'.repeat(100));
    fixture.inject({ times: 1000, match: { method: 'POST' }, fault: { kind: 'status', status: 503 } });
    const failed = await tb.sync();
    expect(failed.failed).toEqual(['events.out.tfevents.1']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'SYNC_FAILED', files: ['events.out.tfevents.1'] });
    expect(warnings[0]?.message).toMatch(/TensorBoard sync to gs:\/\/hptune-logs\/tb\/trial-1 failed for events.out.tfevents.1 \(.*503.*\); logs stay in .* and the next sync tries again/);
    fixture.clearFaults();
    await appendFile(join(localDir, 'events.out.tfevents.1'), 'b'.repeat(50));
    expect(await tb.sync()).toMatchObject({ filesUploaded: 1, failed: [] });
    expect((await tb.stop()).verified).toBe(true);
    expect(remote('events.out.tfevents.1')?.toString()).toBe('a'.repeat(100) + 'b'.repeat(50));
  });

  it('stops on 403 with a clear DestinationError, never throwing into training', async () => {
    const tb = syncer();
    await writeFile(join(localDir, 'events.out.tfevents.1'), 'x');
    fixture.inject({ times: 1000, fault: { kind: 'status', status: 403, message: 'hptune@p.iam.gserviceaccount.com does not have storage.objects.list access' } });
    const round = await tb.sync();
    expect(round.filesUploaded).toBe(0);
    expect(tb.state.status).toBe('failed');
    const error = (tb.state as { error: DestinationError }).error;
    expect(error).toBeInstanceOf(DestinationError);
    expect(error.code).toBe('DESTINATION_ACCESS_DENIED');
    expect(warnings.map((w) => w.code)).toEqual(['SYNC_STOPPED']);
    expect(warnings[0]?.message).toMatch(/stopped: gs:\/\/hptune-logs\/tb\/trial-1: permission denied \(HTTP 403\).*Logs stay in/);
    const requests = fixture.stats.requests;
    await tb.sync();
    expect(fixture.stats.requests).toBe(requests);
    const report = await tb.stop();
    expect(report).toMatchObject({ verified: false, error: { code: 'DESTINATION_ACCESS_DENIED' } });
    expect(warnings.map((w) => w.code)).toEqual(['SYNC_STOPPED', 'SYNC_NOT_VERIFIED']);
  });

  it('stops on a missing bucket with DESTINATION_NOT_FOUND and reports every file as missing', async () => {
    const tb = new TensorBoardSyncer({ localDir, destination: new GcsBlobStore({ bucket: 'no-such-bucket', apiEndpoint: fixture.url, retry: FAST_RETRY }), onWarning: (w) => warnings.push(w) });
    await writeFile(join(localDir, 'events.out.tfevents.1'), 'x');
    await tb.sync();
    const report = await tb.stop();
    expect(report).toMatchObject({ verified: false, missing: ['events.out.tfevents.1'], error: { code: 'DESTINATION_NOT_FOUND' } });
    expect(formatSyncReport(report)).toMatch(/^TensorBoard logs NOT verified at gs:\/\/no-such-bucket: missing events.out.tfevents.1; gs:\/\/no-such-bucket: bucket gs:\/\/no-such-bucket does not exist/);
  });

  it('says plainly when the destination does not match at the end', async () => {
    const tb = syncer();
    await writeFile(join(localDir, 'a.tfevents'), 'complete file');
    await writeFile(join(localDir, 'b.tfevents'), 'other');
    await tb.sync();
    fixture.putObject(BUCKET, 'tb/trial-1/a.tfevents', Buffer.from('tampered!!!!!'));
    fixture.inject({ match: { method: 'DELETE' }, fault: { kind: 'status', status: 403 } });
    await rm(join(localDir, 'b.tfevents'));
    await writeFile(join(localDir, 'c.tfevents'), 'late');
    fixture.inject({ times: 1000, match: { path: 'uploadType=multipart' }, fault: { kind: 'status', status: 503 } });
    const report = await tb.stop();
    expect(report.verified).toBe(false);
    expect(report.missing).toEqual(['c.tfevents']);
    expect(report.mismatched).toEqual([{ name: 'a.tfevents', local: { size: 13, crc32c: expect.any(String) }, remote: { size: 13, crc32c: expect.any(String) } }]);
    const last = warnings[warnings.length - 1];
    expect(last?.code).toBe('SYNC_NOT_VERIFIED');
    expect(last?.files).toEqual(['c.tfevents', 'a.tfevents']);
    expect(last?.message).toMatch(/NOT verified at gs:\/\/hptune-logs\/tb\/trial-1: missing c.tfevents; a.tfevents differs \(local 13 bytes/);
  });

  it('re-uploads a file that was truncated or rewritten', async () => {
    const tb = syncer();
    const path = join(localDir, 'events.out.tfevents.1');
    await writeFile(path, 'long first version');
    await tb.sync();
    await writeFile(path, 'short');
    await tb.sync();
    expect(remote('events.out.tfevents.1')?.toString()).toBe('short');
    await writeFile(join(localDir, 'replacement'), 'replaced by a rename, and longer');
    await rename(join(localDir, 'replacement'), path);
    await tb.sync();
    expect(remote('events.out.tfevents.1')?.toString()).toBe('replaced by a rename, and longer');
    // Rewritten in place and grown: only the final verification can tell, and it repairs it.
    await writeFile(path, 'REPLACED BY A RENAME, AND LONGER still');
    expect((await tb.stop()).verified).toBe(true);
    expect(remote('events.out.tfevents.1')?.toString()).toBe('REPLACED BY A RENAME, AND LONGER still');
  });

  it('resumes after a restart from what already landed, sending only the rest', async () => {
    const path = join(localDir, 'events.out.tfevents.1');
    await writeFile(path, 'x'.repeat(1000));
    await syncer().stop();
    await appendFile(path, 'y'.repeat(10));
    fixture.resetStats();
    const report = await syncer().stop();
    expect(report.verified).toBe(true);
    expect(fixture.stats.objectBytesReceived).toBe(10);
  });

  it('keeps bytes uploaded within 1.1x of bytes written over a long simulated run', async () => {
    const random = seeded(42);
    const tb = syncer();
    await mkdir(join(localDir, 'trial'), { recursive: true });
    const events = join(localDir, 'trial', 'events.out.tfevents.1700000000.host.1.0');
    const evalEvents = join(localDir, 'trial', 'eval', 'events.out.tfevents.1700000000.host.1.0');
    await mkdir(join(localDir, 'trial', 'eval'), { recursive: true });
    // 120 rounds = one hour at 30 s; each round appends 30 "seconds" of scalars, histograms now and then.
    for (let round = 0; round < 120; round++) {
      const chunk: Buffer[] = [];
      for (let second = 0; second < 30; second++) chunk.push(recordLike(random, 40 + Math.floor(random() * 20)));
      if (round % 4 === 0) chunk.push(recordLike(random, 1200));
      await appendFile(events, Buffer.concat(chunk));
      if (round % 10 === 0) await appendFile(evalEvents, recordLike(random, 300));
      await tb.sync();
    }
    const report = await tb.stop();
    expect(report.verified).toBe(true);
    const ratio = fixture.stats.objectBytesReceived / report.bytesWritten;
    expect(ratio).toBeLessThanOrEqual(1.1);
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(report.bytesUploaded).toBe(report.bytesWritten);
  });

  it('syncs in the background on its interval without being asked', async () => {
    const tb = syncer({ intervalMs: 20 });
    await writeFile(join(localDir, 'events.out.tfevents.1'), 'background');
    tb.start();
    const deadline = Date.now() + 5_000;
    while (remote('events.out.tfevents.1') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(remote('events.out.tfevents.1')?.toString()).toBe('background');
    expect((await tb.stop()).verified).toBe(true);
  });

  it('on SIGTERM runs the final sync, then hands the signal to the listeners it set aside', async () => {
    const calls: string[] = [];
    const previous = (signal: NodeJS.Signals): void => {
      calls.push(`previous ${signal}, landed: ${remote('events.out.tfevents.1')?.toString() ?? 'nothing'}`);
    };
    process.on('SIGTERM', previous);
    try {
      const tb = syncer({ handleSignals: true });
      tb.start();
      expect(process.listeners('SIGTERM')).not.toContain(previous);
      await writeFile(join(localDir, 'events.out.tfevents.1'), 'written before the signal');
      process.emit('SIGTERM', 'SIGTERM');
      const deadline = Date.now() + 5_000;
      while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(calls).toEqual(['previous SIGTERM, landed: written before the signal']);
      expect(tb.state.status).toBe('stopped');
      expect(process.listeners('SIGTERM')).toContain(previous);
      expect(process.listeners('SIGTERM')).toHaveLength(1);
    } finally {
      process.removeListener('SIGTERM', previous);
    }
  });

  it('restores the signal listeners on a normal stop', async () => {
    const before = { SIGINT: process.listeners('SIGINT').length, beforeExit: process.listeners('beforeExit').length };
    const tb = syncer({ handleSignals: true });
    tb.start();
    expect(process.listeners('beforeExit')).toHaveLength(before.beforeExit + 1);
    await tb.stop();
    expect(process.listeners('SIGINT')).toHaveLength(before.SIGINT);
    expect(process.listeners('beforeExit')).toHaveLength(before.beforeExit);
  });

  it('runs the final sync when the process is about to exit without stop()', async () => {
    const tb = syncer({ handleSignals: true });
    tb.start();
    await writeFile(join(localDir, 'events.out.tfevents.1'), 'forgot to stop');
    process.emit('beforeExit', 0);
    expect(tb.state.status).toBe('stopping');
    const report = await tb.stop();
    expect(report.verified).toBe(true);
    expect(remote('events.out.tfevents.1')?.toString()).toBe('forgot to stop');
  });

  it('survives an onWarning callback that throws', async () => {
    const tb = new TensorBoardSyncer({
      localDir,
      destination: store(),
      onWarning: () => {
        throw new Error('bad handler');
      },
    });
    await writeFile(join(localDir, 'x'), 'x');
    fixture.inject({ times: 1000, fault: { kind: 'status', status: 403 } });
    await expect(tb.sync()).resolves.toMatchObject({ filesUploaded: 0 });
    await expect(tb.stop()).resolves.toMatchObject({ verified: false });
  });
});

describe('TensorBoardSyncer to a local directory', () => {
  it('mirrors the log directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hptune-syncer-local-'));
    try {
      const localDir = join(root, 'logs');
      await mkdir(join(localDir, 'run'), { recursive: true });
      await writeFile(join(localDir, 'run', 'events.out.tfevents.1'), 'one');
      const tb = new TensorBoardSyncer({ localDir, destination: join(root, 'mirror') });
      await tb.sync();
      await appendFile(join(localDir, 'run', 'events.out.tfevents.1'), ' two');
      const report = await tb.stop();
      expect(report).toMatchObject({ verified: true, files: 1, bytesWritten: 7, bytesUploaded: 7 });
      expect(await readFile(join(root, 'mirror', 'run', 'events.out.tfevents.1'), 'utf8')).toBe('one two');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('treats a log directory that does not exist yet as empty', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hptune-syncer-local-'));
    try {
      const tb = new TensorBoardSyncer({ localDir: join(root, 'not-yet'), destination: new LocalBlobStore(join(root, 'mirror')) });
      expect(await tb.sync()).toEqual({ filesUploaded: 0, bytesUploaded: 0, failed: [] });
      expect(await tb.stop()).toMatchObject({ verified: true, files: 0 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('rejects bad options naming the field', () => {
    expect(() => new TensorBoardSyncer({ localDir: '', destination: '/tmp/x' })).toThrow(/localDir/);
    expect(() => new TensorBoardSyncer({ localDir: '/tmp/a', destination: '/tmp/x', intervalMs: 0 })).toThrow(/intervalMs 0 must be a number of milliseconds >= 10/);
    expect(() => new TensorBoardSyncer({ localDir: '/tmp/a', destination: 'gs://' })).toThrow(/destination "gs:\/\/" has no bucket/);
  });
});
