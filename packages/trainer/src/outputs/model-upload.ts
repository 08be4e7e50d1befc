/**
 * The model on Cloud Storage: the bucket is checked before training, and the saved model is
 * uploaded from its local staging folder and verified (size and CRC-32C read back) after it.
 * Unlike TensorBoard logs, the model must not be lost: a failure here fails the run.
 */
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { HptuneError, ValidationError } from '@hptune/trial';
import { DestinationError, describeError, openBlobStore, uploadFileVerified, type BlobInfo, type BlobStore } from '@hptune/outputs/blob';
import type { TrialPath } from '../contract.js';
import type { SavedModel } from '../model/save.js';
import type { StorageSettings } from './settings.js';

/** Opens the store of a `gs://` output folder with the trainer's storage settings. */
export function openOutputStore(url: string, storage: StorageSettings): BlobStore {
  return openBlobStore(url, storage.gcsApiEndpoint === undefined ? {} : { gcs: { apiEndpoint: storage.gcsApiEndpoint } });
}

/**
 * Checks that the bucket of a `gs://` model folder exists and may be listed, before any training
 * is spent. Does nothing for a local folder.
 * @throws ValidationError (exit code 2) naming the variable or flag when the bucket is missing or refused.
 * @throws HptuneError `OUTPUT_UNREACHABLE` when Cloud Storage does not answer after retries.
 */
export async function checkModelDestination(location: TrialPath, storage: StorageSettings): Promise<void> {
  if (location.url === undefined) return;
  try {
    await openOutputStore(location.url, storage).probe();
  } catch (error) {
    if (error instanceof DestinationError) {
      throw new ValidationError(
        {
          field: `${location.from} (model directory)`,
          value: location.url,
          problem: error.problem === 'not-found' ? 'is in a bucket that does not exist' : 'cannot be written with these credentials',
          fix:
            error.problem === 'not-found'
              ? `create the bucket (gcloud storage buckets create gs://${bucketOf(location.url)}) or point ${location.from} at another`
              : `grant the account the trainer runs as roles/storage.objectAdmin on the bucket, or point ${location.from} elsewhere`,
        },
        { code: 'OUTPUT_NOT_WRITABLE', cause: error },
      );
    }
    throw new HptuneError('OUTPUT_UNREACHABLE', `cannot reach ${location.url} (${location.from}) to check the model folder: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Uploads a saved model to its `gs://` folder, `weights.bin` first so that a `model.json` there
 * never names weights that are missing, each verified by its size and CRC-32C; then removes the
 * local staging folder. Does nothing for a local folder.
 * @returns what landed, in upload order
 * @throws HptuneError `UPLOAD_NOT_VERIFIED` or a `DestinationError` (exit code 1) when the model did not land.
 */
export async function uploadModel(saved: SavedModel, location: TrialPath, storage: StorageSettings): Promise<BlobInfo[]> {
  if (location.url === undefined) return [];
  const store = openOutputStore(location.url, storage);
  const landed: BlobInfo[] = [];
  for (const file of [saved.weightsBin, saved.modelJson]) {
    try {
      landed.push(await uploadFileVerified(store, file, basename(file)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HptuneError('MODEL_UPLOAD_FAILED', `the model was not saved to ${location.url} (${location.from}): ${reason}; the local copy stays in ${dirname(file)}`, { cause: error });
    }
  }
  rmSync(location.path, { recursive: true, force: true });
  return landed;
}

function bucketOf(url: string): string {
  return url.slice('gs://'.length).split('/')[0] ?? '';
}
