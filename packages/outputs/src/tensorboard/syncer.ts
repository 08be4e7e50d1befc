/**
 * Local write, then sync: training writes TensorBoard logs to a local directory and a
 * {@link TensorBoardSyncer} mirrors it to a `gs://` folder (or another directory) in the background,
 * sending new files and only the new bytes of grown files, with a final sync and a verification on stop.
 *
 * Failure policy, as in the Python original: TensorBoard trouble never stops training. A failed sync
 * is reported to `onWarning`, the local logs stay, and the next interval tries again; a destination
 * that cannot be used at all (missing bucket, permission denied) stops the syncer with a
 * {@link DestinationError}; the final report says plainly what did not land.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { crc32cBase64, fileChecksum } from '../blob/checksum.js';
import { openBlobStore, type OpenBlobStoreOptions } from '../blob/destination.js';
import { AppendConflictError, DestinationError, type BlobInfo, type BlobStore } from '../blob/types.js';
import { HptuneError, ValidationError } from '@hptune/trial';
import { describeError, type RetryOptions } from '../retry.js';

/** How often the syncer uploads, as in the Python original. @default 30000 ms */
export const DEFAULT_SYNC_INTERVAL_MS = 30_000;

/** How long a SIGTERM/SIGINT waits for the final sync before the process goes on exiting. @default 25000 ms */
export const DEFAULT_SIGNAL_GRACE_MS = 25_000;

/** The largest piece one append sends; bigger deltas go up in several appends. @default 16 MiB */
const MAX_APPEND_BYTES = 16 * 1024 * 1024;

/** Options of a {@link TensorBoardSyncer}. */
export interface TensorBoardSyncerOptions {
  /** The local log directory training writes to; it may not exist yet. */
  localDir: string;
  /** Where the logs go: `gs://bucket/folder`, a local directory, or a {@link BlobStore}. */
  destination: string | BlobStore;
  /** Milliseconds between background syncs. @default {@link DEFAULT_SYNC_INTERVAL_MS} */
  intervalMs?: number;
  /** Retry overrides for a destination given as a string. @default {@link DEFAULT_RETRY_OPTIONS} */
  retry?: Partial<RetryOptions>;
  /** Cloud Storage client options for a `gs://` destination given as a string. */
  gcs?: OpenBlobStoreOptions['gcs'];
  /** Told of every failed sync and of an unverified final report; must not throw. @default ignore */
  onWarning?: (warning: SyncWarning) => void;
  /**
   * Whether SIGTERM and SIGINT (and a normal exit without {@link TensorBoardSyncer.stop}) run the
   * final sync before the process exits. Signal listeners already installed are set aside while the
   * syncer runs and called after its final sync (or, when there were none, the signal is raised
   * again so the process exits as it would have); a second signal stops waiting. @default false
   */
  handleSignals?: boolean;
  /** How long a signal waits for the final sync, in milliseconds. @default {@link DEFAULT_SIGNAL_GRACE_MS} */
  signalGraceMs?: number;
}

/** What a {@link SyncWarning} is about. */
export type SyncWarningCode =
  /** A sync round could not upload some files; they are retried on the next round. */
  | 'SYNC_FAILED'
  /** The destination cannot be used; the syncer stopped. */
  | 'SYNC_STOPPED'
  /** The final verification found files missing or different at the destination. */
  | 'SYNC_NOT_VERIFIED';

/** A problem the syncer reports without throwing into training. */
export interface SyncWarning {
  /** What happened. */
  readonly code: SyncWarningCode;
  /** One plain sentence, naming the destination and the files. */
  readonly message: string;
  /** The files concerned, relative to the log directory. */
  readonly files: readonly string[];
  /** The underlying error, when there is one. */
  readonly cause?: unknown;
}

/** A file whose copy at the destination differs from the local one. */
export interface SyncMismatch {
  /** The name relative to the log directory. */
  readonly name: string;
  /** The local size and CRC-32C (base64). */
  readonly local: { readonly size: number; readonly crc32c: string };
  /** The destination's size and CRC-32C (base64). */
  readonly remote: { readonly size: number; readonly crc32c: string };
}

/** What one sync round did. */
export interface SyncRound {
  /** Files that received bytes. */
  readonly filesUploaded: number;
  /** Object data bytes this round sent, retries included. */
  readonly bytesUploaded: number;
  /** Files that could not be brought up to date this round. */
  readonly failed: readonly string[];
}

/** The result of {@link TensorBoardSyncer.stop}: what was written, what was sent, what landed. */
export interface SyncReport {
  /** The destination's url. */
  readonly destination: string;
  /** Local files at the end. */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytesWritten: number;
  /** Object data bytes the syncer sent, retried attempts included. */
  readonly bytesUploaded: number;
  /** True when every local file is at the destination with the same size and CRC-32C. */
  readonly verified: boolean;
  /** Local files absent from the destination. */
  readonly missing: readonly string[];
  /** Local files whose copy differs in size or CRC-32C. */
  readonly mismatched: readonly SyncMismatch[];
  /** What stopped the syncer or the verification, if anything did. */
  readonly error?: HptuneError;
  /** Warnings reported during the run. */
  readonly warnings: number;
}

/** Where a syncer is in its life. */
export type SyncerState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'stopping' }
  | { readonly status: 'stopped'; readonly report: SyncReport }
  | { readonly status: 'failed'; readonly error: DestinationError };

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type SyncSignal = (typeof SIGNALS)[number];
type SignalListener = (signal: NodeJS.Signals) => void;

/**
 * Mirrors a local TensorBoard log directory to a destination in the background.
 *
 * Each round walks the directory; a new file is uploaded, a grown one gets only its new bytes
 * appended (on Cloud Storage: upload a part, compose, so bytes sent stay about equal to bytes
 * written), a shrunk or rewritten one is uploaded again. The syncer tracks per file how many
 * bytes have landed. Close your event writers before {@link TensorBoardSyncer.stop} so the final
 * sync sees complete files.
 * @see https://cloud.google.com/vertex-ai/docs/experiments/tensorboard-training
 */
export class TensorBoardSyncer {
  /** The absolute local log directory. */
  readonly localDir: string;
  /** The destination store. */
  readonly store: BlobStore;
  private readonly intervalMs: number;
  private readonly signalGraceMs: number;
  private readonly options: TensorBoardSyncerOptions;
  private readonly landed = new Map<string, number>();
  private readonly inodes = new Map<string, number>();
  private readonly startBytes: number;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private probed = false;
  private failure: DestinationError | undefined;
  private warningCount = 0;
  private stopping: Promise<SyncReport> | undefined;
  private finalReport: SyncReport | undefined;
  private started = false;
  private savedListeners: Map<SyncSignal, SignalListener[]> | undefined;
  private signalListener: SignalListener | undefined;
  private handlingSignal = false;

  constructor(options: TensorBoardSyncerOptions) {
    if (typeof options.localDir !== 'string' || options.localDir === '') {
      throw new ValidationError({ field: 'localDir', value: options.localDir, problem: 'must be a directory path', fix: 'pass the local TensorBoard log directory, e.g. "./logs/trial-1"' });
    }
    const intervalMs = options.intervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs < 10) {
      throw new ValidationError({ field: 'intervalMs', value: options.intervalMs, problem: 'must be a number of milliseconds >= 10', fix: `pass e.g. ${DEFAULT_SYNC_INTERVAL_MS} (30 s)` });
    }
    const signalGraceMs = options.signalGraceMs ?? DEFAULT_SIGNAL_GRACE_MS;
    if (!Number.isFinite(signalGraceMs) || signalGraceMs < 0) {
      throw new ValidationError({ field: 'signalGraceMs', value: options.signalGraceMs, problem: 'must be a number of milliseconds >= 0', fix: `pass e.g. ${DEFAULT_SIGNAL_GRACE_MS}` });
    }
    this.options = options;
    this.localDir = resolve(options.localDir);
    this.intervalMs = intervalMs;
    this.signalGraceMs = signalGraceMs;
    this.store =
      typeof options.destination === 'string'
        ? openBlobStore(options.destination, { ...(options.retry === undefined ? {} : { retry: options.retry }), ...(options.gcs === undefined ? {} : { gcs: options.gcs }) })
        : options.destination;
    this.startBytes = this.store.bytesUploaded;
  }

  /** Where the syncer is: idle, running, stopping, stopped (with its report) or failed (with the error). */
  get state(): SyncerState {
    if (this.failure !== undefined && this.finalReport === undefined) return { status: 'failed', error: this.failure };
    if (this.finalReport !== undefined) return { status: 'stopped', report: this.finalReport };
    if (this.stopping !== undefined) return { status: 'stopping' };
    return this.started ? { status: 'running' } : { status: 'idle' };
  }

  /** Starts syncing every `intervalMs` in the background; returns at once. The timer never keeps the process alive. */
  start(): void {
    if (this.started || this.stopping !== undefined) return;
    this.started = true;
    if (this.options.handleSignals === true) this.installSignalHandlers();
    this.schedule();
  }

  /**
   * Runs one sync round now (after any round in progress) and resolves with what it did; never
   * rejects for upload trouble, which goes to `onWarning`. Usable without {@link start}, e.g. to
   * drive the syncer from a simulated clock.
   */
  sync(): Promise<SyncRound> {
    const round = this.queue.then(() => this.round());
    this.queue = round.catch(() => undefined);
    return round;
  }

  /**
   * Stops the timer, runs a final sync, then lists the destination and compares every local file's
   * size and CRC-32C with it. Resolves with the report (and warns when it is not verified); calling
   * it again returns the same report.
   */
  stop(): Promise<SyncReport> {
    this.stopping ??= (async () => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      const first = await this.sync();
      if (first.failed.length > 0 && this.failure === undefined) await this.sync();
      await this.queue;
      let report = await this.verify();
      if (!report.verified && this.failure === undefined && report.missing.length + report.mismatched.length > 0) {
        // A file rewritten in place (same inode, grown past what had landed) or one that failed
        // twice: upload those whole once more, then look again.
        for (const name of [...report.missing, ...report.mismatched.map((m) => m.name)]) {
          try {
            const path = join(this.localDir, ...name.split('/'));
            await this.putWhole(name, path, (await stat(path)).size);
          } catch {
            // What still does not land is in the report.
          }
        }
        report = await this.verify();
      }
      this.finalReport = report;
      if (!this.handlingSignal) this.restoreSignalHandlers();
      if (!report.verified) this.warn({ code: 'SYNC_NOT_VERIFIED', message: formatSyncReport(report), files: [...report.missing, ...report.mismatched.map((m) => m.name)], cause: report.error });
      return report;
    })();
    return this.stopping;
  }

  private schedule(): void {
    if (this.stopping !== undefined || this.failure !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async round(): Promise<SyncRound> {
    const before = this.store.bytesUploaded;
    const failed: string[] = [];
    let filesUploaded = 0;
    if (this.failure !== undefined) return { filesUploaded, bytesUploaded: 0, failed };
    const errors: unknown[] = [];
    try {
      if (!this.probed) {
        await this.store.probe();
        this.probed = true;
      }
      for (const name of await listLocalFiles(this.localDir)) {
        try {
          if (await this.syncFile(name)) filesUploaded++;
        } catch (error) {
          if (error instanceof DestinationError) throw error;
          failed.push(name);
          errors.push(error);
        }
      }
    } catch (error) {
      if (error instanceof DestinationError) {
        this.failure = error;
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        this.warn({ code: 'SYNC_STOPPED', message: `TensorBoard sync to ${this.store.url} stopped: ${error.message}. Logs stay in ${this.localDir}.`, files: [], cause: error });
      } else {
        failed.push('(listing)');
        errors.push(error);
      }
    }
    if (errors.length > 0) {
      const shown = failed.slice(0, 5).join(', ') + (failed.length > 5 ? `, and ${failed.length - 5} more` : '');
      this.warn({
        code: 'SYNC_FAILED',
        message: `TensorBoard sync to ${this.store.url} failed for ${shown} (${describeError(errors[0])}); logs stay in ${this.localDir} and the next sync tries again`,
        files: failed,
        cause: errors[0],
      });
    }
    return { filesUploaded, bytesUploaded: this.store.bytesUploaded - before, failed };
  }

  /** Brings one file up to date; resolves true when bytes were sent. */
  private async syncFile(name: string): Promise<boolean> {
    const path = join(this.localDir, ...name.split('/'));
    const info = await stat(path);
    const size = info.size;
    if (this.inodes.get(name) !== info.ino) {
      // A new file, or one replaced by a rename: what landed before proves nothing about it.
      if (this.inodes.has(name)) this.landed.delete(name);
      this.inodes.set(name, info.ino);
    }
    const landed = this.landed.get(name);
    if (landed === size) return false;
    if (landed === undefined || landed > size) {
      // First sight (the destination may hold an earlier copy, e.g. after a restart) or a file
      // that shrank: resume from what is there when it is a prefix of the local file.
      const remote = await this.store.stat(name);
      const resumable = remote !== undefined && remote.size <= size && (await isPrefixOf(path, remote));
      if (resumable && remote.size === size) {
        this.landed.set(name, size);
        return false;
      }
      if (!resumable && remote !== undefined) {
        await this.putWhole(name, path, size);
        return true;
      }
      this.landed.set(name, remote?.size ?? 0);
    }
    await this.appendFrom(name, path, size);
    return true;
  }

  /** Appends bytes [landed, size) of the file, in pieces of at most {@link MAX_APPEND_BYTES}. */
  private async appendFrom(name: string, path: string, size: number): Promise<void> {
    let offset = this.landed.get(name) ?? 0;
    while (offset < size) {
      const length = Math.min(MAX_APPEND_BYTES, size - offset);
      const bytes = await readRange(path, offset, length);
      try {
        await this.store.append(name, bytes, { expectedSize: offset });
      } catch (error) {
        if (!(error instanceof AppendConflictError)) throw error;
        // The destination changed behind our back: make it an exact copy again.
        await this.putWhole(name, path, size);
        return;
      }
      offset += bytes.length;
      this.landed.set(name, offset);
    }
  }

  private async putWhole(name: string, path: string, size: number): Promise<void> {
    const bytes = await readRange(path, 0, size);
    await this.store.putBytes(name, bytes);
    this.landed.set(name, bytes.length);
  }

  private async verify(): Promise<SyncReport> {
    const bytesUploaded = this.store.bytesUploaded - this.startBytes;
    let names: string[] = [];
    const local = new Map<string, { size: number; crc32c: string }>();
    let error: HptuneError | undefined = this.failure;
    try {
      names = await listLocalFiles(this.localDir);
      for (const name of names) local.set(name, await fileChecksum(join(this.localDir, ...name.split('/'))));
    } catch (cause) {
      error ??= new HptuneError('SYNC_VERIFY_FAILED', `cannot read the local log directory ${this.localDir}: ${describeError(cause)}`, { cause });
    }
    const bytesWritten = [...local.values()].reduce((sum, file) => sum + file.size, 0);
    let remote: Map<string, BlobInfo> | undefined;
    try {
      remote = new Map((await this.store.list()).map((info) => [info.name, info]));
    } catch (cause) {
      error ??= new HptuneError('SYNC_VERIFY_FAILED', `cannot list ${this.store.url} to verify the TensorBoard logs: ${describeError(cause)}`, { cause });
    }
    const missing: string[] = [];
    const mismatched: SyncMismatch[] = [];
    for (const [name, file] of local) {
      const copy = remote?.get(name);
      if (copy === undefined) missing.push(name);
      else if (copy.size !== file.size || copy.crc32c !== file.crc32c) mismatched.push({ name, local: file, remote: { size: copy.size, crc32c: copy.crc32c } });
    }
    return {
      destination: this.store.url,
      files: local.size,
      bytesWritten,
      bytesUploaded,
      verified: error === undefined && missing.length === 0 && mismatched.length === 0,
      missing,
      mismatched,
      ...(error === undefined ? {} : { error }),
      warnings: this.warningCount,
    };
  }

  private warn(warning: SyncWarning): void {
    this.warningCount++;
    try {
      this.options.onWarning?.(warning);
    } catch {
      // A warning handler that throws must not take training down with it.
    }
  }

  private installSignalHandlers(): void {
    const saved = new Map<SyncSignal, SignalListener[]>();
    const listener: SignalListener = (signal) => void this.onSignal(signal);
    for (const signal of SIGNALS) {
      saved.set(signal, process.listeners(signal) as SignalListener[]);
      process.removeAllListeners(signal);
      process.on(signal, listener);
    }
    this.savedListeners = saved;
    this.signalListener = listener;
    process.on('beforeExit', this.exitListener);
  }

  /** A process about to exit normally without stop(): run the final sync (the loop stays alive meanwhile). */
  private readonly exitListener = (): void => {
    void this.stop();
  };

  private restoreSignalHandlers(): void {
    const saved = this.savedListeners;
    const listener = this.signalListener;
    if (saved === undefined || listener === undefined) return;
    process.removeListener('beforeExit', this.exitListener);
    for (const signal of SIGNALS) {
      process.removeListener(signal, listener);
      for (const previous of saved.get(signal) ?? []) process.on(signal, previous);
    }
    this.savedListeners = undefined;
    this.signalListener = undefined;
  }

  private async onSignal(signal: NodeJS.Signals): Promise<void> {
    const previous = this.savedListeners?.get(signal as SyncSignal) ?? [];
    if (this.handlingSignal) {
      // A second signal while the final sync runs: stop waiting.
      this.restoreSignalHandlers();
      passOn(signal, previous);
      return;
    }
    this.handlingSignal = true;
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      this.stop().catch(() => undefined),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, this.signalGraceMs);
        grace.unref();
      }),
    ]);
    if (grace !== undefined) clearTimeout(grace);
    if (this.signalListener === undefined) return;
    this.restoreSignalHandlers();
    passOn(signal, previous);
  }
}

/** Calls the listeners a signal had before the syncer, or raises it again when there were none. */
function passOn(signal: NodeJS.Signals, previous: readonly SignalListener[]): void {
  if (previous.length === 0) {
    process.kill(process.pid, signal);
    return;
  }
  for (const listener of previous) listener(signal);
}

/** One sentence on a report: verified, or what did not land. */
export function formatSyncReport(report: SyncReport): string {
  const size = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  if (report.verified) {
    return `TensorBoard logs verified at ${report.destination}: ${report.files} file${report.files === 1 ? '' : 's'}, ${size(report.bytesWritten)} written, ${size(report.bytesUploaded)} uploaded`;
  }
  const parts: string[] = [];
  if (report.missing.length > 0) parts.push(`missing ${report.missing.join(', ')}`);
  for (const m of report.mismatched) parts.push(`${m.name} differs (local ${m.local.size} bytes, CRC-32C ${m.local.crc32c}; destination ${m.remote.size} bytes, ${m.remote.crc32c})`);
  if (report.error !== undefined) parts.push(report.error.message);
  return `TensorBoard logs NOT verified at ${report.destination}: ${parts.join('; ')}`;
}

/** Regular files under `directory`, as `/`-separated relative names, sorted; none when it does not exist. */
async function listLocalFiles(directory: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) names.push(relative(directory, path).split(sep).join('/'));
    }
  };
  await walk(directory);
  return names.sort();
}

/** Exactly `length` bytes of the file from `offset` (fewer only if the file shrank meanwhile). */
async function readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, filled);
  } finally {
    await handle.close();
  }
}

/** Whether the remote object equals the local file's first `remote.size` bytes. */
async function isPrefixOf(path: string, remote: BlobInfo): Promise<boolean> {
  const local = remote.size === 0 ? { size: 0, crc32c: crc32cBase64(new Uint8Array(0)) } : await fileChecksum(path, remote.size);
  return local.size === remote.size && local.crc32c === remote.crc32c;
}
