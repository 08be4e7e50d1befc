import { createRequire } from 'node:module';
import { HptuneError, ValidationError } from '../../errors.js';
import { RetryError, withRetry, type RetryOptions } from '@hptune/outputs/retry';
import { checkApplicationDefaultCredentials, type CredentialsCheckOptions, type CredentialsSource } from './access.js';
import { formatVertexEndpoint, resolveVertexEndpoint, type VertexEndpoint } from './endpoint.js';
import { parseVertexJobName, toVertexJob, type RawHyperparameterTuningJob, type VertexJob } from './job.js';
import { checkVertexPlace } from './preflight.js';
import type { CreateHyperparameterTuningJobRequest } from './request.js';

/** Options of {@link createVertexJobClient}. */
export interface VertexJobClientOptions {
  /** The region whose endpoint to use, e.g. `us-central1`. */
  readonly region: string;
  /** `host[:port]` instead of `<region>-aiplatform.googleapis.com` (private endpoints, the test fixture). */
  readonly apiEndpoint?: string;
  /** Retries of reads (get, list) on transient errors. @default the core retry defaults */
  readonly retry?: Partial<RetryOptions>;
  /**
   * Where Application Default Credentials are looked for before a Google endpoint is used: without
   * any, the client is not created and a `ValidationError` says how to log in (Google's client
   * would otherwise fail later, outside any call, with its own stack trace).
   * @default process.env, the home folder and the metadata server
   */
  readonly credentials?: CredentialsCheckOptions;
}

/** Options of {@link VertexJobClient.listJobs}. */
export interface ListVertexJobsOptions {
  readonly project: string;
  readonly region: string;
  /** The service's filter, e.g. `state="JOB_STATE_RUNNING"`. */
  readonly filter?: string;
}

/**
 * HyperparameterTuningJobs through Vertex AI's JobService, promise-only.
 * Create and cancel are tried once (not idempotent); get and list are retried on transient errors.
 */
export interface VertexJobClient {
  /** Where the client connects. */
  readonly endpoint: VertexEndpoint;
  createJob(request: CreateHyperparameterTuningJobRequest): Promise<VertexJob>;
  getJob(name: string): Promise<VertexJob>;
  listJobs(options: ListVertexJobsOptions): Promise<VertexJob[]>;
  /** Starts the asynchronous cancellation of a job; its state becomes CANCELLING, then CANCELLED. */
  cancelJob(name: string): Promise<void>;
  close(): Promise<void>;
}

/** gRPC status codes by number, for messages. */
const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** gRPC codes worth another try for a read: the service was busy, unreachable or slow. */
const TRANSIENT_GRPC_CODES = new Set([4, 8, 10, 13, 14]);

/** Whether a gRPC error is transient (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL). */
export function isTransientVertexError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code);
}

/**
 * A call to Vertex AI that the service refused or that could not reach it. `grpcCode` is the
 * status name (`INVALID_ARGUMENT`, `NOT_FOUND`, ...); the message carries the service's own words
 * and, for authentication and permission failures, what to do.
 */
export class VertexApiError extends HptuneError {
  /** The method, e.g. `CreateHyperparameterTuningJob`. */
  readonly method: string;
  /** The gRPC status name. */
  readonly grpcCode: string;
  /** The service's message. */
  readonly details: string;

  constructor(method: string, error: unknown, endpoint: VertexEndpoint) {
    const numeric = (error as { code?: unknown } | null)?.code;
    const grpcCode = typeof numeric === 'number' ? (GRPC_CODES[numeric] ?? `code ${numeric}`) : 'UNKNOWN';
    const details = (error as { details?: unknown } | null)?.details;
    const text = typeof details === 'string' && details ? details : error instanceof Error ? error.message : String(error);
    const hints: Record<string, string> = {
      UNAUTHENTICATED: '; run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a service account key)',
      PERMISSION_DENIED:
        '; check that the Vertex AI API is enabled (`gcloud services enable aiplatform.googleapis.com`) and that your account has roles/aiplatform.user on the project',
      UNAVAILABLE: `; is ${formatVertexEndpoint(endpoint)} reachable from here?`,
      UNIMPLEMENTED: `; ${formatVertexEndpoint(endpoint)} does not serve Vertex AI's JobService`,
    };
    super('VERTEX_API_ERROR', `Vertex AI ${method} failed with ${grpcCode}: ${text}${hints[grpcCode] ?? ''}`, {
      cause: error,
      exitCode: grpcCode === 'INVALID_ARGUMENT' ? 2 : 1,
    });
    this.method = method;
    this.grpcCode = grpcCode;
    this.details = text;
  }
}

/**
 * The methods hptune calls on `@google-cloud/aiplatform`'s `JobServiceClient`. Declared here so
 * that type-checking never loads the package's 20 MB of generated protobuf typings.
 */
interface JobServiceClient {
  createHyperparameterTuningJob(request: CreateHyperparameterTuningJobRequest): Promise<[RawHyperparameterTuningJob, ...unknown[]]>;
  getHyperparameterTuningJob(request: { name: string }): Promise<[RawHyperparameterTuningJob, ...unknown[]]>;
  listHyperparameterTuningJobs(request: { parent: string; filter?: string }): Promise<[RawHyperparameterTuningJob[], ...unknown[]]>;
  cancelHyperparameterTuningJob(request: { name: string }): Promise<unknown>;
  close(): Promise<void>;
  /** google-auth-library's `GoogleAuth`: the credentials the first call would use. */
  readonly auth: { getClient(): Promise<unknown> };
}
type JobServiceClientConstructor = new (options: Record<string, unknown>) => JobServiceClient;

/** Where Application Default Credentials came from, in words. */
const CREDENTIALS_SOURCES: Readonly<Record<CredentialsSource, string>> = {
  GOOGLE_APPLICATION_CREDENTIALS: 'the key file GOOGLE_APPLICATION_CREDENTIALS names',
  gcloud: "gcloud's application_default_credentials.json",
  'metadata-server': "this machine's metadata server",
};

/** Module specifiers kept in variables so that neither TypeScript nor the bundler follows them. */
const CLIENT_MODULE = '@google-cloud/aiplatform/build/src/v1/job_service_client.js';
const PACKAGE_MODULE = '@google-cloud/aiplatform';

/**
 * Loads `JobServiceClient` only when a Vertex command runs: the client module alone (about 0.2 s),
 * not the whole aiplatform package (about 1.7 s), falling back to the package if its layout changes.
 */
async function loadJobServiceClient(): Promise<{ JobServiceClient: JobServiceClientConstructor; grpc: GrpcCredentialsModule }> {
  type ClientModule = { JobServiceClient?: JobServiceClientConstructor; v1?: { JobServiceClient?: JobServiceClientConstructor } };
  let JobServiceClient: JobServiceClientConstructor | undefined;
  try {
    const module = (await import(CLIENT_MODULE)) as ClientModule & { default?: ClientModule };
    JobServiceClient = module.JobServiceClient ?? module.default?.JobServiceClient;
  } catch {
    // the package moved its files: take the public entry point
  }
  if (!JobServiceClient) {
    let module: ClientModule & { default?: ClientModule };
    try {
      module = (await import(PACKAGE_MODULE)) as ClientModule & { default?: ClientModule };
    } catch (error) {
      // An optional peer of @hptune/core: trials (and staged trials' installs) never need it.
      throw new HptuneError(
        'VERTEX_CLIENT_MISSING',
        `@google-cloud/aiplatform is not installed, and the Vertex AI backend (hptune launch, hptune jobs) needs it: add it beside @hptune/core or @hptune/cli (npm install @google-cloud/aiplatform@^6)`,
        { cause: error },
      );
    }
    JobServiceClient = module.v1?.JobServiceClient ?? module.default?.v1?.JobServiceClient;
  }
  if (!JobServiceClient) throw new HptuneError('VERTEX_CLIENT_MISSING', 'could not load JobServiceClient from @google-cloud/aiplatform; reinstall @hptune/core');
  return { JobServiceClient, grpc: gaxGrpc() };
}

interface GrpcCredentialsModule {
  credentials: { createInsecure(): unknown };
}

/** The `@grpc/grpc-js` copy google-gax uses: credentials from another copy are refused by its channels. */
function gaxGrpc(): GrpcCredentialsModule {
  const require = createRequire(import.meta.url);
  const gax = createRequire(require.resolve('@google-cloud/aiplatform'))('google-gax') as { grpc: GrpcCredentialsModule };
  return gax.grpc;
}

/**
 * Connects to Vertex AI's JobService (lazily loading `@google-cloud/aiplatform`).
 * Against Google's endpoints it authenticates with Application Default Credentials; against a
 * loopback or `http://` endpoint it speaks plain-text gRPC without credentials.
 */
export async function createVertexJobClient(options: VertexJobClientOptions): Promise<VertexJobClient> {
  const endpoint = resolveVertexEndpoint(options);
  const credentials = endpoint.insecure ? undefined : await checkApplicationDefaultCredentials(options.credentials);
  const { JobServiceClient, grpc } = await loadJobServiceClient();
  const client = new JobServiceClient({
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    // Without an explicit universe the client first spends seconds probing for credentials.
    universeDomain: 'googleapis.com',
    ...(endpoint.insecure ? { sslCreds: grpc.credentials.createInsecure() } : {}),
  });
  if (credentials) {
    // Credentials that exist but cannot be used (a key file without client_email, say) make the
    // client's first call throw outside any promise we hold, crashing the process: load them first.
    try {
      await client.auth.getClient();
    } catch (error) {
      throw new ValidationError(
        {
          field: 'credentials',
          value: CREDENTIALS_SOURCES[credentials],
          problem: `cannot be used: ${error instanceof Error ? error.message : String(error)}`,
          fix: 'run `gcloud auth application-default login` again (or set GOOGLE_APPLICATION_CREDENTIALS to a valid service account key file)',
        },
        { cause: error },
      );
    }
  }

  const call = async <T>(method: string, run: () => Promise<T>, idempotent: boolean): Promise<T> => {
    try {
      return await withRetry(run, {
        operation: `Vertex AI ${method}`,
        idempotent,
        retry: { ...options.retry, isRetryable: isTransientVertexError },
      });
    } catch (error) {
      throw new VertexApiError(method, error instanceof RetryError ? error.cause : error, endpoint);
    }
  };
  const checkName = (name: string): void => {
    if (!parseVertexJobName(name)) {
      throw new HptuneError(
        'INVALID_ARGUMENT',
        `job name ${JSON.stringify(name)} is not projects/<project>/locations/<region>/hyperparameterTuningJobs/<id>; pass the full name or a job id with --project and --region`,
        { exitCode: 2 },
      );
    }
  };

  return {
    endpoint,
    async createJob(request) {
      const [job] = await call(
        'CreateHyperparameterTuningJob',
        () => client.createHyperparameterTuningJob(request),
        false,
      );
      return toVertexJob(job);
    },
    async getJob(name) {
      checkName(name);
      const [job] = await call('GetHyperparameterTuningJob', () => client.getHyperparameterTuningJob({ name }), true);
      return toVertexJob(job);
    },
    async listJobs(list) {
      const parent = `projects/${list.project}/locations/${list.region}`;
      const [jobs] = await call(
        'ListHyperparameterTuningJobs',
        () => client.listHyperparameterTuningJobs({ parent, ...(list.filter ? { filter: list.filter } : {}) }),
        true,
      );
      return jobs.map((job) => toVertexJob(job));
    },
    async cancelJob(name) {
      checkName(name);
      await call('CancelHyperparameterTuningJob', () => client.cancelHyperparameterTuningJob({ name }), false);
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * A job's full resource name from what a user typed: a full name is kept, a bare id is placed
 * under `projects/<project>/locations/<region>`. The id, project and region are checked as
 * a launch checks them (see {@link checkVertexPlace}), before anything is sent.
 * @throws ValidationError (`job`, `project`, `region`) with the fix.
 */
export function resolveVertexJobName(idOrName: string, scope: { readonly project?: string; readonly region: string }): string {
  const fullName = 'projects/<project>/locations/<region>/hyperparameterTuningJobs/<id>';
  if (idOrName.startsWith('projects/')) {
    const parts = parseVertexJobName(idOrName);
    if (!parts || !/^\d+$/.test(parts.id)) {
      throw new ValidationError({ field: 'job', value: idOrName, problem: `is not ${fullName}`, fix: 'pass the name as the service lists it, or the numeric job id with its project and region' });
    }
    checkVertexPlace(parts);
    return idOrName;
  }
  if (!/^\d+$/.test(idOrName)) {
    throw new ValidationError({ field: 'job', value: idOrName, problem: 'is not a Vertex AI job id (a number)', fix: `pass the numeric id at the end of the job's name (${fullName}), or the whole name` });
  }
  if (!scope.project) {
    throw new ValidationError({ field: 'project', value: undefined, problem: `is required to find job ${idOrName}`, fix: "pass the project (or set GOOGLE_CLOUD_PROJECT), or the job's full resource name" });
  }
  checkVertexPlace({ project: scope.project, region: scope.region });
  return `projects/${scope.project}/locations/${scope.region}/hyperparameterTuningJobs/${idOrName}`;
}
