import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_METRIC_FILE, ValidationError } from '@hptune/core';

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
  /** An absolute local path. */
  readonly path: string;
  /** The variable or flag that sets it (or would, for a default), e.g. `AIP_MODEL_DIR` or `--output-dir`. */
  readonly from: string;
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
  /** `--output-dir`, if given. @default 'hptune-output' for the model, checkpoints and logs */
  outputDir?: string;
  /** The environment. @default process.env */
  env?: TrialEnvironment;
}

/**
 * Resolves where outputs go, the trial contract's way: each `AIP_*`/`CLOUD_ML_*` variable wins,
 * otherwise the output directory gives `model/`, `checkpoints/`, `logs/` and `hypertune/output.metrics`.
 *
 * @throws ValidationError `NOT_YET_SUPPORTED` for a `gs://` location (Cloud Storage output is not supported yet).
 */
export function resolveTrialPaths(options: ResolveTrialPathsOptions = {}): TrialPaths {
  const env = options.env ?? process.env;
  const outputDir = options.outputDir === undefined ? undefined : checkLocal('--output-dir', options.outputDir);
  const base = outputDir ?? 'hptune-output';
  const pick = (variable: string, fallback: string, fallbackFrom: string): TrialPath => {
    const value = env[variable];
    if (value !== undefined && value !== '') return { path: resolve(checkLocal(variable, value)), from: variable };
    return { path: resolve(fallback), from: fallbackFrom };
  };
  return {
    modelDir: pick('AIP_MODEL_DIR', join(base, 'model'), '--output-dir'),
    checkpointDir: pick('AIP_CHECKPOINT_DIR', join(base, 'checkpoints'), '--output-dir'),
    logDir: pick('AIP_TENSORBOARD_LOG_DIR', join(base, 'logs'), '--output-dir'),
    metricFile: pick(
      'CLOUD_ML_HP_METRIC_FILE',
      outputDir === undefined ? DEFAULT_METRIC_FILE : join(outputDir, 'hypertune', 'output.metrics'),
      outputDir === undefined ? 'CLOUD_ML_HP_METRIC_FILE' : '--output-dir',
    ),
  };
}

function checkLocal(field: string, value: string): string {
  if (value.startsWith('gs://')) {
    throw new ValidationError(
      { field, value, problem: 'is on Google Cloud Storage, which the trainer does not support yet', fix: 'use a local directory until Cloud Storage support lands' },
      { code: 'NOT_YET_SUPPORTED' },
    );
  }
  return value;
}

/**
 * Creates the model directory and the metric file's directory and proves both writable, so an
 * unwritable location fails before any training is spent. The log and checkpoint directories are
 * created by whoever writes there.
 *
 * @throws ValidationError `OUTPUT_NOT_WRITABLE` naming the location and the variable or flag that set it.
 */
export function prepareTrialOutputs(paths: TrialPaths): void {
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
    mkdirSync(dir.path, { recursive: true });
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
