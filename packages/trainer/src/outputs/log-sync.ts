/**
 * TensorBoard logs to a `gs://` log dir: written to a local staging folder and mirrored there by
 * `@hptune/outputs`'s {@link TensorBoardSyncer} in the background, with a verified final sync at the
 * end and on SIGTERM/SIGINT. A sync that fails is reported, never thrown: TensorBoard trouble does
 * not fail training.
 */
import { rmSync } from 'node:fs';
import { TensorBoardSyncer, formatSyncReport, type SyncReport } from '@hptune/outputs/tensorboard';
import type { StorageSettings } from './settings.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Options of {@link startLogSync}. */
export interface LogSyncOptions {
  /** The local staging folder the event files are written to. */
  localDir: string;
  /** The `gs://bucket/folder` they go to. */
  destination: string;
  storage: StorageSettings;
  /**
   * Whether SIGTERM and SIGINT run the final sync before the process ends. When they do,
   * `onSignal` runs first (synchronously: stop training, close the event files), then the syncer's
   * final sync and verification, then the report is logged and the process ends by the same signal.
   */
  handleSignals: boolean;
  /** Called first when a handled signal arrives; must close the event writers synchronously. */
  onSignal: (signal: NodeJS.Signals) => void;
  /** Writes a line to the log (the final report when verified). */
  log: (line: string) => void;
  /** Writes a warning line (failed syncs, an unverified report). */
  warn: (line: string) => void;
}

/** A running sync of a log dir to Cloud Storage. */
export interface LogSync {
  /** The destination, `gs://bucket/folder`. */
  readonly destination: string;
  /**
   * Stops the background sync, runs the final sync and verification, logs the report (verified, or
   * what did not land, keeping the staging folder), and removes the staging folder when verified
   * (unless a signal ends the process).
   * Never rejects; calling it again returns the same report.
   */
  finish(): Promise<SyncReport>;
}

/** Starts syncing `localDir` to `destination`: a first round at once, then every `storage.syncIntervalMs`. */
export function startLogSync(options: LogSyncOptions): LogSync {
  const syncer = new TensorBoardSyncer({
    localDir: options.localDir,
    destination: options.destination,
    intervalMs: options.storage.syncIntervalMs,
    ...(options.storage.gcsApiEndpoint === undefined ? {} : { gcs: { apiEndpoint: options.storage.gcsApiEndpoint } }),
    handleSignals: options.handleSignals,
    // The final report is logged below, verified or not.
    onWarning: (warning) => warning.code !== 'SYNC_NOT_VERIFIED' && options.warn(`TensorBoard: ${warning.message}`),
  });
  let reported = false;
  const logReport = (report: SyncReport): void => {
    if (reported) return;
    reported = true;
    if (report.verified) options.log(formatSyncReport(report));
    else options.warn(`${formatSyncReport(report)}; the local copy stays in ${options.localDir}`);
  };

  // Listeners set before the syncer starts are the ones it calls after its final sync; those set
  // after it with prependListener run before its own. Both go once the sync is over.
  let signalled = false;
  const before = (signal: NodeJS.Signals): void => {
    signalled = true;
    options.onSignal(signal);
  };
  const after = (signal: NodeJS.Signals): void => {
    const state = syncer.state;
    if (state.status === 'stopped') logReport(state.report);
    else options.warn(`TensorBoard: stopping on ${signal} before the final sync to ${options.destination} finished; the local copy stays in ${options.localDir}`);
    removeListeners();
    process.kill(process.pid, signal);
  };
  const removeListeners = (): void => {
    for (const signal of SIGNALS) {
      process.removeListener(signal, before);
      process.removeListener(signal, after);
    }
  };
  if (options.handleSignals) for (const signal of SIGNALS) process.on(signal, after);
  syncer.start();
  if (options.handleSignals) for (const signal of SIGNALS) process.prependListener(signal, before);
  // A first round now, so that a wrong bucket is reported at once rather than after an interval.
  void syncer.sync();

  let finished: Promise<SyncReport> | undefined;
  return {
    destination: options.destination,
    finish() {
      finished ??= syncer.stop().then((report) => {
        logReport(report);
        removeListeners();
        // On a signal the process is about to end: the staging folder stays, for whoever looks after it.
        if (report.verified && !signalled) {
          try {
            rmSync(options.localDir, { recursive: true, force: true });
          } catch {
            // A staging folder left behind costs disk, not data: everything is at the destination.
          }
        }
        return report;
      });
      return finished;
    },
  };
}
