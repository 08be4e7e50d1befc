/**
 * `@hptune/outputs/blob` (also `@hptune/core/blob`): where files go (a local directory or a `gs://` bucket), the stores that put
 * them there, verified uploads, and the retry configuration of every remote call.
 */
export {
  AppendConflictError,
  BlobNotFoundError,
  DestinationError,
  type AppendOptions,
  type BlobInfo,
  type BlobStore,
  type DestinationProblem,
} from './types.js';
export { crc32cBase64 } from './checksum.js';
export { LocalBlobStore } from './local.js';
export { GcsBlobStore, type GcsBlobStoreOptions } from './gcs.js';
export { openBlobStore, parseDestination, type Destination, type OpenBlobStoreOptions } from './destination.js';
export { uploadFileVerified, type UploadVerifiedOptions } from './verified.js';
export { makeDirectory, makeDirectoryAsync } from '@hptune/trial';
export {
  DEFAULT_RETRY_OPTIONS,
  RetryError,
  describeError,
  isRetryableError,
  type RetryGiveUpReason,
  type RetryOptions,
} from '../retry.js';
