import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeEventFileWithFixtures, shapeOf, type DecodedValue } from '@hptune/testing/tensorboard';
import { ValidationError } from '@hptune/trial';
import {
  EVENT_FILE_VERSION,
  SummaryWriter,
  eventFileName,
  rollSummaryWriters,
  type SummaryWriterOptions,
  type TensorBoardWriteError,
} from './event-writer.js';

let root: string;
const writers: SummaryWriter[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hptune-tb-writer-'));
});

afterEach(() => {
  for (const writer of writers.splice(0)) writer.close();
  vi.useRealTimers();
  rmSync(root, { recursive: true, force: true });
});

function open(options: Partial<SummaryWriterOptions> = {}): SummaryWriter {
  const writer = new SummaryWriter({ logDir: join(root, 'run'), flushIntervalMs: 0, hostname: 'host', now: () => 1_700_000_000_000, ...options });
  writers.push(writer);
  return writer;
}

function values(path: string): DecodedValue[] {
  return decodeEventFileWithFixtures(path).flatMap((event) => event.summary?.value ?? []);
}

describe('SummaryWriter', () => {
  it('names files events.out.tfevents.<10-digit seconds>.<host>.<pid>.<seq> and starts them with brain.Event:2', () => {
    const writer = open();
    writer.close();
    const name = readdirSync(join(root, 'run'))[0] as string;
    expect(name).toMatch(new RegExp(`^events\\.out\\.tfevents\\.1700000000\\.host\\.${process.pid}\\.\\d{6}$`));
    const [header, ...rest] = decodeEventFileWithFixtures(writer.path);
    expect(header).toMatchObject({ wall_time: 1_700_000_000, file_version: EVENT_FILE_VERSION, source_metadata: { writer: 'hptune' } });
    expect(rest).toHaveLength(0);
    expect(eventFileName({ seconds: 42.9, hostname: 'h', pid: 7, sequence: 3 })).toBe('events.out.tfevents.0000000042.h.7.000003');
  });

  it('writes scalars in the modern form with full metadata on the first value of each tag only', () => {
    const writer = open();
    writer.scalar('train/loss', 0.5, 1, { description: 'cross-entropy' });
    writer.scalar('train/loss', 0.25, 2);
    writer.scalar('test/accuracy', 0.9, 2);
    writer.close();
    const events = decodeEventFileWithFixtures(writer.path);
    expect(events.map((event) => event.step ?? 0)).toEqual([0, 1, 2, 2]);
    const [first, second, third] = events.slice(1).map((event) => event.summary?.value?.[0]);
    expect(first).toEqual({
      tag: 'train/loss',
      metadata: { plugin_data: { plugin_name: 'scalars' }, summary_description: 'cross-entropy', data_class: 'DATA_CLASS_SCALAR' },
      tensor: { dtype: 'DT_FLOAT', tensor_shape: {}, float_val: [0.5] },
      value: 'tensor',
    });
    expect(second).toEqual({ tag: 'train/loss', tensor: { dtype: 'DT_FLOAT', tensor_shape: {}, float_val: [0.25] }, value: 'tensor' });
    expect(third?.metadata?.plugin_data?.plugin_name).toBe('scalars');
    expect(third?.tensor?.float_val?.[0]).toBeCloseTo(0.9, 6);
  });

  it('writes histograms as [k, 3] DT_DOUBLE tensors of left edge, right edge and count', () => {
    const writer = open();
    writer.histogram('weights/conv1', Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]), 3, { buckets: 5 });
    writer.histogram('weights/constant', [2, 2, 2], 3, { buckets: 4 });
    writer.histogram('weights/empty', [], 3);
    writer.close();
    const [spread, constant, empty] = values(writer.path);
    expect(spread?.metadata).toEqual({ plugin_data: { plugin_name: 'histograms' }, data_class: 'DATA_CLASS_TENSOR' });
    expect(spread?.tensor?.dtype).toBe('DT_DOUBLE');
    expect(shapeOf(spread?.tensor)).toEqual([5, 3]);
    expect(spread?.tensor?.double_val).toEqual([0, 2, 2, 2, 4, 2, 4, 6, 2, 6, 8, 2, 8, 10, 2]);
    expect(shapeOf(constant?.tensor)).toEqual([4, 3]);
    expect(constant?.tensor?.double_val).toEqual([2, 2, 0, 2, 2, 0, 2, 2, 0, 2, 2, 3]);
    expect(shapeOf(empty?.tensor)).toEqual([30, 3]);
    expect(empty?.tensor?.double_val).toEqual(new Array(90).fill(0));
  });

  it('writes images as a DT_STRING vector [width, height, png...] that decodes to the same pixels', () => {
    const writer = open();
    const grey = Uint8Array.from({ length: 6 }, (_, index) => index * 40);
    writer.image('test/digits', [{ width: 3, height: 2, channels: 1, pixels: grey }, { width: 3, height: 2, channels: 1, pixels: grey.map((v) => 255 - v) }], 1, {
      description: 'predicted: 7, 2',
    });
    writer.image('test/rgb', { width: 1, height: 1, channels: 3, pixels: Float32Array.of(1, 0.5, 0) }, 1);
    writer.close();
    const [digits, rgb] = values(writer.path);
    expect(digits?.metadata).toEqual({
      plugin_data: { plugin_name: 'images' },
      summary_description: 'predicted: 7, 2',
      data_class: 'DATA_CLASS_BLOB_SEQUENCE',
    });
    expect(digits?.tensor?.dtype).toBe('DT_STRING');
    expect(shapeOf(digits?.tensor)).toEqual([4]);
    const [width, height, first, second] = digits?.tensor?.string_val ?? [];
    expect([width?.toString(), height?.toString()]).toEqual(['3', '2']);
    const decoded = PNG.sync.read(first as Buffer);
    expect([decoded.width, decoded.height]).toEqual([3, 2]);
    expect([...decoded.data].filter((_, index) => index % 4 === 0)).toEqual([...grey]);
    expect(PNG.sync.read(second as Buffer).data[0]).toBe(255);
    expect([...PNG.sync.read(rgb?.tensor?.string_val?.[2] as Buffer).data]).toEqual([255, 128, 0, 255]);
  });

  it('writes text as a rank-0 DT_STRING tensor for the text plugin', () => {
    const writer = open();
    writer.text('notes', '**best** so far', 4);
    writer.close();
    const [note] = values(writer.path);
    expect(note?.metadata).toEqual({ plugin_data: { plugin_name: 'text' }, data_class: 'DATA_CLASS_TENSOR' });
    expect(shapeOf(note?.tensor)).toEqual([]);
    expect(note?.tensor?.string_val?.[0]?.toString()).toBe('**best** so far');
  });

  it('rejects bad arguments at once, naming the field and the fix', () => {
    const writer = open();
    expect(() => writer.scalar('', 1, 0)).toThrow(ValidationError);
    expect(() => writer.scalar('loss', 1, -1)).toThrow(/step -1 must be a non-negative whole number/);
    expect(() => writer.histogram('h', [1], 0, { buckets: 0 })).toThrow(/buckets 0 must be a whole number/);
    expect(() => writer.image('i', { width: 2, height: 2, channels: 1, pixels: new Uint8Array(3) }, 0)).toThrow(/pixels/);
    expect(() => writer.image('i', { png: new Uint8Array(30) }, 0)).toThrow(/is not a PNG/);
    expect(() => new SummaryWriter({ logDir: 'gs://bucket/logs' })).toThrow(/sync it to the bucket with TensorBoardSyncer/);
  });
});

describe('SummaryWriter buffering and files', () => {
  it('keeps events in memory until a flush, then writes them all; close flushes the rest', () => {
    const writer = open();
    const empty = statSync(writer.path).size;
    writer.scalar('loss', 1, 1);
    expect(statSync(writer.path).size).toBe(empty);
    expect(writer.status().pendingEvents).toBe(1);
    expect(writer.flush()).toBe(true);
    expect(statSync(writer.path).size).toBeGreaterThan(empty);
    writer.scalar('loss', 2, 2);
    expect(writer.close()).toBe(true);
    expect(values(writer.path)).toHaveLength(2);
    expect(writer.status()).toMatchObject({ eventsWritten: 3, pendingEvents: 0, droppedEvents: 0, closed: true });
  });

  it('flushes on its interval and when the buffer passes flushBytes', () => {
    vi.useFakeTimers();
    const writer = open({ flushIntervalMs: 1000 });
    writer.scalar('loss', 1, 1);
    vi.advanceTimersByTime(999);
    expect(writer.status().pendingEvents).toBe(1);
    vi.advanceTimersByTime(1);
    expect(writer.status().pendingEvents).toBe(0);
    const eager = open({ logDir: join(root, 'eager'), flushBytes: 2000 });
    eager.histogram('h', [1, 2, 3], 0, { buckets: 100 });
    expect(eager.status().pendingEvents).toBe(0);
  });

  it('rolls to a new file that sorts after the old one and repeats the header and metadata', () => {
    const writer = open();
    writer.scalar('loss', 1, 1);
    const finished = writer.rollFile();
    writer.scalar('loss', 2, 2);
    writer.close();
    expect(finished).toBeDefined();
    expect(writer.path > (finished as string)).toBe(true);
    const names = readdirSync(join(root, 'run'));
    expect(names).toHaveLength(2);
    expect(writer.status().files).toEqual([finished, writer.path]);
    for (const [file, step] of [[finished as string, 1], [writer.path, 2]] as const) {
      const events = decodeEventFileWithFixtures(file);
      expect(events[0]?.file_version).toBe(EVENT_FILE_VERSION);
      expect(events[1]).toMatchObject({ step, summary: { value: [{ tag: 'loss', metadata: { plugin_data: { plugin_name: 'scalars' } } }] } });
    }
  });

  it('names files so that they sort in write order, even many within one second', () => {
    const created: string[] = [];
    for (let index = 0; index < 12; index++) {
      const writer = open();
      created.push(writer.path);
      const rolled = writer.rollFile();
      if (rolled) created.splice(created.length - 1, 1, rolled, writer.path);
    }
    expect(created).toHaveLength(24);
    expect([...created].sort()).toEqual(created);
  });

  it('never names a file older than one already written when the clock steps back', () => {
    let now = 1_700_000_100_000;
    const later = open({ now: () => now });
    now -= 50_000;
    const earlier = open({ now: () => now });
    expect(earlier.path > later.path).toBe(true);
  });

  it('rolls only the writers under a directory', () => {
    const inside = open({ logDir: join(root, 'study', 'trial-1') });
    const outside = open({ logDir: join(root, 'other') });
    const before = outside.path;
    expect(rollSummaryWriters(join(root, 'study'))).toEqual([expect.stringContaining('trial-1')]);
    expect(inside.status().files).toHaveLength(2);
    expect(outside.path).toBe(before);
  });
});

describe('SummaryWriter failures', () => {
  it('reports a disk that refuses writes once, keeps the events, and writes them when the disk is back', () => {
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, 'a file where the run directory should be');
    const errors: TensorBoardWriteError[] = [];
    const writer = open({ logDir: join(blocked, 'run'), onError: (error) => errors.push(error) });
    writer.scalar('loss', 1, 1);
    expect(writer.flush()).toBe(false);
    writer.scalar('loss', 2, 2);
    writer.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'TB_WRITE_FAILED', operation: 'open' });
    expect(errors[0]?.message).toMatch(/ENOTDIR.*; training goes on, \d+ events wait in memory and are retried/);
    expect(writer.status()).toMatchObject({ pendingEvents: 2, failures: 3 });

    rmSync(blocked);
    expect(writer.close()).toBe(true);
    expect(values(writer.path).map((value) => value.tensor?.float_val?.[0])).toEqual([1, 2]);
  });

  it('drops events past maxPendingBytes and after close, and says so', () => {
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, '');
    const errors: TensorBoardWriteError[] = [];
    const writer = open({ logDir: join(blocked, 'run'), maxPendingBytes: 500, onError: (error) => errors.push(error) });
    for (let step = 0; step < 20; step++) writer.scalar('loss', step, step);
    expect(writer.status().droppedEvents).toBeGreaterThan(0);
    expect(errors.map((error) => error.code)).toEqual(['TB_WRITE_FAILED', 'TB_EVENTS_DROPPED']);
    expect(writer.close()).toBe(false);
    expect(errors.at(-1)?.message).toMatch(/^\d+ TensorBoard events for .* could not be written before close: could not open/);
    writer.scalar('loss', 1, 99);
    expect(errors.at(-1)?.message).toMatch(/after the TensorBoard writer of .* was closed/);
  });

  it('survives an onError handler that throws', () => {
    const blocked = join(root, 'blocked');
    writeFileSync(blocked, '');
    const writer = open({ logDir: join(blocked, 'run'), onError: () => { throw new Error('handler bug'); } });
    expect(() => writer.scalar('loss', 1, 1)).not.toThrow();
    expect(writer.flush()).toBe(false);
  });

  it('leaves the finished file complete when the writer is closed', () => {
    const writer = open();
    for (let step = 0; step < 100; step++) writer.scalar('loss', step / 100, step);
    writer.close();
    const bytes = readFileSync(writer.path);
    expect(bytes.length).toBe(writer.status().bytesWritten);
    expect(values(writer.path)).toHaveLength(100);
  });
});
