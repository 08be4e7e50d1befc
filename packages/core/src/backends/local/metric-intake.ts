import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { HptuneError, parseMetricLine, type MetricReport } from '@hptune/trial';
import type { Measurement } from '../../study/types.js';
import type { MeasurementTracker } from './measurements.js';

/**
 * Bytes of a metric file read at once, so a huge file never holds the coordinator's event loop for
 * long: about 1,450 lines of 90 bytes, tens of milliseconds to parse and store (a megabyte held it
 * over a second on a loaded machine). What one read parses lives until it is stored, and V8 grows
 * its young generation with what outlives its collections: 256 KiB reads grew the coordinator's
 * RSS 4 to 10 MiB more over a 100,000-line file. Each read is one store transaction and a disk
 * sync, so much smaller reads cost more of those.
 */
export const METRIC_READ_CHUNK_BYTES = 128 * 1024;

/** Lines of a metric file remembered to recognise them after a rewrite (at least; more when a rewrite holds more). */
const RECENT_LINES = 128;

/** What one {@link MetricFileReader.read} found. */
export interface MetricFileRead {
  /** Reports new since the last read, in file order. */
  readonly reports: MetricReport[];
  /** The first malformed line's error; the lines before it were taken, it and what follows are read again next time. */
  readonly error?: Error;
  /** Whether the file holds more than this read took (it stopped at `maxBytes`). */
  readonly more: boolean;
}

/**
 * Reads a trial's metric file incrementally: each report is returned once, whether the trainer
 * appends lines, rewrites the file in place (Python's cloudml-hypertune: truncate, write the last 100
 * reports) or replaces it (hptune's `reportMetric`: write a temporary file, rename it over).
 *
 * While the file only grows (same inode, the line last read still where it was), only the bytes
 * after the last offset are read. Anything else is a rewrite: the file is read whole, and the
 * reports after the newest line already read are the new ones (every line carries a timestamp, so a
 * line read before is recognised by its text). A rewrite caught half written holds only lines read
 * before, so it yields nothing, and the lines appended after it that were read before are skipped.
 * An unterminated last line is left for the next read, except on the final read.
 */
export class MetricFileReader {
  readonly #file: string;
  #inode: bigint | undefined;
  /** Bytes of the file taken so far: everything up to and including the last complete line read. */
  #offset = 0;
  /** The last complete line taken, with its newline, to check that it is still where it was. */
  #lastLine: Buffer | undefined;
  /** Lines taken so far in this version of the file, for error messages. */
  #lineNumber = 0;
  /** Recently taken lines: how a rewrite's new lines are told from old ones. */
  #recent = new Set<string>();
  #recentOrder: string[] = [];
  #recentCapacity = RECENT_LINES;
  /** After a rewrite caught half written, appended lines read before are skipped until a new one comes. */
  #skipSeen = false;

  constructor(file: string) {
    this.#file = file;
  }

  /**
   * Reads what is new. `final` once the trainer has exited: an unterminated last line is taken too.
   * @param options.maxBytes bytes read at most while the file only grows; a rewrite is read whole.
   */
  read(options: { readonly final: boolean; readonly maxBytes?: number }): MetricFileRead {
    let fd: number;
    try {
      fd = openSync(this.#file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reports: [], more: false };
      return { reports: [], error: error as Error, more: false };
    }
    try {
      const stat = fstatSync(fd, { bigint: true });
      const size = Number(stat.size);
      if (this.#recent.size === 0 && this.#lastLine === undefined) {
        // Nothing taken yet: whatever the file holds is new, and is read in chunks as appended lines are.
        this.#inode = stat.ino;
        this.#offset = 0;
        this.#lineNumber = 0;
      }
      if (stat.ino === this.#inode && size >= this.#offset && this.#lineStillThere(fd)) return this.#readAppended(fd, size, options.final, options.maxBytes ?? METRIC_READ_CHUNK_BYTES);
      return this.#readRewritten(fd, stat.ino, size, options.final);
    } catch (error) {
      return { reports: [], error: error as Error, more: false };
    } finally {
      closeSync(fd);
    }
  }

  #lineStillThere(fd: number): boolean {
    const last = this.#lastLine;
    if (last === undefined) return this.#offset === 0;
    const buffer = Buffer.alloc(last.length);
    return readSync(fd, buffer, 0, last.length, this.#offset - last.length) === last.length && buffer.equals(last);
  }

  #readAppended(fd: number, size: number, final: boolean, maxBytes: number): MetricFileRead {
    if (size === this.#offset) return { reports: [], more: false };
    let length = Math.min(size - this.#offset, maxBytes);
    let buffer = readAt(fd, this.#offset, length);
    // One line longer than a chunk: read on to its end.
    while (buffer.lastIndexOf(10) === -1 && this.#offset + length < size) {
      length = Math.min(size - this.#offset, length * 2);
      buffer = readAt(fd, this.#offset, length);
    }
    const atEnd = this.#offset + length === size;
    return { ...this.#take(buffer, final && atEnd), more: !atEnd };
  }

  #readRewritten(fd: number, inode: bigint, size: number, final: boolean): MetricFileRead {
    const buffer = readAt(fd, 0, size);
    const lines = lineBounds(buffer, final);
    let newest = -1;
    for (let index = lines.length - 1; index >= 0; index -= 1) {
      const [start, end] = lines[index] as [number, number];
      if (this.#recent.has(buffer.toString('utf8', start, contentEnd(buffer, start, end)))) {
        newest = index;
        break;
      }
    }
    this.#inode = inode;
    this.#recentCapacity = Math.max(RECENT_LINES, lines.length);
    // Everything up to the newest line read before is old: stepped over without parsing it again.
    const skipped = newest === -1 ? 0 : (lines[newest] as [number, number])[1];
    this.#offset = skipped;
    this.#lineNumber = newest + 1;
    this.#lastLine = skipped === 0 ? undefined : Buffer.from(buffer.subarray((lines[newest] as [number, number])[0], skipped));
    this.#skipSeen = newest >= 0;
    return { ...this.#take(buffer.subarray(skipped), final), more: false };
  }

  /**
   * Parses the complete lines of `buffer` (all of it when `whole`), which starts at the offset, and
   * moves the offset past them; after a rewrite caught half written, lines read before are stepped
   * over until a new one comes. Works on byte positions: one string per line, nothing else per line.
   */
  #take(buffer: Buffer, whole: boolean): Omit<MetricFileRead, 'more'> {
    const reports: MetricReport[] = [];
    const taken: string[] = [];
    let error: Error | undefined;
    let position = 0;
    let lastStart = -1;
    while (position < buffer.length) {
      const newline = buffer.indexOf(10, position);
      if (newline === -1 && !whole) break;
      const end = newline === -1 ? buffer.length : newline;
      const content = buffer.toString('utf8', position, end);
      if (content.trim() !== '' && !(this.#skipSeen && this.#recent.has(content))) {
        this.#skipSeen = false;
        const parsed = parseMetricLine(content);
        if (typeof parsed === 'string') {
          error = new HptuneError('MALFORMED_METRIC_FILE', `metric file ${this.#file} line ${this.#lineNumber + 1} ${parsed}: ${content.slice(0, 200)}`);
          break;
        }
        reports.push(parsed);
      }
      taken.push(content);
      this.#lineNumber += 1;
      // An unterminated line (the final read's) is taken but is no boundary to append after.
      if (newline !== -1) lastStart = position;
      position = newline === -1 ? end : newline + 1;
    }
    if (lastStart !== -1) this.#lastLine = Buffer.from(buffer.subarray(lastStart, buffer.indexOf(10, lastStart) + 1));
    this.#offset += position;
    this.#remember(taken);
    return error ? { reports, error } : { reports };
  }

  /** Remembers the newest lines taken, to recognise them after a rewrite. */
  #remember(taken: readonly string[]): void {
    for (const content of taken.length > this.#recentCapacity ? taken.slice(-this.#recentCapacity) : taken) {
      if (this.#recent.has(content)) continue;
      this.#recent.add(content);
      this.#recentOrder.push(content);
    }
    if (this.#recentOrder.length > this.#recentCapacity * 2) {
      // Trimmed in batches: dropping one entry per line would make a huge file quadratic.
      const dropped = this.#recentOrder.splice(0, this.#recentOrder.length - this.#recentCapacity);
      for (const old of dropped) this.#recent.delete(old);
    }
  }
}

/** Where each line of `buffer` starts and ends (after its newline); the unterminated rest too when `whole`. */
function lineBounds(buffer: Buffer, whole: boolean): [number, number][] {
  const lines: [number, number][] = [];
  let start = 0;
  for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10, start)) {
    lines.push([start, newline + 1]);
    start = newline + 1;
  }
  if (whole && start < buffer.length) lines.push([start, buffer.length]);
  return lines;
}

/** The end of a line's text: before its newline, if it has one. */
function contentEnd(buffer: Buffer, start: number, end: number): number {
  return end > start && buffer[end - 1] === 10 ? end - 1 : end;
}

/**
 * The buffer reads of up to {@link METRIC_READ_CHUNK_BYTES} go to, shared by every reader: a read
 * and the parsing of what it read are one synchronous step, and a fresh megabyte per read would
 * only churn memory.
 */
let chunkBuffer: Buffer | undefined;

/** `length` bytes of the file from `position` (fewer at its end), in the shared chunk buffer when they fit. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = length <= METRIC_READ_CHUNK_BYTES ? (chunkBuffer ??= Buffer.allocUnsafe(METRIC_READ_CHUNK_BYTES)) : Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const count = readSync(fd, buffer, read, length - read, position + read);
    if (count === 0) break;
    read += count;
  }
  return buffer.subarray(0, read);
}

/** Options of {@link MetricIntake}. */
export interface MetricIntakeOptions {
  /** The trial's metric file (`CLOUD_ML_HP_METRIC_FILE`). */
  readonly metricFile: string;
  readonly tracker: MeasurementTracker;
  /** Called with the measurements each read completes, in order (never empty). */
  readonly onMeasurements: (measurements: readonly Measurement[]) => void;
  /** How often the file is read even without a change notice (file systems without notices), in milliseconds. */
  readonly pollIntervalMs: number;
  /**
   * How long the file must stay quiet before a measurement held back (see {@link MeasurementTracker})
   * is released, in milliseconds; a step that lacks tags the step before had waits for them up to
   * `pollIntervalMs` or {@link STEP_COMPLETION_MIN_WAIT_MS}, whichever is longer. @default {@link DEFAULT_SETTLE_MS}
   */
  readonly settleMs?: number;
}

/**
 * The least time a step that lacks tags the step before had waits for them, in milliseconds,
 * however short the poll: a trainer descheduled between its two reports of one step on a busy
 * machine (tens of milliseconds, seen on a loaded 2-core machine) must not have its step split into
 * two measurements. Complete steps are released at once, so only such a step waits this long.
 */
export const STEP_COMPLETION_MIN_WAIT_MS = 500;

/**
 * {@link MetricIntakeOptions.settleMs}'s default: a trainer's reports of one step come within
 * microseconds of each other, or a few milliseconds on a busy machine.
 */
export const DEFAULT_SETTLE_MS = 20;

/**
 * Follows one trial's metric file: a file-system watch on its folder (the file itself is replaced on
 * each report, which would end a watch on it) reads it within milliseconds of a report, and a poll
 * every `pollIntervalMs` catches what a file system does not notify. Reads are incremental and at most
 * {@link METRIC_READ_CHUNK_BYTES} at a time, the rest in later turns of the event loop, so a huge file
 * never stalls the other trials' timers. Every new measurement goes to `onMeasurements`, a read's
 * worth at a time (one store transaction).
 */
export class MetricIntake {
  readonly #options: MetricIntakeOptions;
  readonly #reader: MetricFileReader;
  #watcher: FSWatcher | undefined;
  #poller: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  #scheduled: NodeJS.Immediate | undefined;
  #finished = false;

  constructor(options: MetricIntakeOptions) {
    this.#options = options;
    this.#reader = new MetricFileReader(options.metricFile);
  }

  /** Starts following the file. */
  start(): void {
    const name = basename(this.#options.metricFile);
    try {
      this.#watcher = watch(dirname(this.#options.metricFile), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.#schedule();
      });
      // Watches can fail later (the folder removed, the watch limit): the poll carries on alone.
      this.#watcher.on('error', () => this.#unwatch());
    } catch {
      this.#watcher = undefined;
    }
    this.#poller = setInterval(() => this.#schedule(), this.#options.pollIntervalMs);
    this.#poller.unref();
    this.#schedule();
  }

  /** Reads the file now, once. */
  readNow(): Error | undefined {
    return this.#readOnce(false);
  }

  /**
   * Once the trainer has exited: stops following, reads the rest (in chunks, yielding between them)
   * and releases every measurement held back. Resolves to the final read's error, if any: a file
   * caught half written mid-run is read again, so only the end's error counts.
   */
  async finish(): Promise<Error | undefined> {
    this.#finished = true;
    this.#unwatch();
    clearInterval(this.#poller);
    clearTimeout(this.#settle);
    if (this.#scheduled) clearImmediate(this.#scheduled);
    for (;;) {
      const read = this.#reader.read({ final: true });
      this.#emit(this.#options.tracker.update(read.reports));
      if (read.error || !read.more) {
        this.#emit(this.#options.tracker.flush());
        return read.error;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Stops following without a final read. */
  close(): void {
    this.#finished = true;
    this.#unwatch();
    clearInterval(this.#poller);
    clearTimeout(this.#settle);
    if (this.#scheduled) clearImmediate(this.#scheduled);
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #schedule(): void {
    if (this.#finished || this.#scheduled) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      if (this.#finished) return;
      this.#readOnce(false);
    });
  }

  #readOnce(final: boolean): Error | undefined {
    const { tracker } = this.#options;
    const read = this.#reader.read({ final });
    this.#emit(tracker.update(read.reports));
    if (read.more) this.#schedule();
    // Only news restarts the quiet period: a poll that finds nothing must not push the release back
    // (with a poll shorter than the settle time it never came).
    if (read.reports.length > 0 || !tracker.holding) {
      clearTimeout(this.#settle);
      this.#settle = undefined;
    }
    if (tracker.holding && this.#settle === undefined) {
      // A step missing tags the step before had waits for them (a poll interval, at least
      // STEP_COMPLETION_MIN_WAIT_MS); otherwise a quiet moment is enough.
      const wait = tracker.expectingMore ? Math.max(this.#options.pollIntervalMs, STEP_COMPLETION_MIN_WAIT_MS) : (this.#options.settleMs ?? DEFAULT_SETTLE_MS);
      this.#settle = setTimeout(() => {
        this.#settle = undefined;
        if (!this.#finished) this.#emit(tracker.flush());
      }, wait);
    }
    return read.error;
  }

  #emit(measurements: readonly Measurement[]): void {
    if (measurements.length > 0) this.#options.onMeasurements(measurements);
  }
}
