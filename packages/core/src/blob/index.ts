export {
  AppendConflictError,
  BlobNotFoundError,
  DestinationError,
  type AppendOptions,
  type BlobInfo,
  type BlobStore,
  type DestinationProblem,
} from './types.js';
export { crc32cBase64, fileChecksum } from './checksum.js';
export { LocalBlobStore } from './local.js';
export { APPEND_PARTS_FOLDER, GcsBlobStore, type GcsBlobStoreOptions } from './gcs.js';
export { openBlobStore, parseDestination, type Destination, type OpenBlobStoreOptions } from './destination.js';
export { uploadFileVerified, type UploadVerifiedOptions } from './verified.js';
