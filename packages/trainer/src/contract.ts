import { rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_METRIC_FILE, ValidationError } from '@hptune/trial';
import { makeDirectory } from '@hptune/trial';
import { childLocation, gcsBucketRoot, parseOutputLocation, stagingDir, type OutputKind, type OutputLocation } from './outputs/locations.js';

/**
 * The environment variables of Vertex AI's trial contract that the trainer reads.
 * @see https://cloud.google.com/vertex-ai/docs/training/code-requirements#environment-variables
 */
export interface TrialEnvironment {
  readonly AIP_MODEL_DIR?: string;
  readonly AIP_CHECKPOINT_DIR?: string;
  readonly AIP_TENSORBOARD_LOG_DIR?: string;
  readonly CLOUD_ML_TRIAL_ID?: string;
  readonly CLOUD_ML_HP_METRIC_FILE?: string;
  readonly [name: string]: string | undefined;
}

/** One output location and what set it, so an error can name the variable or flag to change. */
export interface TrialPath {
  /** An absolute local path; for a Cloud Storage location, the local staging folder written first. */
  readonly path: string;
  /** The variable or flag that sets it (or would, for a default), e.g. `AIP_MODEL_DIR` or `--output-dir`. */
  readonly from: string;
  /**
   * The Cloud Storage folder (`gs://bucket/folder`) the files end up in, when the location is there:
   * the model is uploaded from `path` and verified, TensorBoard logs are synced from it. Absent for a local location.
   */
  readonly url?: string;
}

/** Where a trial's outputs go. */
export interface TrialPaths {
  /** The saved model's folder (model.json + weights.bin): `AIP_MODEL_DIR`, else `DIR/model`. */
  readonly modelDir: TrialPath;
  /** Checkpoints: `AIP_CHECKPOINT_DIR`, else `DIR/checkpoints`. */
  readonly checkpointDir: TrialPath;
  /** TensorBoard logs: `AIP_TENSORBOARD_LOG_DIR`, else `DIR/logs`. */
  readonly logDir: TrialPath;
  /** The metric file: `CLOUD_ML_HP_METRIC_FILE`, else `DIR/hypertune/output.metrics` when `--output-dir` was given, else {@link DEFAULT_METRIC_FILE}. */
  readonly metricFile: TrialPath;
}

/** Options of {@link resolveTrialPaths}. */
export interface ResolveTrialPathsOptions {
  /** `--output-dir`, a local folder or `gs://bucket/folder`, if given. @default 'hptune-output' for the model, checkpoints and logs */
  outputDir?: string;
  /**
   * `--gcs-bucket`: the model, checkpoints and logs go to `gs://BUCKET/hptune/<run id>/{model,checkpoints,logs}`
   * (see {@link gcsBucketRoot}) unless the `AIP_*` variables say otherwise; it wins over `--output-dir`,
   * which then places only the metric file.
   */
  gcsBucket?: string;
  /** The environment. @default process.env */
  env?: TrialEnvironment;
}

/**
 * Resolves where outputs go, the trial contract's way: each `AIP_*`/`CLOUD_ML_*` variable wins,
 * then `--gcs-bucket`, then the output directory gives `model/`, `checkpoints/`, `logs/` and
 * `hypertune/output.metrics`. The model, checkpoint and log folders may be on Cloud Storage
 * (`gs://...`): they are then written to a local staging folder first. The metric file is always
 * local: Vertex AI reads it inside the container.
 *
 * @throws ValidationError for a malformed `gs://` location, or a metric file on Cloud Storage.
 */
export function resolveTrialPaths(options: ResolveTrialPathsOptions = {}): TrialPaths {
  const env = options.env ?? process.env;
  const outputDir = options.outputDir === undefined ? undefined : parseOutputLocation('--output-dir', options.outputDir);
  const bucketRoot = options.gcsBucket === undefined ? undefined : gcsBucketRoot(options.gcsBucket, env);
  const base: OutputLocation = bucketRoot ?? outputDir ?? { kind: 'local', path: resolve('hptune-output') };
  const baseFrom = bucketRoot === undefined ? '--output-dir' : '--gcs-bucket';
  const trialId = env.CLOUD_ML_TRIAL_ID === undefined || env.CLOUD_ML_TRIAL_ID === '' ? '0' : env.CLOUD_ML_TRIAL_ID;
  const pick = (variable: string, kind: OutputKind): TrialPath => {
    const value = env[variable];
    const given = value !== undefined && value !== '';
    const location = given ? parseOutputLocation(variable, value) : childLocation(base, kind);
    const from = given ? variable : baseFrom;
    return location.kind === 'local' ? { path: location.path, from } : { path: stagingDir(kind, trialId), from, url: location.url };
  };
  const metricFile = env.CLOUD_ML_HP_METRIC_FILE;
  if (metricFile !== undefined && metricFile.startsWith('gs://')) {
    throw new ValidationError({
      field: 'CLOUD_ML_HP_METRIC_FILE',
      value: metricFile,
      problem: 'is on Cloud Storage; the metric file must be local, where Vertex AI reads it inside the container',
      fix: `leave it unset for ${DEFAULT_METRIC_FILE}`,
    });
  }
  const localOutputDir = outputDir?.kind === 'local' ? outputDir.path : undefined;
  return {
    modelDir: pick('AIP_MODEL_DIR', 'model'),
    checkpointDir: pick('AIP_CHECKPOINT_DIR', 'checkpoints'),
    logDir: pick('AIP_TENSORBOARD_LOG_DIR', 'logs'),
    metricFile:
      metricFile !== undefined && metricFile !== ''
        ? { path: resolve(metricFile), from: 'CLOUD_ML_HP_METRIC_FILE' }
        : localOutputDir === undefined
          ? { path: resolve(DEFAULT_METRIC_FILE), from: 'CLOUD_ML_HP_METRIC_FILE' }
          : { path: join(localOutputDir, 'hypertune', 'output.metrics'), from: '--output-dir' },
  };
}

/**
 * Creates the model directory and the metric file's directory and proves both writable, so an
 * unwritable location fails before any training is spent. The log and checkpoint directories are
 * created by whoever writes there. For a Cloud Storage location this is the local staging folder,
 * emptied first; the bucket itself is checked by `openTrialOutputs`.
 *
 * @throws ValidationError `OUTPUT_NOT_WRITABLE` naming the location and the variable or flag that set it.
 */
export function prepareTrialOutputs(paths: TrialPaths): void {
  // A staging folder is this process's own: whatever a dead process of the same pid left there must not be uploaded.
  for (const location of [paths.modelDir, paths.logDir]) if (location.url !== undefined) rmSync(location.path, { recursive: true, force: true });
  checkWritableDir(paths.modelDir, 'model directory');
  const metricFile = paths.metricFile.path;
  if (isDirectory(metricFile)) {
    throw unwritable(paths.metricFile, 'metric file', 'is a directory');
  }
  checkWritableDir({ path: dirname(metricFile), from: paths.metricFile.from }, 'metric file\'s directory', paths.metricFile);
}

function checkWritableDir(dir: TrialPath, what: string, reported: TrialPath = dir): void {
  const probe = join(dir.path, `.hptune-write-check-${process.pid}`);
  try {
    makeDirectory(dir.path);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw unwritable(reported, what, `cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
  }
}

function unwritable(location: TrialPath, what: string, problem: string, cause?: unknown): ValidationError {
  return new ValidationError(
    { field: `${location.from} (${what})`, value: location.path, problem, fix: `point ${location.from} at a writable location` },
    { code: 'OUTPUT_NOT_WRITABLE', cause },
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
