/**
 * Reads TensorBoard event files back: one file, one run, or a whole log directory, where a run is
 * every directory that holds event files, named by its path relative to the root (`.` for the root).
 * CRCs are verified; an incomplete last record (a file still being written) is tolerated and
 * counted; a corrupt record is reported with its file and offset.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { HptuneError } from '@hptune/trial';
import { isEventFileName } from './event-writer.js';
import { decodeHParamsPluginData, type HParamsPluginData } from './proto/hparams.js';
import {
  DataClass,
  TensorDataType,
  decodeEvent,
  tensorNumbers,
  type SummaryMetadata,
  type TensorBoardEventProto,
  type TensorProto,
} from './proto/tensorboard.js';
import { CorruptRecordError, scanRecords } from './records.js';
import { PluginName, type HistogramBucket } from './summaries.js';

/** One event read from a file, with where it was. */
export interface EventRecord {
  /** Byte offset of the event's record in its file. */
  readonly offset: number;
  readonly event: TensorBoardEventProto;
}

/** An event file's contents. */
export interface EventFileContents {
  readonly path: string;
  /** The file's size when read. */
  readonly bytes: number;
  readonly events: EventRecord[];
  /** Bytes at the end that do not make a whole record yet (the file is being written); 0 when none. */
  readonly trailingBytes: number;
  /** The first corrupt record, when reading tolerated corruption; the events before it are kept. */
  readonly corruption?: CorruptRecordError;
}

/** Options of the readers. */
export interface ReadOptions {
  /**
   * Keep what was read before a corrupt record and report it in `corruption` instead of throwing.
   * @default false
   */
  tolerateCorruption?: boolean;
}

/**
 * Reads one event file, verifying every record's checksums and decoding its events.
 * @throws CorruptRecordError naming the file and offset, unless `tolerateCorruption` is set
 */
export function readEventFile(path: string, options: ReadOptions = {}): EventFileContents {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new HptuneError('TB_READ_FAILED', `could not read event file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const scan = scanRecords(bytes, { source: path });
  const events: EventRecord[] = [];
  let corruption = scan.corruption;
  for (const record of scan.records) {
    try {
      events.push({ offset: record.offset, event: decodeEvent(record.data) });
    } catch (error) {
      corruption = new CorruptRecordError({
        source: path,
        offset: record.offset,
        corruption: 'bad-event',
        detail: `its checksums match but it is not an Event protobuf (${(error as Error).message})`,
        cause: error,
      });
      break;
    }
  }
  if (corruption && !options.tolerateCorruption) throw corruption;
  return {
    path,
    bytes: bytes.length,
    events,
    trailingBytes: corruption ? 0 : scan.trailingBytes,
    ...(corruption ? { corruption } : {}),
  };
}

/** What every {@link SummaryPoint} has: where and when it was logged, and by which plugin's rules. */
export interface SummaryPointBase {
  readonly tag: string;
  readonly step: number;
  /** Seconds since the Unix epoch. */
  readonly wallTime: number;
  /** The plugin named by the tag's metadata; `scalars` for legacy simple values; '' when none. */
  readonly pluginName: string;
  readonly dataClass: DataClass;
}

/** A summary value's data, by kind. */
export type SummaryPayload =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'histogram'; readonly buckets: HistogramBucket[] }
  | { readonly kind: 'images'; readonly width: number; readonly height: number; readonly images: Uint8Array[] }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'hparams'; readonly data: HParamsPluginData }
  | { readonly kind: 'tensor'; readonly tensor: TensorProto }
  /** A legacy value this reader does not decode; `field` is its `Summary.Value` field number. */
  | { readonly kind: 'other'; readonly field: number };

/** A summary value as a plugin sees it, once its tag's metadata is known. */
export type SummaryPoint = SummaryPointBase & SummaryPayload;

/** A run: a directory holding event files, read in name order. */
export interface RunContents {
  /** The directory relative to the log root, with `/` separators; `.` for the root itself. */
  readonly name: string;
  readonly directory: string;
  readonly files: EventFileContents[];
  /** Every summary value of the run in file order, typed by its tag's metadata. */
  readonly points: SummaryPoint[];
}

/** A whole log directory. */
export interface LogDirContents {
  readonly root: string;
  /** Runs sorted by name. */
  readonly runs: RunContents[];
  /** Corrupt records met while reading with `tolerateCorruption`. */
  readonly problems: CorruptRecordError[];
}

/**
 * Reads a log directory (every run beneath it) or a single event file (one run named `.`).
 * @throws CorruptRecordError on the first corrupt record, unless `tolerateCorruption` is set
 */
export function readLogDir(path: string, options: ReadOptions = {}): LogDirContents {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw new HptuneError('TB_READ_FAILED', `no TensorBoard log directory at ${path}: ${(error as Error).message}`, { cause: error });
  }
  const problems: CorruptRecordError[] = [];
  const runDirectories = isFile ? [{ directory: dirname(path), files: [basename(path)] }] : findRuns(path);
  const runs = runDirectories.map(({ directory, files }) => {
    const name = isFile ? '.' : runName(path, directory);
    const contents = files.map((file) => readEventFile(join(directory, file), options));
    for (const file of contents) if (file.corruption) problems.push(file.corruption);
    return { name, directory, files: contents, points: summaryPoints(contents.flatMap((file) => file.events)) };
  });
  runs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { root: path, runs, problems };
}

/**
 * Types the summary values of a run's events, resolving each tag's plugin from the first metadata
 * seen for it in the run, as TensorBoard does.
 */
export function summaryPoints(events: readonly EventRecord[]): SummaryPoint[] {
  const metadataByTag = new Map<string, SummaryMetadata>();
  const points: SummaryPoint[] = [];
  for (const { event } of events) {
    for (const value of event.summary?.value ?? []) {
      if (value.metadata && !metadataByTag.has(value.tag)) metadataByTag.set(value.tag, value.metadata);
      const metadata = metadataByTag.get(value.tag);
      const legacyScalar = value.simpleValue !== undefined;
      const base: SummaryPointBase = {
        tag: value.tag,
        step: event.step,
        wallTime: event.wallTime,
        pluginName: metadata?.pluginData?.pluginName ?? (legacyScalar ? PluginName.SCALARS : ''),
        dataClass: metadata?.dataClass ?? (legacyScalar ? DataClass.SCALAR : DataClass.UNKNOWN),
      };
      let payload: SummaryPayload;
      try {
        payload = typedPayload(base.pluginName, value.metadata ?? metadata, value);
      } catch {
        // A tensor that does not fit its plugin's form is still shown, untyped.
        payload = value.tensor ? { kind: 'tensor', tensor: value.tensor } : { kind: 'other', field: value.otherValueField ?? 0 };
      }
      points.push({ ...base, ...payload });
    }
  }
  return points;
}

function typedPayload(
  pluginName: string,
  metadata: SummaryMetadata | undefined,
  value: { simpleValue?: number; tensor?: TensorProto; otherValueField?: number },
): SummaryPayload {
  if (value.simpleValue !== undefined) return { kind: 'scalar', value: value.simpleValue };
  const tensor = value.tensor;
  if (!tensor) return { kind: 'other', field: value.otherValueField ?? 0 };
  const decoder = new TextDecoder();
  switch (pluginName) {
    case PluginName.SCALARS:
      return { kind: 'scalar', value: tensorNumbers(tensor)[0] ?? Number.NaN };
    case PluginName.HISTOGRAMS: {
      const numbers = tensorNumbers(tensor);
      const buckets: HistogramBucket[] = [];
      for (let index = 0; index + 2 < numbers.length; index += 3) {
        buckets.push([numbers[index] as number, numbers[index + 1] as number, numbers[index + 2] as number]);
      }
      return { kind: 'histogram', buckets };
    }
    case PluginName.IMAGES: {
      const [width, height, ...images] = tensor.stringVal ?? [];
      return {
        kind: 'images',
        width: Number(decoder.decode(width)),
        height: Number(decoder.decode(height)),
        images,
      };
    }
    case PluginName.TEXT:
      if (tensor.dtype === TensorDataType.DT_STRING) {
        return { kind: 'text', text: (tensor.stringVal ?? []).map((bytes) => decoder.decode(bytes)).join('\n') };
      }
      break;
    case PluginName.HPARAMS: {
      const content = metadata?.pluginData?.content;
      if (content) return { kind: 'hparams', data: decodeHParamsPluginData(content) };
      break;
    }
  }
  return { kind: 'tensor', tensor };
}

function findRuns(root: string): { directory: string; files: string[] }[] {
  const runs: { directory: string; files: string[] }[] = [];
  const visit = (directory: string): void => {
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      throw new HptuneError('TB_READ_FAILED', `could not list ${directory}: ${(error as Error).message}`, { cause: error });
    }
    const files = entries.filter((entry) => entry.isFile() && isEventFileName(entry.name)).map((entry) => entry.name).sort();
    if (files.length > 0) runs.push({ directory, files });
    for (const entry of entries) if (entry.isDirectory()) visit(join(directory, entry.name));
  };
  visit(root);
  return runs;
}

function runName(root: string, directory: string): string {
  const path = relative(root, directory);
  return path === '' ? '.' : path.split(sep).join('/');
}
