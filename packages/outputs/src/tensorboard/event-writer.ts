/**
 * Writes TensorBoard event files: buffered, flushed on an interval and on close, one file at a
 * time per writer, with a new file on demand ({@link SummaryWriter.rollFile}) for the syncer.
 *
 * Failure policy: TensorBoard logs must never stop training. Bad arguments (an empty tag, a
 * negative step) throw a `ValidationError` at once, as they are bugs in the caller; but a disk
 * that refuses writes is reported to `onError` (once per streak of failures) and in
 * {@link SummaryWriter.status}, while the events stay in memory and are retried on the next
 * flush, up to `maxPendingBytes`, past which new events are dropped and counted.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { makeDirectory } from '@hptune/trial';
import { HptuneError, ValidationError } from '@hptune/trial';
import type { ImageInput } from './png.js';
import { encodeEvent, type SummaryValue, type TensorBoardEventProto } from './proto/tensorboard.js';
import { encodeRecord } from './records.js';
import {
  histogramValue,
  imageValue,
  scalarValue,
  textValue,
  type HistogramOptions,
  type SummaryOptions,
} from './summaries.js';

/** The `file_version` of every event file's first record. */
export const EVENT_FILE_VERSION = 'brain.Event:2';

/** How often buffered events are written out. @default 5000 ms */
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;

/** Buffered bytes that trigger a write at once. @default 1 MiB */
export const DEFAULT_FLUSH_BYTES = 1024 * 1024;

/** Bytes kept in memory while writes fail; newer events are dropped past it. @default 64 MiB */
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** The program named in each file's `source_metadata.writer`. */
const SOURCE_WRITER = 'hptune';

/** Options of a {@link SummaryWriter}. */
export interface SummaryWriterOptions {
  /** The run directory the event files go into (a local path); created when missing. */
  logDir: string;
  /** Milliseconds between background flushes; 0 turns the timer off. @default {@link DEFAULT_FLUSH_INTERVAL_MS} */
  flushIntervalMs?: number;
  /** Buffered bytes that trigger a flush at once. @default {@link DEFAULT_FLUSH_BYTES} */
  flushBytes?: number;
  /** Bytes held in memory while the disk refuses writes. @default {@link DEFAULT_MAX_PENDING_BYTES} */
  maxPendingBytes?: number;
  /** Told of the first failure of each streak of failed writes (and of dropped events); never throws into training. */
  onError?: (error: TensorBoardWriteError) => void;
  /** The clock, in milliseconds since the Unix epoch: event wall times and file names. @default Date.now */
  now?: () => number;
  /** The host name in file names. @default os.hostname() */
  hostname?: string;
}

/** What failed in a {@link TensorBoardWriteError}. */
export type TensorBoardWriteOperation = 'open' | 'write' | 'close' | 'drop';

/** TensorBoard events that could not be written (yet); reported, never thrown into training. */
export class TensorBoardWriteError extends HptuneError {
  /** The event file concerned. */
  readonly path: string;
  readonly operation: TensorBoardWriteOperation;

  constructor(options: { path: string; operation: TensorBoardWriteOperation; message: string; cause?: unknown }) {
    super(options.operation === 'drop' ? 'TB_EVENTS_DROPPED' : 'TB_WRITE_FAILED', options.message, { cause: options.cause });
    this.path = options.path;
    this.operation = options.operation;
  }
}

/** A writer's counters, for logs and tests. */
export interface SummaryWriterStatus {
  /** The file being written. */
  readonly path: string;
  /** Every file this writer created, oldest first (the current one last). */
  readonly files: readonly string[];
  /** Events now on disk, file-version records included. */
  readonly eventsWritten: number;
  /** Bytes now on disk, across files. */
  readonly bytesWritten: number;
  /** Events waiting in memory. */
  readonly pendingEvents: number;
  /** Events given up on: refused past `maxPendingBytes`, logged after `close()`, or lost with a file that could not be finished. */
  readonly droppedEvents: number;
  /** Failed opens, writes and closes. */
  readonly failures: number;
  readonly lastError?: TensorBoardWriteError;
  readonly closed: boolean;
}

/** The parts of an event file name. */
export interface EventFileNameParts {
  /** Seconds since the Unix epoch; written as 10 digits. */
  seconds: number;
  hostname: string;
  pid: number;
  /** A per-process counter, zero-padded to 6 digits so files of one second sort in write order. */
  sequence: number;
}

/** `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<sequence>`, the name TensorBoard looks for. */
export function eventFileName(parts: EventFileNameParts): string {
  const seconds = String(Math.floor(parts.seconds)).padStart(10, '0');
  const sequence = String(parts.sequence).padStart(6, '0');
  return `events.out.tfevents.${seconds}.${parts.hostname}.${parts.pid}.${sequence}`;
}

/** Whether TensorBoard takes a file name for an event file (it holds `tfevents`). */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

interface PendingEvent {
  readonly wallTime: number;
  readonly step: number;
  readonly values: readonly SummaryValue[];
}

// Shared by every writer of this process so that names never repeat and always sort in write order.
let nextSequence = 0;
let lastSeconds = 0;
const openWriters = new Set<SummaryWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A last synchronous flush when the process ends normally, should a caller forget close().
  process.on('exit', () => flushAllSummaryWriters());
}

/**
 * Writes scalars, histograms, images and text to TensorBoard event files in one run directory.
 * Each tag's first value in each file carries the full metadata (plugin, data class), so every
 * file stands on its own. Call {@link close} at the end; it flushes everything.
 *
 * @example
 * const writer = new SummaryWriter({ logDir: 'logs/run1' });
 * writer.scalar('train/loss', 0.42, 1);
 * writer.close();
 */
export class SummaryWriter {
  /** The run directory, as given. */
  readonly logDir: string;
  private readonly absoluteLogDir: string;
  private readonly flushBytes: number;
  private readonly maxPendingBytes: number;
  private readonly onError: ((error: TensorBoardWriteError) => void) | undefined;
  private readonly now: () => number;
  private readonly hostname: string;
  private readonly timer: NodeJS.Timeout | undefined;

  private currentPath: string;
  private readonly created: string[] = [];
  private fd: number | undefined;
  private headerWritten = false;
  private tagsInFile = new Set<string>();
  private queue: PendingEvent[] = [];
  private queuedBytes = 0;
  private tail: Uint8Array | undefined;
  private tailOffset = 0;
  private tailEvents: PendingEvent[] = [];
  private counters = { eventsWritten: 0, bytesWritten: 0, droppedEvents: 0, failures: 0 };
  private lastError: TensorBoardWriteError | undefined;
  /** Kinds of trouble reported and not yet over, so that each streak is reported once. */
  private readonly streaks = new Set<'failure' | 'full' | 'closed' | 'lost'>();
  private isClosed = false;

  constructor(options: SummaryWriterOptions) {
    this.logDir = checkLogDir(options.logDir);
    this.absoluteLogDir = resolve(this.logDir);
    const flushIntervalMs = checkCount('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, 0);
    this.flushBytes = checkCount('flushBytes', options.flushBytes ?? DEFAULT_FLUSH_BYTES, 1);
    this.maxPendingBytes = checkCount('maxPendingBytes', options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES, 1);
    this.onError = options.onError;
    this.now = options.now ?? Date.now;
    this.hostname = options.hostname ?? osHostname();
    this.currentPath = this.nextPath();
    if (flushIntervalMs > 0) {
      this.timer = setInterval(() => this.flush(), flushIntervalMs);
      this.timer.unref();
    }
    openWriters.add(this);
    installExitHook();
    this.flush();
  }

  /** The event file being written now. */
  get path(): string {
    return this.currentPath;
  }

  /** Counters and the last error. */
  status(): SummaryWriterStatus {
    return {
      path: this.currentPath,
      files: this.created.includes(this.currentPath) ? [...this.created] : [...this.created, this.currentPath],
      ...this.counters,
      pendingEvents: this.queue.length + this.tailEvents.length,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      closed: this.isClosed,
    };
  }

  /** Logs a scalar (plugin `scalars`) at `step`. */
  scalar(tag: string, value: number, step: number, options?: SummaryOptions): void {
    this.writeValues([scalarValue(tag, value, options)], step);
  }

  /** Logs a histogram of `values` (plugin `histograms`) at `step`; `buckets` defaults to 30. */
  histogram(tag: string, values: ArrayLike<number>, step: number, options?: HistogramOptions): void {
    this.writeValues([histogramValue(tag, values, options)], step);
  }

  /** Logs one image or a batch (plugin `images`) at `step`, from raw pixels or PNG bytes. */
  image(tag: string, images: ImageInput | readonly ImageInput[], step: number, options?: SummaryOptions): void {
    this.writeValues([imageValue(tag, images, options)], step);
  }

  /** Logs Markdown text (plugin `text`) at `step`. */
  text(tag: string, text: string, step: number, options?: SummaryOptions): void {
    this.writeValues([textValue(tag, text, options)], step);
  }

  /**
   * Logs summary values built elsewhere (see `scalarValue` and friends) as one event at `step`.
   * Values should carry their metadata; the writer keeps it on each tag's first value per file only.
   */
  writeValues(values: readonly SummaryValue[], step: number, options: { wallTimeSeconds?: number } = {}): void {
    checkStep(step);
    const wallTime = options.wallTimeSeconds ?? this.now() / 1000;
    if (this.isClosed) {
      this.counters.droppedEvents++;
      this.report(new TensorBoardWriteError({
        path: this.currentPath,
        operation: 'drop',
        message: `an event at step ${step} was logged after the TensorBoard writer of ${this.logDir} was closed and is dropped; log before close()`,
      }), 'closed');
      return;
    }
    const size = estimateBytes(values);
    if (this.queuedBytes + size > this.maxPendingBytes) {
      this.counters.droppedEvents++;
      this.report(new TensorBoardWriteError({
        path: this.currentPath,
        operation: 'drop',
        message: `TensorBoard events for ${this.logDir} are being dropped: ${this.queuedBytes} bytes already wait to be written, past maxPendingBytes ${this.maxPendingBytes}${this.lastError ? ` (last failure: ${this.lastError.message})` : ''}`,
      }), 'full');
      return;
    }
    this.streaks.delete('full');
    this.queue.push({ wallTime, step, values });
    this.queuedBytes += size;
    if (this.queuedBytes >= this.flushBytes) this.flush();
  }

  /**
   * Writes every buffered event to the current file now (synchronously).
   * @returns whether everything buffered is on disk; failures are reported, not thrown
   */
  flush(): boolean {
    if (this.fd === undefined && !this.open()) return false;
    const fd = this.fd as number;
    try {
      for (;;) {
        if (!this.tail) {
          if (this.queue.length === 0) break;
          this.tailEvents = this.queue;
          this.queue = [];
          this.queuedBytes = 0;
          this.tail = Buffer.concat(this.tailEvents.map((event) => encodeRecord(encodeEvent(this.toEventProto(event)))));
          this.tailOffset = 0;
        }
        while (this.tailOffset < this.tail.length) {
          this.tailOffset += writeSync(fd, this.tail, this.tailOffset, this.tail.length - this.tailOffset);
        }
        this.counters.bytesWritten += this.tail.length;
        this.counters.eventsWritten += this.tailEvents.length + (this.headerWritten ? 0 : 1);
        this.headerWritten = true;
        this.tail = undefined;
        this.tailEvents = [];
      }
      this.streaks.delete('failure');
      return true;
    } catch (error) {
      this.fail('write', error);
      return false;
    }
  }

  /**
   * Finishes the current file and starts a new one (with its own file-version record and
   * metadata), so the finished file never changes again: what a syncer to immutable storage wants.
   * @returns the path of the finished file, or `undefined` when it was never created on disk
   */
  rollFile(): string | undefined {
    if (this.isClosed) return undefined;
    const finished = this.finishFile();
    this.currentPath = this.nextPath();
    this.flush();
    return finished;
  }

  /**
   * Flushes and closes the writer; later events are dropped (and reported).
   * @returns whether every event logged reached the disk
   */
  close(): boolean {
    if (this.isClosed) return this.queue.length === 0 && !this.tail;
    if (this.timer) clearInterval(this.timer);
    const droppedBefore = this.counters.droppedEvents;
    this.finishFile();
    openWriters.delete(this);
    this.isClosed = true;
    const lost = this.queue.length;
    if (lost > 0) {
      this.counters.droppedEvents += lost;
      this.queue = [];
      this.queuedBytes = 0;
      this.report(new TensorBoardWriteError({
        path: this.currentPath,
        operation: 'drop',
        message: `${lost} TensorBoard events for ${this.logDir} could not be written before close${this.lastError ? `: ${this.lastError.message}` : ''}`,
      }), 'lost');
      return false;
    }
    return this.counters.droppedEvents === droppedBefore;
  }

  /** Whether this writer's run directory is `directory` or lies beneath it. */
  isUnder(directory: string): boolean {
    const root = resolve(directory);
    return this.absoluteLogDir === root || this.absoluteLogDir.startsWith(root.endsWith(sep) ? root : root + sep);
  }

  private finishFile(): string | undefined {
    const flushed = this.flush();
    const finished = this.fd === undefined ? undefined : this.currentPath;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch (error) {
        this.fail('close', error);
      }
      this.fd = undefined;
    }
    if (!flushed && this.tail) {
      if (this.tailOffset === 0) {
        // Nothing of these events reached the old file: write them to the next one instead.
        this.queue = [...this.tailEvents, ...this.queue];
        this.queuedBytes += estimateBytes(this.tailEvents.flatMap((event) => event.values));
      } else {
        this.counters.droppedEvents += this.tailEvents.length;
      }
      this.tail = undefined;
      this.tailEvents = [];
    }
    this.headerWritten = false;
    this.tagsInFile = new Set();
    return finished;
  }

  private open(): boolean {
    for (let attempt = 0; ; attempt++) {
      try {
        makeDirectory(this.logDir);
        // Explicit mode (still narrowed by the umask): never world-writable, even under umask 000.
        this.fd = openSync(this.currentPath, 'wx', 0o644);
        this.created.push(this.currentPath);
        const header = encodeEvent({ wallTime: this.now() / 1000, step: 0, fileVersion: EVENT_FILE_VERSION, sourceWriter: SOURCE_WRITER });
        this.tail = encodeRecord(header);
        this.tailOffset = 0;
        this.tailEvents = [];
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) {
          this.currentPath = this.nextPath();
          continue;
        }
        this.fail('open', error);
        return false;
      }
    }
  }

  private toEventProto(event: PendingEvent): TensorBoardEventProto {
    const value = event.values.map((summaryValue) => {
      if (!this.tagsInFile.has(summaryValue.tag)) {
        this.tagsInFile.add(summaryValue.tag);
        return summaryValue;
      }
      const { metadata: _metadata, ...rest } = summaryValue;
      return rest;
    });
    return { wallTime: event.wallTime, step: event.step, summary: { value } };
  }

  private nextPath(): string {
    const seconds = Math.max(Math.floor(this.now() / 1000), lastSeconds);
    lastSeconds = seconds;
    return join(this.logDir, eventFileName({ seconds, hostname: this.hostname, pid: process.pid, sequence: nextSequence++ }));
  }

  private fail(operation: 'open' | 'write' | 'close', cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const pending = this.queue.length + this.tailEvents.length;
    this.report(new TensorBoardWriteError({
      path: this.currentPath,
      operation,
      cause,
      message:
        `could not ${operation} TensorBoard event file ${this.currentPath}: ${reason}; training goes on, ` +
        `${pending} events wait in memory and are retried on the next flush; check the directory's permissions and free space`,
    }), 'failure');
  }

  private report(error: TensorBoardWriteError, streak: 'failure' | 'full' | 'closed' | 'lost'): void {
    this.lastError = error;
    if (streak === 'failure') this.counters.failures++;
    if (this.streaks.has(streak)) return;
    this.streaks.add(streak);
    if (!this.onError) return;
    try {
      this.onError(error);
    } catch {
      // A failing error handler must not take training down either.
    }
  }
}

/** Flushes every open writer of this process synchronously (e.g. before a final sync on SIGTERM). */
export function flushAllSummaryWriters(): void {
  for (const writer of openWriters) writer.flush();
}

/**
 * Rolls every open writer whose run directory is `directory` or beneath it to a new file.
 * @returns the files finished, which will not change again
 */
export function rollSummaryWriters(directory: string): string[] {
  const finished: string[] = [];
  for (const writer of openWriters) {
    if (!writer.isUnder(directory)) continue;
    const path = writer.rollFile();
    if (path !== undefined) finished.push(path);
  }
  return finished;
}

function checkLogDir(logDir: string): string {
  if (typeof logDir !== 'string' || logDir.length === 0) {
    throw new ValidationError({ field: 'logDir', value: logDir, problem: 'must be a directory path', fix: "pass the run's directory, e.g. 'logs/trial-1'" });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(logDir)) {
    throw new ValidationError({
      field: 'logDir',
      value: logDir,
      problem: 'is a URL; event files are written to a local directory',
      fix: 'write to a local directory and sync it to the bucket with TensorBoardSyncer',
    });
  }
  return logDir;
}

function checkCount(field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError({ field, value, problem: `must be a whole number of at least ${min}`, fix: 'leave it out for the default' });
  }
  return value;
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new ValidationError({ field: 'step', value: step, problem: 'must be a non-negative whole number', fix: 'pass the epoch or batch number' });
  }
}

function estimateBytes(values: readonly SummaryValue[]): number {
  let bytes = 32;
  for (const value of values) {
    const tensor = value.tensor;
    bytes += 48 + value.tag.length;
    if (!tensor) continue;
    bytes += (tensor.floatVal?.length ?? 0) * 4 + (tensor.doubleVal?.length ?? 0) * 8 + (tensor.tensorContent?.length ?? 0);
    for (const bytesValue of tensor.stringVal ?? []) bytes += bytesValue.length + 2;
  }
  return bytes;
}
