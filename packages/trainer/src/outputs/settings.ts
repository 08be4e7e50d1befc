import { ValidationError } from '@hptune/trial';
import { DEFAULT_SYNC_INTERVAL_MS } from '@hptune/outputs/tensorboard';

/**
 * The environment variable naming the Cloud Storage JSON API endpoint, e.g. `http://127.0.0.1:4443`
 * for an emulator or test fixture. We read our own rather than the client's `STORAGE_EMULATOR_HOST`,
 * which `@google-cloud/storage` 7 takes as its base URL without the `/storage/v1` path (so a plain
 * `http://host:port` misses every JSON API route) and which would also redirect other programs' clients.
 * A loopback endpoint is used without credentials.
 */
export const GCS_API_ENDPOINT_VARIABLE = 'HPTUNE_GCS_API_ENDPOINT';

/** The environment variable setting how often TensorBoard logs are synced to Cloud Storage, in milliseconds. */
export const SYNC_INTERVAL_VARIABLE = 'HPTUNE_TB_SYNC_INTERVAL_MS';

/** How the trainer reaches Cloud Storage, read from the environment. */
export interface StorageSettings {
  /** The JSON API endpoint (`HPTUNE_GCS_API_ENDPOINT`); absent: Google's. */
  readonly gcsApiEndpoint?: string;
  /** Milliseconds between background syncs of TensorBoard logs to a `gs://` log dir. @default 30000 (`HPTUNE_TB_SYNC_INTERVAL_MS`) */
  readonly syncIntervalMs: number;
}

/**
 * Reads {@link StorageSettings} from the environment.
 * @throws ValidationError naming the variable for a malformed endpoint or interval.
 */
export function readStorageSettings(env: Readonly<Record<string, string | undefined>>): StorageSettings {
  const endpoint = env[GCS_API_ENDPOINT_VARIABLE];
  if (endpoint !== undefined && endpoint !== '' && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw new ValidationError({
      field: GCS_API_ENDPOINT_VARIABLE,
      value: endpoint,
      problem: 'is not an http(s) endpoint',
      fix: 'give the scheme, host and port only, e.g. http://127.0.0.1:4443, or unset it for Google Cloud Storage',
    });
  }
  const interval = env[SYNC_INTERVAL_VARIABLE];
  let syncIntervalMs = DEFAULT_SYNC_INTERVAL_MS;
  if (interval !== undefined && interval !== '') {
    syncIntervalMs = /^\d+$/.test(interval) ? Number(interval) : Number.NaN;
    if (!(syncIntervalMs >= 10)) {
      throw new ValidationError({ field: SYNC_INTERVAL_VARIABLE, value: interval, problem: 'is not a whole number of milliseconds of at least 10', fix: `unset it for ${DEFAULT_SYNC_INTERVAL_MS} (30 s)` });
    }
  }
  return { ...(endpoint === undefined || endpoint === '' ? {} : { gcsApiEndpoint: endpoint.replace(/\/$/, '') }), syncIntervalMs };
}
