import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HptuneError, ValidationError } from '../../errors.js';
import { RetryError, errorStatus, withRetry, type RetryOptions } from '@hptune/outputs/retry';
import { resolveVertexEndpoint } from './endpoint.js';
import { DEFAULT_VERTEX_REGION } from './regions.js';

/** How Application Default Credentials were found. */
export type CredentialsSource = 'GOOGLE_APPLICATION_CREDENTIALS' | 'gcloud' | 'metadata-server';

/** Options of {@link checkApplicationDefaultCredentials}. */
export interface CredentialsCheckOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default os.homedir() */
  readonly homeDir?: string;
  /** Whether a Google Cloud metadata server answers (on Compute Engine, Cloud Shell, Workbench). @default a 500 ms HTTP probe */
  readonly probeMetadataServer?: () => Promise<boolean>;
}

async function probeMetadataServer(env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  const host = env.GCE_METADATA_HOST ?? env.GCE_METADATA_IP ?? '169.254.169.254';
  try {
    const response = await fetch(`http://${host}/computeMetadata/v1/project/project-id`, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(500),
    });
    return response.ok && response.headers.get('metadata-flavor') === 'Google';
  } catch {
    return false;
  }
}

/**
 * Finds Application Default Credentials the way Google's client libraries do: the key file named
 * by `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's `application_default_credentials.json`, or the
 * metadata server of a Google Cloud machine.
 * @returns where they are.
 * @throws ValidationError (`credentials`) saying to run `gcloud auth application-default login`.
 * @see https://cloud.google.com/docs/authentication/application-default-credentials
 */
export async function checkApplicationDefaultCredentials(options: CredentialsCheckOptions = {}): Promise<CredentialsSource> {
  const env = options.env ?? process.env;
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (keyFile) {
    if (existsSync(keyFile)) return 'GOOGLE_APPLICATION_CREDENTIALS';
    throw new ValidationError({
      field: 'GOOGLE_APPLICATION_CREDENTIALS',
      value: keyFile,
      problem: 'names a file that does not exist',
      fix: 'point it at a service account key file, or unset it and run `gcloud auth application-default login`',
    });
  }
  const gcloudDir = env.CLOUDSDK_CONFIG ?? (process.platform === 'win32' && env.APPDATA ? join(env.APPDATA, 'gcloud') : join(options.homeDir ?? homedir(), '.config', 'gcloud'));
  if (existsSync(join(gcloudDir, 'application_default_credentials.json'))) return 'gcloud';
  if (await (options.probeMetadataServer ?? (() => probeMetadataServer(env)))()) return 'metadata-server';
  throw new ValidationError({
    field: 'credentials',
    value: join(gcloudDir, 'application_default_credentials.json'),
    problem: 'does not exist, GOOGLE_APPLICATION_CREDENTIALS is unset and this is not a Google Cloud machine: no Application Default Credentials',
    fix: 'run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file)',
  });
}

/** Where a bucket is, as Cloud Storage reports it. */
export interface BucketLocation {
  /** Lowercase, e.g. `us-central1`, `us` (multi-region) or `nam4` (dual-region). */
  readonly location: string;
  /** `region`, `dual-region` or `multi-region`. */
  readonly locationType: string;
}

/** Options of {@link checkBucketLocation}. */
export interface BucketCheckOptions {
  /** The bucket name. */
  readonly bucket: string;
  /** The job's region, which the bucket must be in. */
  readonly region: string;
  /** The project, for the client. */
  readonly project?: string;
  /** The Cloud Storage JSON API endpoint, e.g. `http://127.0.0.1:4443` for an emulator. @default Google's */
  readonly apiEndpoint?: string;
  /** Retries of the metadata read on transient errors. @default the core retry defaults */
  readonly retry?: Partial<RetryOptions>;
}

function isLoopbackUrl(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * Checks that the bucket exists and is in the job's region: a multi-region or other-region bucket
 * lets the job start and fail later (the Python original's first pitfall). Reads the bucket's
 * metadata through `@google-cloud/storage`, loaded only here.
 * @returns the bucket's location.
 * @throws ValidationError (`bucket`) with the `gcloud storage buckets create` command that fixes it;
 * HptuneError `BUCKET_CHECK_FAILED` when the bucket cannot be read (permissions, network).
 */
export async function checkBucketLocation(options: BucketCheckOptions): Promise<BucketLocation> {
  const { bucket, region } = options;
  const { Storage } = await import('@google-cloud/storage');
  const storage = new Storage({
    ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    ...(options.project ? { projectId: options.project } : {}),
    useAuthWithCustomEndpoint: !isLoopbackUrl(options.apiEndpoint),
    retryOptions: { autoRetry: false },
  });
  const create = `gcloud storage buckets create gs://${bucket} --location=${region}`;
  let metadata: { location?: string; locationType?: string };
  try {
    [metadata] = await withRetry(() => storage.bucket(bucket).getMetadata(), { operation: `read the metadata of gs://${bucket}`, idempotent: true, ...(options.retry ? { retry: options.retry } : {}) });
  } catch (caught) {
    const error = caught instanceof RetryError ? caught.cause : caught;
    const status = errorStatus(error);
    if (status === 404) {
      throw new ValidationError({ field: 'bucket', value: bucket, problem: 'does not exist', fix: `create it in the job's region: ${create}` });
    }
    const message = error instanceof Error ? error.message : String(error);
    const hint =
      status === 401 || status === 403
        ? '; check that your account can read the bucket (roles/storage.admin or storage.buckets.get on it) and that the project is right'
        : '';
    throw new HptuneError('BUCKET_CHECK_FAILED', `could not read gs://${bucket}: ${message}${hint}`, { cause: error });
  }
  const location = (metadata.location ?? '').toLowerCase();
  const locationType = metadata.locationType ?? 'region';
  if (location !== region.toLowerCase()) {
    throw new ValidationError({
      field: 'bucket',
      value: bucket,
      problem: `is in ${location.toUpperCase()} (${locationType}), not in the job's region ${region}: the job would start and its trials fail later`,
      fix: `use a bucket in ${region}, e.g. gcloud storage buckets create gs://${bucket}-${region} --location=${region} and pass --bucket ${bucket}-${region}, or run the job in the bucket's region`,
    });
  }
  return { location, locationType };
}

/** Options of {@link checkVertexAccess}. */
export interface VertexAccessCheckOptions {
  readonly project: string;
  /** @default {@link DEFAULT_VERTEX_REGION} */
  readonly region?: string;
  readonly bucket: string;
  /** The Vertex AI endpoint override (`--api-endpoint`). */
  readonly apiEndpoint?: string;
  /** The Cloud Storage endpoint. @default `STORAGE_EMULATOR_HOST`, else Google's */
  readonly storageApiEndpoint?: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Passed to {@link checkApplicationDefaultCredentials}. */
  readonly credentials?: Omit<CredentialsCheckOptions, 'env'>;
  readonly retry?: Partial<RetryOptions>;
}

/** The Cloud Storage endpoint a launch uses: the one given, else `STORAGE_EMULATOR_HOST`, else undefined (Google's). */
export function resolveStorageApiEndpoint(options: Pick<VertexAccessCheckOptions, 'storageApiEndpoint' | 'env'>): string | undefined {
  return options.storageApiEndpoint ?? (options.env ?? process.env).STORAGE_EMULATOR_HOST;
}

/**
 * The checks of a Vertex AI launch that need the network (skipped by `--dry-run`): Application
 * Default Credentials, when a Google endpoint will be called; then the bucket's existence and region.
 * @throws ValidationError with the fix, or HptuneError when the bucket cannot be read.
 */
export async function checkVertexAccess(options: VertexAccessCheckOptions): Promise<{ readonly credentials?: CredentialsSource; readonly bucket: BucketLocation }> {
  const env = options.env ?? process.env;
  const region = options.region ?? DEFAULT_VERTEX_REGION;
  const storageApiEndpoint = resolveStorageApiEndpoint(options);
  const vertexEndpoint = resolveVertexEndpoint({ region, ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}) });
  const needsGoogleAuth = !vertexEndpoint.insecure || !isLoopbackUrl(storageApiEndpoint);
  const credentials = needsGoogleAuth ? await checkApplicationDefaultCredentials({ ...options.credentials, env }) : undefined;
  const bucket = await checkBucketLocation({
    bucket: options.bucket,
    region,
    project: options.project,
    ...(storageApiEndpoint ? { apiEndpoint: storageApiEndpoint } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  return { ...(credentials ? { credentials } : {}), bucket };
}
