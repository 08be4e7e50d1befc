import { resolve } from 'node:path';
import { ValidationError } from '@hptune/trial';
import type { RetryOptions } from '../retry.js';
import { GcsBlobStore, type GcsBlobStoreOptions } from './gcs.js';
import { LocalBlobStore } from './local.js';
import { checkBlobName, checkBucketName } from './names.js';
import type { BlobStore } from './types.js';

/** Where files go, parsed from `gs://bucket/prefix` or a directory path. */
export type Destination =
  | {
      readonly kind: 'gcs';
      /** `gs://bucket` or `gs://bucket/prefix`, without a trailing slash. */
      readonly url: string;
      /** The bucket name. */
      readonly bucket: string;
      /** The folder inside the bucket, `''` for the root. */
      readonly prefix: string;
    }
  | {
      readonly kind: 'local';
      /** The absolute directory. */
      readonly url: string;
      /** The absolute directory. */
      readonly directory: string;
    };

/**
 * Parses a destination: `gs://bucket[/prefix]` (a Cloud Storage folder) or a directory path,
 * relative ones resolved against the working directory. Rejects other URL schemes, a missing or
 * malformed bucket and bad folder names with a {@link ValidationError} naming `field`.
 */
export function parseDestination(value: string, field = 'destination'): Destination {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError({ field, value, problem: 'is empty', fix: 'pass gs://BUCKET/FOLDER or a local directory' });
  }
  if (value.startsWith('gs://')) {
    const rest = value.slice('gs://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (bucket === '') throw new ValidationError({ field, value, problem: 'has no bucket', fix: 'write it as gs://BUCKET/FOLDER' });
    checkBucketName(bucket, field);
    if (prefix !== '') {
      try {
        checkBlobName(prefix, field);
      } catch {
        throw new ValidationError({ field, value, problem: 'has an empty, "." or ".." folder, or a forbidden character', fix: 'write it as gs://BUCKET/FOLDER/SUBFOLDER' });
      }
    }
    return { kind: 'gcs', url: prefix === '' ? `gs://${bucket}` : `gs://${bucket}/${prefix}`, bucket, prefix };
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value)?.[1];
  if (scheme !== undefined) {
    if (scheme.toLowerCase() === 'file') {
      const directory = resolve(new URL(value).pathname);
      return { kind: 'local', url: directory, directory };
    }
    throw new ValidationError({ field, value, problem: `uses ${scheme}://, which hptune cannot write to`, fix: 'pass gs://BUCKET/FOLDER or a local directory' });
  }
  const directory = resolve(value);
  return { kind: 'local', url: directory, directory };
}

/** Options of {@link openBlobStore}. */
export interface OpenBlobStoreOptions {
  /** Retry overrides for a `gs://` destination. @default {@link DEFAULT_RETRY_OPTIONS} */
  retry?: Partial<RetryOptions>;
  /** Client options for a `gs://` destination (endpoint, project, timeouts). */
  gcs?: Omit<GcsBlobStoreOptions, 'bucket' | 'prefix' | 'retry'>;
}

/** Opens the {@link BlobStore} for a destination (a string is parsed with {@link parseDestination}). */
export function openBlobStore(destination: string | Destination, options: OpenBlobStoreOptions = {}): BlobStore {
  const parsed = typeof destination === 'string' ? parseDestination(destination) : destination;
  if (parsed.kind === 'local') return new LocalBlobStore(parsed.directory);
  return new GcsBlobStore({
    ...options.gcs,
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}
