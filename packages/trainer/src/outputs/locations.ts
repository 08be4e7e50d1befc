/**
 * Where a trial's outputs go: a local directory, or a Cloud Storage folder (`gs://bucket/folder`)
 * written through a local staging directory and uploaded (the model) or synced (TensorBoard logs).
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValidationError } from '@hptune/trial';
import { parseDestination } from '@hptune/outputs/blob';

/** The kinds of output folder a trial has. */
export type OutputKind = 'model' | 'checkpoints' | 'logs';

/** The folder under `gs://BUCKET` that `--gcs-bucket` puts every run's outputs in. */
export const GCS_BUCKET_FOLDER = 'hptune';

/**
 * An output folder as given: local (an absolute path) or on Cloud Storage (`gs://bucket/folder`,
 * normalised without a trailing slash).
 */
export type OutputLocation = { readonly kind: 'local'; readonly path: string } | { readonly kind: 'gcs'; readonly url: string };

/**
 * Parses an output folder: `gs://bucket/folder` (checked as Cloud Storage names it) or a local path,
 * resolved against the working directory.
 * @throws ValidationError naming `field` for a malformed `gs://` URL or another scheme.
 */
export function parseOutputLocation(field: string, value: string): OutputLocation {
  const destination = parseDestination(value, field);
  return destination.kind === 'gcs' ? { kind: 'gcs', url: destination.url } : { kind: 'local', path: resolve(value) };
}

/** The location `child` below `location` (`gs://b/out` + `model` = `gs://b/out/model`). */
export function childLocation(location: OutputLocation, child: string): OutputLocation {
  return location.kind === 'gcs' ? { kind: 'gcs', url: `${location.url}/${child}` } : { kind: 'local', path: join(location.path, child) };
}

/**
 * The root `--gcs-bucket BUCKET` gives a run: `gs://BUCKET/hptune/<run id>`, the run id being
 * `CLOUD_ML_TRIAL_ID` when set (as `<CLOUD_ML_JOB_ID>/<CLOUD_ML_TRIAL_ID>` when the job id is set
 * too, so trials of different jobs never share a folder), else `run-<UTC YYYYMMDD-HHMMSS>`.
 * The model, checkpoints and logs go to `model/`, `checkpoints/` and `logs/` beneath it.
 * @throws ValidationError naming `--gcs-bucket` for a value that is not a bucket name.
 */
export function gcsBucketRoot(bucket: string, env: Readonly<Record<string, string | undefined>>, now: Date = new Date()): OutputLocation {
  const name = bucket.startsWith('gs://') ? bucket.slice('gs://'.length).replace(/\/+$/, '') : bucket;
  if (name === '' || name.includes('/')) {
    throw new ValidationError({
      field: '--gcs-bucket',
      value: bucket,
      problem: 'is not a bucket name',
      fix: `pass the bucket alone, e.g. --gcs-bucket my-bucket (outputs go to gs://my-bucket/${GCS_BUCKET_FOLDER}/<trial or run id>/)`,
    });
  }
  const trial = nonEmpty(env.CLOUD_ML_TRIAL_ID);
  const job = nonEmpty(env.CLOUD_ML_JOB_ID);
  const runId = trial === undefined ? `run-${timestamp(now)}` : job === undefined ? trial : `${job}/${trial}`;
  return parseOutputLocation('--gcs-bucket', `gs://${name}/${GCS_BUCKET_FOLDER}/${runId}`);
}

/**
 * The local folder a Cloud Storage output is written to first: `<tmp>/hptune-staging/<pid>-<trial>/<kind>`,
 * one per process so that two trainers on one machine never share one.
 */
export function stagingDir(kind: OutputKind, trialId: string): string {
  return join(tmpdir(), 'hptune-staging', `${process.pid}-${trialId.replace(/[^A-Za-z0-9_.-]/g, '_')}`, kind);
}

function timestamp(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
