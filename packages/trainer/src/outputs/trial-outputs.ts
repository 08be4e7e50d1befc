/**
 * A run's outputs besides the metric file: its TensorBoard logs (local, or staged and synced to
 * `gs://`) and the upload of its saved model to a `gs://` model folder.
 */
import { HptuneError } from '@hptune/trial';
import type { SavedModel } from '../model/save.js';
import type { TrainerOptions } from '../options.js';
import { createTensorBoardObserver, type TensorBoardObserver } from '../train/tensorboard-observer.js';
import { startLogSync, type LogSync } from './log-sync.js';
import { uploadModel } from './model-upload.js';

/** Options of {@link openTrialOutputs}. */
export interface TrialOutputsOptions {
  options: TrainerOptions;
  /** Writes a log line. */
  log: (line: string) => void;
  /** Writes a warning line. */
  warn: (line: string) => void;
  /** Whether SIGTERM/SIGINT stop training and run the final sync of a `gs://` log dir. */
  handleSignals: boolean;
  /** The caller's own abort signal. */
  signal?: AbortSignal;
}

/** A run's TensorBoard logs and model upload, opened before training and finished after it. */
export interface TrialOutputs {
  /** The observer writing the run's TensorBoard logs. */
  readonly observer: TensorBoardObserver;
  /** Stops training: the caller's signal, or a SIGTERM/SIGINT handled for the final sync. */
  readonly signal: AbortSignal | undefined;
  /** Uploads the saved model to a `gs://` model folder, verified; throws when it does not land. */
  publishModel(saved: SavedModel): Promise<void>;
  /**
   * Closes the event files, then, for a `gs://` log dir, runs the final sync and logs its report.
   * Never throws.
   */
  finish(): Promise<void>;
}

/** Opens the run's TensorBoard logs (and starts their sync to `gs://` when the log dir is there). */
export function openTrialOutputs(settings: TrialOutputsOptions): TrialOutputs {
  const { options, log, warn } = settings;
  const { logDir, modelDir } = options.paths;
  const observer = createTensorBoardObserver({
    logDir: logDir.path,
    onError: warn,
  });
  const controller = new AbortController();
  const signals = [controller.signal, ...(settings.signal === undefined ? [] : [settings.signal])];
  let sync: LogSync | undefined;
  if (logDir.url !== undefined) {
    sync = startLogSync({
      localDir: logDir.path,
      destination: logDir.url,
      storage: options.storage,
      handleSignals: settings.handleSignals,
      onSignal: (signal) => {
        controller.abort(new HptuneError('TRAINING_STOPPED', `training stopped by ${signal}; the TensorBoard logs are synced to ${logDir.url} before exiting`));
        observer.close();
      },
      log,
      warn,
    });
    log(`tensorboard: ${logDir.path}, synced to ${logDir.url} every ${options.storage.syncIntervalMs / 1000} s`);
  } else {
    log(`tensorboard: ${logDir.path}`);
  }
  let finished: Promise<void> | undefined;
  return {
    observer,
    signal: settings.handleSignals || settings.signal !== undefined ? AbortSignal.any(signals) : undefined,
    async publishModel(saved) {
      const landed = await uploadModel(saved, modelDir, options.storage);
      if (landed.length > 0) {
        log(`model uploaded to ${modelDir.url} and verified: ${landed.map((blob) => `${blob.name} (${blob.size} bytes, CRC-32C ${blob.crc32c})`).join(', ')}`);
      }
    },
    finish() {
      finished ??= (async () => {
        observer.close();
        await sync?.finish();
      })();
      return finished;
    },
  };
}
