import { ValidationError } from '../../errors.js';
import { validateStudyName } from '../../study/validate.js';
import { gridSize } from '../../space/grid.js';
import { entriesOf } from '../../space/walk.js';
import type { ParameterSpecs } from '../../space/types.js';
import { resolveVertexEndpoint } from './endpoint.js';
import type { PreflightWarning } from './warnings.js';
import { resolveMaxTrials, toLabelValue } from './job-spec.js';
import { ACCELERATOR_TYPES, KNOWN_GPU_MACHINE_SERIES, isMachineTypeName, machineAccelerators, machinesWithBuiltIn, type AcceleratorType } from './machines.js';
import { DEFAULT_VERTEX_REGION, checkAcceleratorRegion } from './regions.js';
import { DEFAULT_STOCK_NODE_IMAGE } from './staging/bootstrap.js';
import { checkTrainerPackage } from './staging/pack.js';
import { DEFAULT_VERTEX_MACHINE_TYPE, type VertexBackendOptions, type VertexStudyDefinition } from './options.js';

/** What {@link preflightVertexJob} found that is not an error. */
export interface PreflightResult {
  readonly warnings: readonly PreflightWarning[];
}

/** Project ids: lowercase letters, digits and hyphens, starting with a letter; or a project number; or `domain:project`. */
const PROJECT = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?(?:[a-z](?:[a-z0-9-]*[a-z0-9])?|\d+)$/;
/** Regions: `us-central1`, `europe-west4`, `northamerica-northeast1`. */
const REGION = /^[a-z]+-[a-z]+\d+$/;
/** Bucket names: lowercase letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
/**
 * A container image reference: `[host[:port]/]path[:tag][@sha256:digest]`, lowercase path components.
 * @see https://github.com/distribution/reference
 */
const IMAGE_URI = /^(?:([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d+)?)\/)?([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
/** Registries Vertex AI custom training pulls from. */
const VERTEX_REGISTRIES = /(^|\.)(gcr\.io|pkg\.dev|docker\.io)$/;
const TENSORBOARD = /^projects\/([^/]+)\/locations\/([^/]+)\/tensorboards\/([^/]+)$/;
const NETWORK = /^projects\/\d+\/global\/networks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
/** The metric tag rule of the trial contract's metric file (see `reportMetric`). */
const METRIC_TAG = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED_METRIC_TAGS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);
/** Most characters of a HyperparameterTuningJob's display name. */
export const MAX_DISPLAY_NAME_LENGTH = 128;
/** Most labels on one resource. */
export const MAX_LABELS = 64;

function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, value, problem, fix });
}

function checkCount(field: string, value: number | undefined, minimum: number, fix: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < minimum) fail(field, value, `must be a whole number of at least ${minimum}`, fix);
}

/**
 * Every check of a Vertex AI job that needs no network, before anything is spent: project, region
 * and bucket syntax; the image (or, staged, the built trainer package and no GPUs); the machine and its accelerators (from the maintained table in
 * `machines.ts`, and the GPU's availability in the region from `regions.ts`, a warning); trial counts and the grid size; display name, labels, metric and parameter ids;
 * TensorBoard, service account, network, timeout and endpoint. Throws on the first error; returns
 * what deserves a warning. Credentials and the bucket are checked by {@link checkVertexAccess}.
 * @throws ValidationError naming the field, the value and the fix.
 */
export function preflightVertexJob(study: VertexStudyDefinition, backend: VertexBackendOptions): PreflightResult {
  const warnings: PreflightWarning[] = [];
  const region = backend.region ?? DEFAULT_VERTEX_REGION;

  validateStudyName(study.name);
  checkPlace(backend, region);
  checkContainer(backend, study, warnings);
  checkMachine(backend.machineType ?? DEFAULT_VERTEX_MACHINE_TYPE, backend.acceleratorType, backend.acceleratorCount);
  const regionWarning = backend.acceleratorType === undefined ? undefined : checkAcceleratorRegion(region, backend.acceleratorType);
  if (regionWarning) warnings.push(regionWarning);
  checkTrialCounts(study, warnings);
  checkMetric(study);
  checkJobMetadata(backend, study);
  checkTrialEnvironment(backend, study, region);
  resolveVertexEndpoint({ region, ...(backend.apiEndpoint ? { apiEndpoint: backend.apiEndpoint } : {}) });
  return { warnings };
}

/**
 * Checks a Google Cloud project id and a Vertex AI region, as every Vertex AI call names them: the
 * first checks of a launch, shared by the job commands (list, show, cancel). A project id is 6 to 30
 * lowercase letters, digits and hyphens, starting with a letter (a legacy id may be scoped by a
 * domain, `example.com:my-project`); a project number is digits.
 * @throws ValidationError (`project`, `region`) with the fix.
 */
export function checkVertexPlace(place: { readonly project: unknown; readonly region: unknown }): void {
  const { project, region } = place;
  if (typeof project !== 'string' || !PROJECT.test(project)) {
    fail('project', project, 'is not a Google Cloud project id', 'pass the project id (lowercase letters, digits and hyphens, e.g. "my-project-123"), or set GOOGLE_CLOUD_PROJECT');
  }
  const id = project.slice(project.lastIndexOf(':') + 1);
  if (!/^\d+$/.test(id) && (id.length < 6 || id.length > 30)) {
    fail('project', project, `is not a Google Cloud project id: ids are 6 to 30 characters long, this one ${id.length}`, "pass your project's id as the console shows it (e.g. \"my-project-123\"), or set GOOGLE_CLOUD_PROJECT");
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    fail('region', region, 'is not a Vertex AI region', `pass a region such as ${DEFAULT_VERTEX_REGION} or europe-west4 (the region of your bucket)`);
  }
}

function checkPlace(backend: VertexBackendOptions, region: string): void {
  const { bucket } = backend;
  checkVertexPlace({ project: backend.project, region });
  if (typeof bucket !== 'string' || bucket.startsWith('gs://')) {
    fail('bucket', bucket, 'must be a bucket name, without gs://', `pass e.g. ${String(bucket).replace(/^gs:\/\//, '').split('/')[0] || 'my-bucket'}`);
  }
  if (!BUCKET.test(bucket) || bucket.startsWith('goog') || bucket.includes('google')) {
    fail('bucket', bucket, 'is not a Cloud Storage bucket name', 'use lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit, without "goog" at the start or "google" anywhere');
  }
  const limit = bucket.includes('.') ? 222 : 63;
  if (bucket.length < 3 || bucket.length > limit) {
    fail('bucket', bucket, `is not a Cloud Storage bucket name: names are 3 to ${limit} characters long, this one ${bucket.length}`, 'pass the name of your bucket in the job\'s region (e.g. "my-bucket-123"), or set HPTUNE_BUCKET');
  }
}

function checkContainer(backend: VertexBackendOptions, study: VertexStudyDefinition, warnings: PreflightWarning[]): void {
  const staged = backend.useCustomContainer === false;
  if (staged) checkStagedTrainer(backend);
  const image = staged ? (backend.containerUri ?? DEFAULT_STOCK_NODE_IMAGE) : backend.containerUri;
  if (!image) {
    fail('containerUri', image, 'is required with a custom container', 'build and push packages/trainer/Dockerfile, then pass containerUri us-docker.pkg.dev/<project>/<repo>/lenet5:latest');
  }
  const match = IMAGE_URI.exec(image);
  const host = match?.[1];
  if (!match) {
    fail('containerUri', image, 'is not a container image reference', 'use [host/]path[:tag][@sha256:digest] with a lowercase path, e.g. us-docker.pkg.dev/my-project/hptune/lenet5:latest');
  }
  const registry = host !== undefined && (host.includes('.') || host.includes(':') || host === 'localhost') ? host : 'docker.io';
  if (!staged && registry === 'docker.io' && !image.split(/[@:]/)[0]?.includes('/')) {
    // `x` or `python:3.12` is a valid reference, to an official Docker Hub image: rarely a trainer.
    warnings.push({ field: 'containerUri', message: `"${image}" is Docker Hub's official image docker.io/library/${image}, not a trainer image you pushed; pass the image you built, e.g. us-docker.pkg.dev/my-project/hptune/lenet5:latest` });
  }
  if (!VERTEX_REGISTRIES.test(registry.replace(/:\d+$/, ''))) {
    warnings.push({ field: 'containerUri', message: `Vertex AI pulls training images from Artifact Registry (*-docker.pkg.dev), Container Registry (gcr.io) or Docker Hub; ${registry} may not be reachable` });
  }
  const parameterIds = new Set(allParameterIds(study.space.parameters));
  for (const argument of backend.trainerArgs ?? []) {
    if (typeof argument !== 'string') fail('trainerArgs', argument, 'is not a string', 'pass each trainer argument as a string, e.g. ["--num-epochs", "3"]');
    const flag = /^--([^=]+)/.exec(argument)?.[1];
    if (flag && (parameterIds.has(flag) || parameterIds.has(flag.replaceAll('-', '_')))) {
      fail('trainerArgs', argument, `sets "${flag}", a parameter the study tunes (Vertex passes it to every trial)`, `remove ${argument} from the trainer arguments`);
    }
  }
}

/** The stock-image mode: a built trainer package to stage, no GPUs, no native TensorFlow backend. */
function checkStagedTrainer(backend: VertexBackendOptions): void {
  const useImage = 'build the trainer image from packages/trainer/Dockerfile, push it, and pass useCustomContainer containerUri <image>';
  if (backend.acceleratorType !== undefined || backend.acceleratorCount !== undefined) {
    fail(
      backend.acceleratorType !== undefined ? 'acceleratorType' : 'acceleratorCount',
      backend.acceleratorType ?? backend.acceleratorCount,
      'asks for GPUs, which staged trials cannot use: the stock Node image has no CUDA and the staged trainer trains on the wasm backend',
      `for GPUs, ${useImage}; or drop acceleratorType and acceleratorCount`,
    );
  }
  const trainerArgs = backend.trainerArgs ?? [];
  trainerArgs.forEach((argument, index) => {
    // --backend is the trainer's old name for --tfjs-backend, still taken.
    const backendName = /^--(?:tfjs-)?backend=(.*)$/.exec(String(argument))?.[1] ?? (argument === '--tfjs-backend' || argument === '--backend' ? trainerArgs[index + 1] : undefined);
    if (backendName === 'tfjs-node' || backendName === 'tfjs-node-gpu') {
      fail('trainerArgs', argument, `asks for ${backendName}, which staged trials do not install (it needs libtensorflow at install time)`, `drop --tfjs-backend (auto picks wasm), or ${useImage}`);
    }
  });
  if (typeof backend.trainerPackageDir !== 'string' || backend.trainerPackageDir === '') {
    fail('trainerPackageDir', backend.trainerPackageDir, 'is required to stage the trainer (useCustomContainer is false)', "pass the folder of @hptune/trainer's package.json, or set useCustomContainer and containerUri");
  }
  checkTrainerPackage(backend.trainerPackageDir);
}

function allParameterIds(specs: ParameterSpecs): string[] {
  return entriesOf(specs).flatMap(([id, spec]) => [id, ...(spec.conditions ?? []).flatMap((condition) => allParameterIds(condition.parameters))]);
}

/**
 * Checks a machine type and its accelerators against the maintained table: both accelerator type
 * and count or neither; the type one the machine takes; a count the machine's shape accepts.
 * @throws ValidationError with the fix (e.g. the counts allowed, or the machine that has the GPU).
 */
export function checkMachine(machineType: string, acceleratorType: string | undefined, acceleratorCount: number | undefined): void {
  if (typeof machineType !== 'string' || !isMachineTypeName(machineType)) {
    fail('machineType', machineType, 'is not a machine type', `pass e.g. ${DEFAULT_VERTEX_MACHINE_TYPE}, n1-standard-8 (with a T4) or g2-standard-8 (one L4)`);
  }
  if ((acceleratorType === undefined) !== (acceleratorCount === undefined)) {
    const [field, value] = acceleratorType === undefined ? ['acceleratorCount', acceleratorCount] : ['acceleratorType', acceleratorType];
    fail(field, value, 'is given without the other half', 'pass both acceleratorType and acceleratorCount, or neither for a machine without GPUs');
  }
  const accepted = machineAccelerators(machineType);
  if (acceleratorType === undefined || acceleratorCount === undefined) {
    if (accepted?.kind === 'built-in') {
      fail('acceleratorType', acceleratorType, `is required: ${machineType} comes with ${accepted.count} x ${accepted.type}`, `pass acceleratorType ${accepted.type} acceleratorCount ${accepted.count}`);
    }
    return;
  }
  if (!(ACCELERATOR_TYPES as readonly string[]).includes(acceleratorType)) {
    fail('acceleratorType', acceleratorType, 'is not a GPU type hptune knows', `use one of ${ACCELERATOR_TYPES.join(', ')}`);
  }
  const type = acceleratorType as AcceleratorType;
  if (!Number.isSafeInteger(acceleratorCount) || acceleratorCount < 1) {
    fail('acceleratorCount', acceleratorCount, 'must be a whole number of at least 1', 'pass e.g. acceleratorCount 1');
  }
  const elsewhere = machinesWithBuiltIn(type);
  const useInstead = elsewhere.length > 0 ? `use a machine with it built in: ${elsewhere.join(', ')}` : 'use an n1 machine, e.g. n1-standard-8';
  if (accepted === undefined) {
    fail('machineType', machineType, `is not in hptune's table of GPU machines (${KNOWN_GPU_MACHINE_SERIES})`, `pick one from the table for ${type}: ${useInstead}`);
  }
  switch (accepted.kind) {
    case 'none':
      fail('acceleratorType', type, `cannot be attached to ${machineType}: its series takes no GPUs`, useInstead);
    // eslint-disable-next-line no-fallthrough
    case 'built-in':
      if (accepted.type !== type) {
        fail('acceleratorType', type, `does not match ${machineType}, which comes with ${accepted.type}`, `pass acceleratorType ${accepted.type}, or for ${type}: ${useInstead}`);
      }
      if (accepted.count !== acceleratorCount) {
        fail('acceleratorCount', acceleratorCount, `does not match ${machineType}, which comes with exactly ${accepted.count} GPU${accepted.count === 1 ? '' : 's'}`, `pass acceleratorCount ${accepted.count}, or another size: ${elsewhere.join(', ')}`);
      }
      return;
    case 'attachable': {
      const counts = accepted.counts[type];
      if (counts === undefined) {
        fail('acceleratorType', type, `cannot be attached to ${machineType} (n1 machines take ${Object.keys(accepted.counts).join(', ')})`, useInstead);
      }
      if (!counts.includes(acceleratorCount)) {
        fail(
          'acceleratorCount',
          acceleratorCount,
          counts.length > 0 ? `is not a count of ${type} that ${machineType} accepts` : `cannot be used: ${machineType} has more vCPUs than any count of ${type} allows`,
          counts.length > 0 ? `pass acceleratorCount ${counts.join(' or ')}` : 'pick a smaller n1 machine, e.g. n1-standard-8',
        );
      }
    }
  }
}

function checkTrialCounts(study: VertexStudyDefinition, warnings: PreflightWarning[]): void {
  checkCount('maxTrials', study.maxTrials, 1, 'pass maxTrials, e.g. 27 for the seed grid');
  checkCount('parallelTrials', study.parallelTrials, 1, 'pass parallelTrials, e.g. 3');
  checkCount('maxFailedTrials', study.maxFailedTrials, 1, 'pass maxFailedTrials, e.g. 3, or leave it unset to let Vertex AI decide');
  if (study.algorithm !== 'grid' && study.maxTrials === undefined) {
    fail('maxTrials', undefined, `is required for ${study.algorithm} search`, 'pass maxTrials, e.g. 20');
  }
  // Grid over a double, bad ids and values: the search space's own validation, with the algorithm's rules.
  const size = study.algorithm === 'grid' ? gridSize(study.space) : undefined;
  const maxTrials = resolveMaxTrials(study) ?? 0;
  if (size !== undefined && maxTrials > size) {
    fail('maxTrials', maxTrials, `is more than the grid's ${size} combinations (grid search runs each once)`, `pass maxTrials ${size} or fewer`);
  }
  if (size !== undefined && maxTrials < size) {
    warnings.push({ field: 'maxTrials', message: `${maxTrials} trials cover only ${maxTrials} of the grid's ${size} combinations; pass maxTrials ${size} to run them all` });
  }
  if (study.parallelTrials !== undefined && study.parallelTrials > maxTrials) {
    fail('parallelTrials', study.parallelTrials, `is more than maxTrials (${maxTrials}) (Vertex AI rejects it)`, `pass parallelTrials ${Math.min(maxTrials, 3)}`);
  }
  if (study.maxFailedTrials !== undefined && study.maxFailedTrials > maxTrials) {
    fail('maxFailedTrials', study.maxFailedTrials, `is more than maxTrials (${maxTrials})`, `pass maxFailedTrials ${maxTrials} or fewer, or leave it unset to let Vertex AI decide`);
  }
}

function checkMetric(study: VertexStudyDefinition): void {
  const id = study.metric?.id;
  if (typeof id !== 'string' || !METRIC_TAG.test(id) || RESERVED_METRIC_TAGS.has(id) || id.length > 128) {
    fail(
      'metric.id',
      id,
      'is not a metric tag the trial contract can report (the metric file takes letters, digits and "_", starting with a letter)',
      'use the tag the trainer reports, e.g. "accuracy"',
    );
  }
}

function checkJobMetadata(backend: VertexBackendOptions, study: VertexStudyDefinition): void {
  const displayName = backend.displayName ?? `hptune-${study.name}`;
  if (typeof displayName !== 'string' || displayName.trim() === '' || [...displayName].length > MAX_DISPLAY_NAME_LENGTH) {
    fail('displayName', displayName, `must be 1 to ${MAX_DISPLAY_NAME_LENGTH} characters`, 'pass a shorter displayName');
  }
  const labels = { created_by: 'hptune', hptune_study: toLabelValue(study.name), ...backend.labels };
  if (Object.keys(labels).length > MAX_LABELS) {
    fail('labels', backend.labels, `has more than ${MAX_LABELS} labels with hptune's two`, 'pass fewer labels');
  }
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) {
      fail('labels', key, 'is not a label key (1 to 63 lowercase letters, digits, "_" or "-", starting with a lowercase letter)', `use e.g. ${toLabelValue(key).replace(/^[^\p{Ll}]+/u, '') || 'team'}`);
    }
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      fail(`labels.${key}`, value, 'is not a label value (at most 63 lowercase letters, digits, "_" or "-")', `use e.g. ${toLabelValue(String(value))}`);
    }
  }
}

function checkTrialEnvironment(backend: VertexBackendOptions, study: VertexStudyDefinition, region: string): void {
  if (backend.serviceAccount !== undefined && !SERVICE_ACCOUNT.test(backend.serviceAccount)) {
    fail('serviceAccount', backend.serviceAccount, 'is not a service account email', 'pass e.g. hptune-trainer@my-project.iam.gserviceaccount.com');
  }
  if (backend.network !== undefined && !NETWORK.test(backend.network)) {
    fail('network', backend.network, 'is not a VPC network name as Vertex AI takes it', 'pass projects/<project number>/global/networks/<network> (the project number, not its id)');
  }
  if (backend.tensorboard !== undefined) {
    const match = TENSORBOARD.exec(backend.tensorboard);
    if (!match) {
      fail('tensorboard', backend.tensorboard, 'is not a Vertex AI TensorBoard resource name', `pass projects/<project>/locations/${region}/tensorboards/<id> (gcloud ai tensorboards list region ${region})`);
    }
    if (match[2] !== region) {
      fail('tensorboard', backend.tensorboard, `is in ${match[2]}, not in the job's region ${region}`, `use a TensorBoard instance in ${region}, or run the job in ${match[2]}`);
    }
    if (!backend.serviceAccount) {
      fail(
        'serviceAccount',
        backend.serviceAccount,
        'is required with a TensorBoard: Vertex AI uploads trial logs to it as that service account',
        'pass serviceAccount <name>@<project>.iam.gserviceaccount.com with roles/storage.admin and roles/aiplatform.user',
      );
    }
  }
  if (study.trialTimeoutSeconds !== undefined && (!Number.isSafeInteger(study.trialTimeoutSeconds) || study.trialTimeoutSeconds < 1)) {
    fail('trialTimeoutSeconds', study.trialTimeoutSeconds, 'must be a whole number of seconds of at least 1', 'pass e.g. trialTimeoutSeconds 2h');
  }
}
