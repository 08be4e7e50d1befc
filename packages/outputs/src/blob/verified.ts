import { HptuneError } from '@hptune/trial';
import { describeError } from '../retry.js';
import { fileChecksum } from './checksum.js';
import { DestinationError, joinUrl, type BlobInfo, type BlobStore } from './types.js';

/** Options of {@link uploadFileVerified}. */
export interface UploadVerifiedOptions {
  /** Upload-and-verify rounds before giving up (each upload also retries transient errors itself). @default 3 */
  attempts?: number;
}

/**
 * Uploads a file that must not be lost (a saved model, the metric file), then reads the object's
 * size and CRC-32C back from the store and compares them with the local file; repeats on a mismatch
 * or a failed upload and throws an {@link HptuneError} (`UPLOAD_NOT_VERIFIED`) when it cannot.
 * A {@link DestinationError} (missing bucket, permission denied) is thrown at once.
 */
export async function uploadFileVerified(store: BlobStore, localPath: string, name: string, options: UploadVerifiedOptions = {}): Promise<BlobInfo> {
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new HptuneError('INVALID_ARGUMENT', `attempts ${JSON.stringify(attempts)} must be a whole number >= 1; leave it out for 3`, { exitCode: 2 });
  }
  const target = joinUrl(store.url, name);
  let problem = '';
  let cause: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const local = await fileChecksum(localPath);
    try {
      await store.putFile(localPath, name);
    } catch (error) {
      if (error instanceof DestinationError) throw error;
      problem = `the upload failed: ${describeError(error)}`;
      cause = error;
      continue;
    }
    let remote: BlobInfo | undefined;
    try {
      remote = await store.stat(name);
    } catch (error) {
      if (error instanceof DestinationError) throw error;
      problem = `reading it back failed: ${describeError(error)}`;
      cause = error;
      continue;
    }
    if (remote === undefined) {
      problem = 'the object is missing after the upload';
    } else if (remote.size !== local.size || remote.crc32c !== local.crc32c) {
      problem = `it holds ${remote.size} bytes with CRC-32C ${remote.crc32c}, the file has ${local.size} bytes with ${local.crc32c}`;
    } else {
      return remote;
    }
    cause = undefined;
  }
  throw new HptuneError('UPLOAD_NOT_VERIFIED', `${localPath} did not land verified at ${target} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${problem}`, { cause });
}
