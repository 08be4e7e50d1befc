import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeEventWithFixtures } from '@hptune/testing/tensorboard';
import { HptuneError } from '@hptune/trial';
import { SummaryWriter } from './event-writer.js';
import { inspectLogDir } from './inspect.js';
import { readEventFile, readLogDir, type SummaryPoint } from './reader.js';
import { CorruptRecordError, encodeRecord } from './records.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hptune-tb-reader-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeRun(directory: string, steps = 3): string {
  const writer = new SummaryWriter({ logDir: directory, flushIntervalMs: 0, now: () => 1_700_000_000_000 });
  for (let step = 1; step <= steps; step++) writer.scalar('loss', 1 / step, step);
  writer.close();
  return writer.path;
}

const pick = <K extends SummaryPoint['kind']>(points: SummaryPoint[], kind: K) =>
  points.filter((point): point is Extract<SummaryPoint, { kind: K }> => point.kind === kind);

describe('readLogDir', () => {
  it('reads every run below the root, named relative to it, with typed values', () => {
    const writer = new SummaryWriter({ logDir: join(root, 'trial-1'), flushIntervalMs: 0 });
    writer.scalar('loss', 0.5, 1);
    writer.histogram('weights', [1, 2, 3, 4], 1, { buckets: 2 });
    writer.image('digit', { width: 2, height: 1, channels: 1, pixels: Uint8Array.of(0, 255) }, 1);
    writer.text('note', 'hello', 1);
    writer.rollFile();
    writer.scalar('loss', 0.25, 2);
    writer.close();
    writeRun(root);
    writeRun(join(root, 'trial-1', 'validation'));

    const log = readLogDir(root);
    expect(log.runs.map((run) => run.name)).toEqual(['.', 'trial-1', 'trial-1/validation']);
    const trial = log.runs[1];
    expect(trial?.files).toHaveLength(2);
    expect(pick(trial?.points ?? [], 'scalar').map((point) => [point.step, point.value])).toEqual([[1, 0.5], [2, 0.25]]);
    expect(pick(trial?.points ?? [], 'histogram')[0]?.buckets).toEqual([[1, 2.5, 2], [2.5, 4, 2]]);
    const [image] = pick(trial?.points ?? [], 'images');
    expect([image?.width, image?.height]).toEqual([2, 1]);
    expect([...PNG.sync.read(Buffer.from(image?.images[0] as Uint8Array)).data.subarray(0, 8)]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect(pick(trial?.points ?? [], 'text')[0]?.text).toBe('hello');
    expect(trial?.points.every((point) => point.wallTime > 1_600_000_000)).toBe(true);
  });

  it('reads a single file as run "."', () => {
    const path = writeRun(join(root, 'only'));
    const log = readLogDir(path);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.name).toBe('.');
    expect(pick(log.runs[0]?.points ?? [], 'scalar')).toHaveLength(3);
  });

  it('reads legacy simple_value scalars that other writers produce', () => {
    mkdirSync(join(root, 'legacy'));
    const records = [
      encodeEventWithFixtures({ wall_time: 1, file_version: 'brain.Event:2' }),
      encodeEventWithFixtures({ wall_time: 2, step: 5, summary: { value: [{ tag: 'acc', simple_value: 0.75 }] } }),
    ].map(encodeRecord);
    writeFileSync(join(root, 'legacy', 'events.out.tfevents.1.h'), Buffer.concat(records));
    const [run] = readLogDir(root).runs;
    expect(run?.points).toEqual([{ tag: 'acc', step: 5, wallTime: 2, pluginName: 'scalars', dataClass: 1, kind: 'scalar', value: 0.75 }]);
  });

  it('tolerates a last record still being written', () => {
    const path = writeRun(join(root, 'live'));
    const whole = readFileSync(path).length;
    truncateSync(path, whole - 5);
    const file = readEventFile(path);
    expect(file.events.map((record) => record.event.step)).toEqual([0, 1, 2]);
    expect(file.trailingBytes).toBeGreaterThan(0);
    expect(file.corruption).toBeUndefined();
    expect(inspectLogDir(root).runs[0]).toMatchObject({ events: 3, trailingBytes: file.trailingBytes });
  });

  it('reports a corrupt record with the file and offset, and keeps what came before when asked', () => {
    const path = writeRun(join(root, 'bad'), 4);
    const bytes = readFileSync(path);
    const third = readEventFile(path).events[2]?.offset as number;
    bytes.writeUInt8(bytes.readUInt8(third + 14) ^ 0xff, third + 14);
    writeFileSync(path, bytes);
    writeRun(join(root, 'good'));

    expect(() => readEventFile(path)).toThrow(CorruptRecordError);
    expect(() => readLogDir(root)).toThrow(new RegExp(`${path}: corrupt record at byte ${third}: data checksum`));
    const tolerant = readEventFile(path, { tolerateCorruption: true });
    expect(tolerant.events).toHaveLength(2);
    expect(tolerant.corruption).toMatchObject({ offset: third, corruption: 'data-checksum' });

    const inspection = inspectLogDir(root);
    expect(inspection.problems).toEqual([{ file: path, offset: third, message: expect.stringContaining('does not match') }]);
    expect(inspection.runs.map((run) => [run.name, run.events])).toEqual([['bad', 2], ['good', 4]]);
  });

  it('reports a record whose checksums match but which is not an Event', () => {
    const path = writeRun(join(root, 'odd'), 1);
    appendFileSync(path, encodeRecord(Uint8Array.of(0x0f, 0x01)));
    expect(() => readEventFile(path)).toThrow(/corrupt record at byte \d+: its checksums match but it is not an Event protobuf \(Event.wall_time \(field 1\) has wire type 7/);
  });

  it('says plainly when the directory is missing', () => {
    expect(() => readLogDir(join(root, 'nope'))).toThrow(HptuneError);
    expect(() => readLogDir(join(root, 'nope'))).toThrow(/no TensorBoard log directory at .*nope/);
  });
});

describe('inspectLogDir', () => {
  it('lists runs, tags with plugin and data class, counts, steps and last scalar values', () => {
    const writer = new SummaryWriter({ logDir: join(root, 'run'), flushIntervalMs: 0, now: () => 1_700_000_000_000 });
    for (let step = 1; step <= 3; step++) {
      writer.scalar('train/loss', 1 / step, step);
      writer.histogram('weights/dense', [step, step + 1], step);
    }
    writer.close();
    const inspection = inspectLogDir(root);
    expect(inspection.problems).toEqual([]);
    expect(inspection.runs).toEqual([
      {
        name: 'run',
        files: 1,
        bytes: readFileSync(writer.path).length,
        events: 7,
        trailingBytes: 0,
        tags: [
          { tag: 'train/loss', pluginName: 'scalars', dataClass: 'scalar', count: 3, firstStep: 1, lastStep: 3, lastWallTime: 1_700_000_000, lastValue: Math.fround(1 / 3) },
          { tag: 'weights/dense', pluginName: 'histograms', dataClass: 'tensor', count: 3, firstStep: 1, lastStep: 3, lastWallTime: 1_700_000_000 },
        ],
      },
    ]);
  });
});
