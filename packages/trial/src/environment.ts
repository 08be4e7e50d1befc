/**
 * Where a trial's files go and how it learns of them: the environment variables of Vertex AI's
 * trial contract, the folder layout hptune's local studies give each trial, and how parameters
 * travel on the command line (`--batch_size=64`). The coordinator writes these; a trainer reads
 * them; both use the names here.
 * @see https://cloud.google.com/vertex-ai/docs/training/code-requirements#environment-variables
 */
import { join } from 'node:path';
import { ValidationError } from './errors.js';
import { DEFAULT_METRIC_FILE } from './metrics.js';
import type { ParameterValue, TrialParameters } from './parameters.js';

/**
 * The environment variables of the trial contract, by what they hold. Vertex AI sets them in each
 * trial's container; hptune's local backend sets the same ones for each trial process.
 */
export const TRIAL_VARIABLES = Object.freeze({
  /** Where the trainer saves the model. */
  modelDir: 'AIP_MODEL_DIR',
  /** Where the trainer saves checkpoints, and finds them again when the trial is retried or restarted. */
  checkpointDir: 'AIP_CHECKPOINT_DIR',
  /** Where the trainer writes TensorBoard logs. */
  logDir: 'AIP_TENSORBOARD_LOG_DIR',
  /** The trial's id: `"1"`, `"2"`, ... */
  trialId: 'CLOUD_ML_TRIAL_ID',
  /** Where the trainer reports metrics (cloudml-hypertune's file). */
  metricFile: 'CLOUD_ML_HP_METRIC_FILE',
  /** The tuning job's id; a local study's name. */
  jobId: 'CLOUD_ML_JOB_ID',
} as const);


/**
 * The program that runs one trial: any executable that speaks the trial contract
 * (`--<param>=<value>` arguments, `AIP_*`/`CLOUD_ML_*` environment, metrics to
 * `CLOUD_ML_HP_METRIC_FILE`). Started without a shell; the trial's parameters are appended to `args`.
 */
export interface TrainerCommand {
  /** The executable, e.g. `process.execPath` or `python3`. */
  readonly command: string;
  /** Arguments before the trial's parameters, e.g. the script path and fixed flags. */
  readonly args: readonly string[];
  /** Extra environment variables for every trial. */
  readonly env?: Readonly<Record<string, string>>;
  /** The working directory. @default the trial's directory */
  readonly cwd?: string;
  /**
   * Whether the program can run trials one after another in one process (it calls `serveTrials`
   * when started as a trial host): the local backend then starts it once per parallel slot
   * instead of once per trial, unless its `reuseTrainerProcesses` is `false`. @default false
   */
  readonly reusable?: boolean;
}

/** The name of one trial-contract variable, e.g. `AIP_MODEL_DIR`. */
export type TrialVariable = (typeof TRIAL_VARIABLES)[keyof typeof TRIAL_VARIABLES];

/** Where one trial's files go: `<study dir>/<study>/<trial id>/...`, all absolute. */
export interface TrialPaths {
  /** The trial's directory. */
  readonly trialDir: string;
  /** `AIP_MODEL_DIR`: where the trainer saves the model. */
  readonly modelDir: string;
  /** `AIP_CHECKPOINT_DIR`: where the trainer saves checkpoints. */
  readonly checkpointDir: string;
  /** `AIP_TENSORBOARD_LOG_DIR`: where the trainer writes TensorBoard logs. */
  readonly logDir: string;
  /** `CLOUD_ML_HP_METRIC_FILE`: where the trainer reports metrics. */
  readonly metricFile: string;
  /** The trainer's standard output. */
  readonly stdoutFile: string;
  /** The trainer's standard error. */
  readonly stderrFile: string;
}

/**
 * The paths of trial `trialId` of a local study whose folder is `studyFolder` (`<study dir>/<study>`,
 * absolute): `<trial>/model`, `<trial>/checkpoints`, `<trial>/logs`, `<trial>/output.metrics`,
 * `<trial>/stdout.log`, `<trial>/stderr.log`.
 */
export function trialPaths(studyFolder: string, trialId: string): TrialPaths {
  const trialDir = join(studyFolder, trialId);
  return {
    trialDir,
    modelDir: join(trialDir, 'model'),
    checkpointDir: join(trialDir, 'checkpoints'),
    logDir: join(trialDir, 'logs'),
    metricFile: join(trialDir, 'output.metrics'),
    stdoutFile: join(trialDir, 'stdout.log'),
    stderrFile: join(trialDir, 'stderr.log'),
  };
}

/**
 * The trial contract's variables for one trial, as the local backend sets them: its own folders,
 * its id, its metric file and the study's name standing for Vertex's job id.
 *
 * `CLOUD_ML_PROJECT_ID` is not among them: a local study has no project, and inventing one would
 * mislead a trainer that uses it to reach Google Cloud.
 */
export function trialVariables(options: { readonly studyName: string; readonly trialId: string; readonly paths: TrialPaths }): Record<TrialVariable, string> {
  return {
    [TRIAL_VARIABLES.modelDir]: options.paths.modelDir,
    [TRIAL_VARIABLES.checkpointDir]: options.paths.checkpointDir,
    [TRIAL_VARIABLES.logDir]: options.paths.logDir,
    [TRIAL_VARIABLES.trialId]: options.trialId,
    [TRIAL_VARIABLES.metricFile]: options.paths.metricFile,
    [TRIAL_VARIABLES.jobId]: options.studyName,
  };
}

/** What a process running one trial learns from its environment; see {@link currentTrial}. */
export interface CurrentTrial {
  /** `CLOUD_ML_TRIAL_ID`; `"0"` outside a study. */
  readonly trialId: string;
  /** `CLOUD_ML_JOB_ID`, when set. */
  readonly jobId?: string;
  /** `AIP_MODEL_DIR`, when set: a local folder or `gs://...`. */
  readonly modelDir?: string;
  /** `AIP_CHECKPOINT_DIR`, when set: a local folder or `gs://...`. */
  readonly checkpointDir?: string;
  /** `AIP_TENSORBOARD_LOG_DIR`, when set: a local folder or `gs://...`. */
  readonly logDir?: string;
  /** `CLOUD_ML_HP_METRIC_FILE`, else {@link DEFAULT_METRIC_FILE}. */
  readonly metricFile: string;
}

/**
 * Reads the trial contract from the environment. A variable set to the empty string counts as unset.
 * @param env - the environment. @default process.env
 * @throws ValidationError when `CLOUD_ML_HP_METRIC_FILE` is on Cloud Storage: the metric file is
 *   read inside the container, so it must be local.
 */
export function currentTrial(env: Readonly<Record<string, string | undefined>> = process.env): CurrentTrial {
  const read = (name: TrialVariable) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const metricFile = read(TRIAL_VARIABLES.metricFile);
  if (metricFile?.startsWith('gs://')) {
    throw new ValidationError({
      field: TRIAL_VARIABLES.metricFile,
      value: metricFile,
      problem: 'is on Cloud Storage; the metric file must be local, where Vertex AI reads it inside the container',
      fix: `leave it unset for ${DEFAULT_METRIC_FILE}`,
    });
  }
  const optional = (key: keyof CurrentTrial, name: TrialVariable) => {
    const value = read(name);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    trialId: read(TRIAL_VARIABLES.trialId) ?? '0',
    ...optional('jobId', TRIAL_VARIABLES.jobId),
    ...optional('modelDir', TRIAL_VARIABLES.modelDir),
    ...optional('checkpointDir', TRIAL_VARIABLES.checkpointDir),
    ...optional('logDir', TRIAL_VARIABLES.logDir),
    metricFile: metricFile ?? DEFAULT_METRIC_FILE,
  };
}

/**
 * A trial's parameters as command-line arguments, the way Vertex AI passes them: `--<id>=<value>`
 * (`--batch_size=64`), one argv entry each, in the order given. No shell ever parses them.
 */
export function formatTrialArguments(parameters: TrialParameters): string[] {
  return Object.entries(parameters).map(([id, value]) => `--${id}=${String(value)}`);
}

/** Options of {@link parseTrialArguments}. */
export interface ParseTrialArgumentsOptions {
  /** The parameter ids to read; other arguments are left alone. @default every `--id=value` argument */
  readonly ids?: readonly string[];
}

const TRIAL_ARGUMENT = /^--([A-Za-z][A-Za-z0-9_]*)=(.*)$/s;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a trial's parameters back from its arguments: each `--<id>=<value>` becomes `id: value`, a
 * number when the value is a decimal number, else the string. The inverse of
 * {@link formatTrialArguments}; a trainer with its own flag parser need not use it.
 *
 * @example parseTrialArguments(['--batch_size=64', '--activation=relu']) // { batch_size: 64, activation: 'relu' }
 * @throws ValidationError naming the id when one of `ids` is given twice.
 */
export function parseTrialArguments(argv: readonly string[], options: ParseTrialArgumentsOptions = {}): Record<string, ParameterValue> {
  const wanted = options.ids === undefined ? undefined : new Set(options.ids);
  const parameters: Record<string, ParameterValue> = {};
  for (const argument of argv) {
    const match = TRIAL_ARGUMENT.exec(argument);
    if (!match) continue;
    const [, id, text] = match as unknown as [string, string, string];
    if (wanted && !wanted.has(id)) continue;
    if (Object.hasOwn(parameters, id)) {
      throw new ValidationError({ field: `--${id}`, value: text, problem: 'is given twice', fix: `pass --${id} once` });
    }
    parameters[id] = NUMBER.test(text) ? Number(text) : text;
  }
  return parameters;
}
