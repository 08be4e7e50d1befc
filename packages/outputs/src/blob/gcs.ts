import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { HptuneError } from '@hptune/trial';
import { RetryError, errorStatus, resolveRetryOptions, withRetry, type RetryOptions } from '../retry.js';
import { crc32cBase64, crc32cFromBase64, crc32cNumber, crc32cToBase64, fileChecksum } from './checksum.js';
import { checkBlobName, checkBlobPrefix, checkBucketName } from './names.js';
import { AppendConflictError, BlobNotFoundError, DestinationError, joinUrl, type AppendOptions, type BlobInfo, type BlobStore } from './types.js';

/**
 * Appends upload their new bytes as a temporary object under this folder (below the store's prefix)
 * before composing it into the target; {@link GcsBlobStore.list} hides it. The name holds no
 * `tfevents`, so TensorBoard never mistakes a part for an event file.
 */
export const APPEND_PARTS_FOLDER = '.hptune-parts';

/** Options of {@link GcsBlobStore}. */
export interface GcsBlobStoreOptions {
  /** The bucket name, as in `gs://BUCKET`. */
  bucket: string;
  /** The folder inside the bucket every name is relative to, without slashes at the ends. @default '' */
  prefix?: string;
  /** The JSON API endpoint, e.g. `http://127.0.0.1:4443` for a local emulator. @default 'https://storage.googleapis.com' */
  apiEndpoint?: string;
  /** The Google Cloud project. @default from the environment's credentials */
  projectId?: string;
  /** Overrides of the retry defaults for every call. @default {@link DEFAULT_RETRY_OPTIONS} */
  retry?: Partial<RetryOptions>;
  /** Time limit of one HTTP request, in milliseconds (resumable upload sessions excepted). @default 60000 */
  requestTimeoutMs?: number;
  /** Files larger than this go up in a resumable upload rather than one request, in bytes. @default 8388608 */
  resumableThresholdBytes?: number;
  /**
   * Whether requests carry Google credentials. @default true, except for a loopback `apiEndpoint`
   * (an emulator or test fixture), where no credentials are looked up
   */
  authenticate?: boolean;
}

/**
 * A {@link BlobStore} over `gs://bucket/prefix` through `@google-cloud/storage`, loaded on first use.
 *
 * Retries are ours (see `retry.ts`), the client's own are off, and each call states whether it is
 * safe to repeat: uploads of fixed content are, and so are writes guarded by `ifGenerationMatch`.
 * `append` uploads only the new bytes as a part object and composes [object, part] into the object
 * under `ifGenerationMatch`, so bytes uploaded stay equal to bytes appended and a retried compose
 * cannot append twice.
 * @see https://cloud.google.com/storage/docs/composite-objects
 */
export class GcsBlobStore implements BlobStore {
  /** `gs://bucket/prefix`. */
  readonly url: string;
  /** The bucket name. */
  readonly bucketName: string;
  /** The folder inside the bucket, `''` for the root. */
  readonly prefix: string;
  private readonly options: GcsBlobStoreOptions;
  private readonly retry: RetryOptions;
  private bucketPromise: Promise<Bucket> | undefined;
  private uploaded = 0;

  constructor(options: GcsBlobStoreOptions) {
    checkBucketName(options.bucket);
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix !== '') checkBlobName(prefix, 'prefix');
    for (const [field, value] of [['requestTimeoutMs', options.requestTimeoutMs], ['resumableThresholdBytes', options.resumableThresholdBytes]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new HptuneError('INVALID_ARGUMENT', `${field} ${JSON.stringify(value)} must be a positive number; leave it out for the default`, { exitCode: 2 });
      }
    }
    this.options = options;
    this.retry = resolveRetryOptions(options.retry);
    this.bucketName = options.bucket;
    this.prefix = prefix;
    this.url = prefix === '' ? `gs://${options.bucket}` : `gs://${options.bucket}/${prefix}`;
  }

  /** Object data bytes sent, retried attempts included (multipart framing and headers excluded). */
  get bytesUploaded(): number {
    return this.uploaded;
  }

  async probe(): Promise<void> {
    const bucket = await this.bucket();
    await this.call(`list ${this.url}`, true, () => bucket.getFiles({ prefix: this.root, maxResults: 1, autoPaginate: false }), { notFoundMeans: 'bucket' });
  }

  async putFile(localPath: string, name: string): Promise<BlobInfo> {
    const objectName = this.objectName(name);
    const { size, crc32c } = await fileChecksum(localPath);
    if (size <= (this.options.resumableThresholdBytes ?? 8 * 1024 * 1024)) {
      const bytes = await readFile(localPath);
      if (crc32cBase64(bytes) !== crc32c) throw new HptuneError('FILE_CHANGED', `${localPath} changed while it was being uploaded to ${joinUrl(this.url, name)}; upload it again once it is complete`);
      return this.putBytes(name, bytes);
    }
    const bucket = await this.bucket();
    return this.call(`upload ${joinUrl(this.url, name)}`, true, async () => {
      this.uploaded += size;
      const [file] = await bucket.upload(localPath, {
        destination: objectName,
        resumable: true,
        validation: false,
        metadata: { crc32c, contentType: 'application/octet-stream' },
      });
      return this.checked(file.metadata, name, { size, crc32c });
    });
  }

  async putBytes(name: string, bytes: Uint8Array): Promise<BlobInfo> {
    const file = (await this.bucket()).file(this.objectName(name));
    const expected = { size: bytes.length, crc32c: crc32cBase64(bytes) };
    return this.call(`upload ${joinUrl(this.url, name)}`, true, async () => {
      await this.save(file, bytes, expected.crc32c);
      return this.checked(file.metadata, name, expected);
    });
  }

  async append(name: string, bytes: Uint8Array, options: AppendOptions = {}): Promise<BlobInfo> {
    const objectName = this.objectName(name);
    const current = await this.stat(name);
    const actualSize = current?.size ?? 0;
    if (options.expectedSize !== undefined && options.expectedSize !== actualSize) {
      throw new AppendConflictError(this.url, name, options.expectedSize, actualSize);
    }
    if (current === undefined) return this.createExclusive(objectName, name, bytes);
    if (bytes.length === 0) return current;

    const expected = { size: current.size + bytes.length, crc32c: crc32cToBase64(crc32cNumber(bytes, crc32cFromBase64(current.crc32c))) };
    const partName = this.objectName(`${APPEND_PARTS_FOLDER}/${randomUUID()}`);
    const part = await this.createExclusive(partName, name, bytes);
    const bucket = await this.bucket();
    try {
      const composed = await this.call(`append to ${joinUrl(this.url, name)}`, true, async () => {
        try {
          const [, response] = await bucket.combine(
            [bucket.file(objectName, { generation: current.generation }), bucket.file(partName, { generation: part.generation })],
            bucket.file(objectName),
            { ifGenerationMatch: Number(current.generation) },
          );
          return this.toInfo(response as FileMetadata, name);
        } catch (error) {
          const status = errorStatus(error);
          if (status === 412 || status === 404) {
            // The object changed since we looked, perhaps because an earlier attempt of this very
            // compose landed and only its answer was lost: the new size and CRC tell which.
            const now = await this.statObject(objectName, name);
            if (now !== undefined && now.size === expected.size && now.crc32c === expected.crc32c) return now;
            throw new AppendConflictError(this.url, name, current.size, now?.size ?? 0);
          }
          throw error;
        }
      });
      if (composed.size !== expected.size || composed.crc32c !== expected.crc32c) {
        throw new HptuneError('CHECKSUM_MISMATCH', `append to ${joinUrl(this.url, name)} produced ${composed.size} bytes with CRC-32C ${composed.crc32c}, expected ${expected.size} bytes with ${expected.crc32c}`);
      }
      return composed;
    } finally {
      await this.deleteQuietly(bucket.file(partName), part.generation);
    }
  }

  async list(prefix = ''): Promise<BlobInfo[]> {
    checkBlobPrefix(prefix);
    const bucket = await this.bucket();
    const root = this.root;
    const parts = `${root}${APPEND_PARTS_FOLDER}/`;
    const infos: BlobInfo[] = [];
    let pageToken: string | undefined;
    do {
      const query = { prefix: `${root}${prefix}`, autoPaginate: false, maxResults: 1000, ...(pageToken === undefined ? {} : { pageToken }) };
      const [files, next] = await this.call(`list ${this.url}`, true, () => bucket.getFiles(query), { notFoundMeans: 'bucket' });
      for (const file of files) {
        if (file.name.startsWith(parts)) continue;
        infos.push(this.toInfo(file.metadata, file.name.slice(root.length)));
      }
      pageToken = (next as { pageToken?: string } | null)?.pageToken ?? undefined;
    } while (pageToken !== undefined && pageToken !== '');
    return infos.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    return this.statObject(this.objectName(name), name);
  }

  async get(name: string): Promise<Uint8Array> {
    const info = await this.stat(name);
    if (info === undefined) throw new BlobNotFoundError(this.url, name);
    const file = (await this.bucket()).file(this.objectName(name), { generation: info.generation });
    return this.call(`download ${joinUrl(this.url, name)}`, true, async () => {
      let contents: Buffer;
      try {
        [contents] = await file.download({ validation: false });
      } catch (error) {
        if (errorStatus(error) === 404) throw new BlobNotFoundError(this.url, name, { cause: error });
        throw error;
      }
      const crc32c = crc32cBase64(contents);
      if (contents.length !== info.size || crc32c !== info.crc32c) {
        throw new CorruptDownloadError(`download of ${joinUrl(this.url, name)} gave ${contents.length} bytes with CRC-32C ${crc32c}, expected ${info.size} with ${info.crc32c}`);
      }
      return new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength);
    }, { alsoRetry: (error) => error instanceof CorruptDownloadError });
  }

  async delete(name: string): Promise<boolean> {
    const file = (await this.bucket()).file(this.objectName(name));
    return this.call(`delete ${joinUrl(this.url, name)}`, true, async () => {
      try {
        await file.delete();
        return true;
      } catch (error) {
        if (errorStatus(error) === 404) return false;
        throw error;
      }
    });
  }

  private async statObject(objectName: string, name: string): Promise<BlobInfo | undefined> {
    const file = (await this.bucket()).file(objectName);
    return this.call(`stat ${joinUrl(this.url, name)}`, true, async () => {
      try {
        const [metadata] = await file.getMetadata();
        return this.toInfo(metadata, name);
      } catch (error) {
        if (errorStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Uploads `bytes` as a new object (`ifGenerationMatch: 0`); a retry finding its own earlier upload accepts it. */
  private async createExclusive(objectName: string, name: string, bytes: Uint8Array): Promise<BlobInfo> {
    const file = (await this.bucket()).file(objectName);
    const expected = { size: bytes.length, crc32c: crc32cBase64(bytes) };
    return this.call(`upload ${joinUrl(this.url, name)}`, true, async () => {
      try {
        await this.save(file, bytes, expected.crc32c, { ifGenerationMatch: 0 });
      } catch (error) {
        if (errorStatus(error) !== 412) throw error;
        const now = await this.statObject(objectName, name);
        if (now !== undefined && now.size === expected.size && now.crc32c === expected.crc32c) return now;
        throw new AppendConflictError(this.url, name, 0, now?.size ?? 0);
      }
      return this.checked(file.metadata, name, expected);
    });
  }

  private async save(file: File, bytes: Uint8Array, crc32c: string, preconditionOpts?: { ifGenerationMatch: number }): Promise<void> {
    this.uploaded += bytes.length;
    await file.save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      resumable: false,
      validation: false,
      metadata: { crc32c, contentType: 'application/octet-stream' },
      ...(preconditionOpts === undefined ? {} : { preconditionOpts }),
    });
  }

  private async deleteQuietly(file: File, generation: string | undefined): Promise<void> {
    try {
      await this.call(`delete ${file.name}`, true, async () => {
        try {
          await file.delete(generation === undefined ? {} : { ifGenerationMatch: Number(generation) });
        } catch (error) {
          if (errorStatus(error) !== 404) throw error;
        }
      });
    } catch {
      // A part left behind costs storage, not correctness: list() hides it.
    }
  }

  /** Runs one call under the retry policy and turns give-ups into errors that say what to do. */
  private async call<T>(operation: string, idempotent: boolean, run: () => Promise<T>, extra: { notFoundMeans?: 'bucket' | 'write'; alsoRetry?: (error: unknown) => boolean } = {}): Promise<T> {
    const retry = this.retry;
    const alsoRetry = extra.alsoRetry;
    const isRetryable = alsoRetry === undefined ? retry.isRetryable : (error: unknown) => alsoRetry(error) || retry.isRetryable(error);
    try {
      return await withRetry(run, { operation, idempotent, retry: { ...retry, isRetryable } });
    } catch (error) {
      if (!(error instanceof RetryError)) throw error;
      if (error.cause instanceof HptuneError) throw error.cause;
      const status = error.status;
      if (status === 401 || status === 403) {
        throw new DestinationError(this.url, 'access-denied', `permission denied (HTTP ${status}) to ${operation}`, { cause: error });
      }
      if (status === 404) {
        throw new DestinationError(this.url, 'not-found', `bucket gs://${this.bucketName} does not exist (HTTP 404 to ${extra.notFoundMeans === 'bucket' ? operation : `${operation}, a write`})`, { cause: error });
      }
      throw error;
    }
  }

  private checked(metadata: FileMetadata, name: string, expected: { size: number; crc32c: string }): BlobInfo {
    const info = this.toInfo(metadata, name);
    if (info.size !== expected.size || info.crc32c !== expected.crc32c) {
      throw new HptuneError('CHECKSUM_MISMATCH', `${joinUrl(this.url, name)} landed with ${info.size} bytes and CRC-32C ${info.crc32c}, expected ${expected.size} bytes and ${expected.crc32c}`);
    }
    return info;
  }

  private toInfo(metadata: FileMetadata, name: string): BlobInfo {
    const size = Number(metadata.size);
    if (!Number.isSafeInteger(size) || typeof metadata.crc32c !== 'string') {
      throw new HptuneError('BAD_RESPONSE', `Cloud Storage answered for ${joinUrl(this.url, name)} without a size or CRC-32C (size ${String(metadata.size)}, crc32c ${String(metadata.crc32c)})`);
    }
    return {
      name,
      size,
      crc32c: metadata.crc32c,
      ...(typeof metadata.md5Hash === 'string' ? { md5: metadata.md5Hash } : {}),
      ...(metadata.generation === undefined ? {} : { generation: String(metadata.generation) }),
    };
  }

  private objectName(name: string): string {
    checkBlobName(name);
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  /** The object-name prefix of everything in this store: `''` or `prefix/`. */
  private get root(): string {
    return this.prefix === '' ? '' : `${this.prefix}/`;
  }

  private bucket(): Promise<Bucket> {
    this.bucketPromise ??= (async () => {
      const { Storage } = await import('@google-cloud/storage');
      const apiEndpoint = this.options.apiEndpoint;
      const authenticate = this.options.authenticate ?? !isLoopback(apiEndpoint);
      const storage = new Storage({
        ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
        ...(this.options.projectId === undefined ? {} : { projectId: this.options.projectId }),
        useAuthWithCustomEndpoint: authenticate,
        timeout: this.options.requestTimeoutMs ?? 60_000,
        // Our retry policy decides; the client's own would multiply attempts.
        retryOptions: { autoRetry: false, retryableErrorFn: () => false },
      });
      // The constructor reads a maxRetries of 0 as "use the default", and some calls (compose with a
      // precondition) pass maxRetries straight to the transport: zero it on the shared object.
      storage.retryOptions.maxRetries = 0;
      return storage.bucket(this.bucketName);
    })();
    return this.bucketPromise;
  }
}

/** A download whose bytes do not match the object's CRC-32C: worth another try. */
class CorruptDownloadError extends Error {
  override readonly name = 'CorruptDownloadError';
}

function isLoopback(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  try {
    const host = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
