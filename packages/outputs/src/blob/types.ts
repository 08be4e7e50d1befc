import { HptuneError } from '@hptune/trial';

/**
 * An object in a {@link BlobStore}: its name, size and checksums, as the store reports them.
 * @see https://cloud.google.com/storage/docs/json_api/v1/objects#resource
 */
export interface BlobInfo {
  /** The name relative to the store's root, `/`-separated, e.g. `trial-3/events.out.tfevents.1700000000.host.1.0`. */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** CRC-32C (Castagnoli) of the content: base64 of its 4 big-endian bytes, as Cloud Storage reports it. */
  readonly crc32c: string;
  /** MD5 of the content, base64, when the store knows it (Cloud Storage has none for composite objects). */
  readonly md5?: string;
  /** The Cloud Storage generation, a decimal string; absent for local directories. */
  readonly generation?: string;
}

/** Options of {@link BlobStore.append}. */
export interface AppendOptions {
  /**
   * The size, in bytes, the caller believes the object has before this append; `0` for an object
   * that should not exist yet. When the store holds another size, the append fails with an
   * {@link AppendConflictError} instead of writing, so a stale caller can never duplicate or skip bytes.
   */
  expectedSize?: number;
}

/**
 * Where files go: a local directory or a `gs://bucket/prefix`. Names are relative to the store's
 * root and `/`-separated. Every method retries transient failures by itself (as configured when the
 * store was made) and throws when it gives up; writes are safe to repeat.
 *
 * Implementations must pass the conformance suite in `blob/conformance.ts`.
 */
export interface BlobStore {
  /** The destination as the user wrote it, normalised: `gs://bucket/prefix` or an absolute directory. */
  readonly url: string;
  /** Object data bytes handed to the transport so far, retried attempts included. */
  readonly bytesUploaded: number;
  /**
   * Checks that the destination exists and may be listed and written, creating a local directory
   * if needed; throws a {@link DestinationError} when it cannot be used.
   */
  probe(): Promise<void>;
  /** Uploads a local file as `name`, replacing any object of that name. */
  putFile(localPath: string, name: string): Promise<BlobInfo>;
  /** Stores `bytes` as `name`, replacing any object of that name. */
  putBytes(name: string, bytes: Uint8Array): Promise<BlobInfo>;
  /**
   * Appends `bytes` to `name` (creating it when absent), sending only the new bytes. A retried
   * append never appends twice.
   */
  append(name: string, bytes: Uint8Array, options?: AppendOptions): Promise<BlobInfo>;
  /** Every object whose name starts with `prefix` (all when empty), sorted by name. */
  list(prefix?: string): Promise<BlobInfo[]>;
  /** The object's info, or `undefined` when there is none. */
  stat(name: string): Promise<BlobInfo | undefined>;
  /** The object's content, checked against its CRC-32C; throws {@link BlobNotFoundError} when absent. */
  get(name: string): Promise<Uint8Array>;
  /** Removes the object; resolves `false` when there was none. */
  delete(name: string): Promise<boolean>;
}

/** No object of that name in the store. */
export class BlobNotFoundError extends HptuneError {
  /** The store's url. */
  readonly store: string;
  /** The missing name. */
  readonly blobName: string;

  constructor(store: string, name: string, options: { cause?: unknown } = {}) {
    super('BLOB_NOT_FOUND', `${joinUrl(store, name)} does not exist`, options);
    this.store = store;
    this.blobName = name;
  }
}

/** An append whose `expectedSize` does not match what the store holds: nothing was written. */
export class AppendConflictError extends HptuneError {
  /** The object's name. */
  readonly blobName: string;
  /** The size the caller expected, in bytes. */
  readonly expectedSize: number;
  /** The size the store holds, in bytes (0 when the object is absent). */
  readonly actualSize: number;

  constructor(store: string, name: string, expectedSize: number, actualSize: number) {
    super(
      'APPEND_CONFLICT',
      `cannot append to ${joinUrl(store, name)}: expected it to hold ${expectedSize} bytes but it holds ${actualSize}; upload the whole file instead`,
    );
    this.blobName = name;
    this.expectedSize = expectedSize;
    this.actualSize = actualSize;
  }
}

/** Why a destination cannot be used at all. */
export type DestinationProblem =
  /** The bucket (or the directory's parent) does not exist. */
  | 'not-found'
  /** The credentials may not read or write there (HTTP 401/403, EACCES). */
  | 'access-denied';

/**
 * The destination itself is unusable (missing bucket, permission denied): retrying will not help,
 * so a syncer stops at the first one.
 */
export class DestinationError extends HptuneError {
  /** The store's url. */
  readonly store: string;
  /** What is wrong. */
  readonly problem: DestinationProblem;

  constructor(store: string, problem: DestinationProblem, detail: string, options: { cause?: unknown } = {}) {
    const fix =
      problem === 'not-found'
        ? 'create it (e.g. `gcloud storage buckets create gs://BUCKET`) or fix the destination'
        : 'grant the account that runs this write access (e.g. roles/storage.objectAdmin on the bucket) or pick another destination';
    super(problem === 'not-found' ? 'DESTINATION_NOT_FOUND' : 'DESTINATION_ACCESS_DENIED', `${store}: ${detail}; ${fix}`, options);
    this.store = store;
    this.problem = problem;
  }
}

/** The store's url and a name joined for messages. */
export function joinUrl(store: string, name: string): string {
  return store.endsWith('/') ? `${store}${name}` : `${store}/${name}`;
}
