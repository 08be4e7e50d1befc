import { parseArgs } from 'node:util';
import { ValidationError } from '@hptune/trial';
import { MNIST } from './data/mnist.js';
import { resolveTrialPaths, type TrialEnvironment, type TrialPaths } from './contract.js';
import { GCS_API_ENDPOINT_VARIABLE, readStorageSettings, SYNC_INTERVAL_VARIABLE, type StorageSettings } from './outputs/settings.js';

/** Hidden-layer activations of LeNet-5, a hyperparameter. */
export const ACTIVATIONS = ['relu', 'softmax', 'leakyrelu'] as const;
/** A hidden-layer activation: `relu`, `softmax` (over the channel/feature axis) or `leakyrelu` (alpha 0.01). */
export type Activation = (typeof ACTIVATIONS)[number];

/** Optimizers, a hyperparameter. */
export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
/** An optimizer name. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The TensorFlow.js backends `--backend` accepts; `auto` picks the fastest that loads. */
export const BACKEND_CHOICES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
/** A `--backend` value. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * The learning rate each optimizer uses when `--learning-rate` is not given: PyTorch's and
 * Keras's defaults for adam and rmsprop, the classic 0.01 for plain SGD (PyTorch has none).
 */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = { sgd: 0.01, adam: 0.001, rmsprop: 0.001 };

/** Defaults of every hyperparameter and setting the trainer takes. */
export const TRAINER_DEFAULTS = {
  activation: 'relu',
  optimizer: 'adam',
  batchSize: 64,
  numEpochs: 1,
  seed: 42,
  backend: 'auto',
  metricTag: 'accuracy',
  outputDir: 'hptune-output',
} as const satisfies Partial<Record<keyof TrainerOptions | 'outputDir', unknown>>;

/** Everything one training run needs, validated and with defaults filled in. */
export interface TrainerOptions {
  /** Hidden-layer activation. @default 'relu' */
  readonly activation: Activation;
  /** Optimizer. @default 'adam' */
  readonly optimizer: OptimizerName;
  /** Images per training step. @default 64 */
  readonly batchSize: number;
  /** Passes over the training set. @default 1 */
  readonly numEpochs: number;
  /** The optimizer's learning rate. @default {@link DEFAULT_LEARNING_RATES}[optimizer] */
  readonly learningRate: number;
  /** Training images, a seeded random sample; `undefined` for all 60,000. */
  readonly trainSize?: number;
  /** Test images, the first ones of the test set; `undefined` for all 10,000. */
  readonly testSize?: number;
  /** Seed of the sample, the shuffling and the initial weights. @default 42 */
  readonly seed: number;
  /** The TensorFlow.js backend. @default 'auto' */
  readonly backend: BackendChoice;
  /** The tag test accuracy is reported under, the study's metric id. @default 'accuracy' */
  readonly metricTag: string;
  /** The trial id written in metric reports (`CLOUD_ML_TRIAL_ID`). @default '0' */
  readonly trialId: string;
  /** Where the model, checkpoints, logs and metrics go. */
  readonly paths: TrialPaths;
  /** How Cloud Storage is reached, for `gs://` outputs. */
  readonly storage: StorageSettings;
}

/** What the command line asked for: help, or a training run. */
export type TrainerInvocation =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'train'; readonly options: TrainerOptions };

interface FlagSpec {
  /** The option it sets, also the flag's name in camelCase. */
  readonly key: string;
  readonly flag: string;
  readonly value: string;
  readonly description: string;
  readonly default: string;
}

const FLAGS: readonly FlagSpec[] = [
  { key: 'activation', flag: 'activation', value: 'NAME', description: `hidden-layer activation: ${ACTIVATIONS.join(', ')} (leakyrelu has alpha 0.01)`, default: TRAINER_DEFAULTS.activation },
  { key: 'optimizer', flag: 'optimizer', value: 'NAME', description: `optimizer: ${OPTIMIZERS.join(', ')}`, default: TRAINER_DEFAULTS.optimizer },
  { key: 'batchSize', flag: 'batch-size', value: 'N', description: 'images per training step', default: String(TRAINER_DEFAULTS.batchSize) },
  { key: 'numEpochs', flag: 'num-epochs', value: 'N', description: 'passes over the training set', default: String(TRAINER_DEFAULTS.numEpochs) },
  {
    key: 'learningRate',
    flag: 'learning-rate',
    value: 'RATE',
    description: 'the optimizer\'s learning rate',
    default: OPTIMIZERS.map((name) => `${name} ${DEFAULT_LEARNING_RATES[name]}`).join(', '),
  },
  { key: 'gcsBucket', flag: 'gcs-bucket', value: 'BUCKET', description: 'outputs to gs://BUCKET/hptune/<trial or run id>/{model,checkpoints,logs} unless AIP_* say otherwise', default: 'none' },
  { key: 'trainSize', flag: 'train-size', value: 'N', description: `training images, a seeded random sample (at most ${MNIST.trainCount})`, default: `all ${MNIST.trainCount}` },
  { key: 'testSize', flag: 'test-size', value: 'N', description: `test images, the first of the test set (at most ${MNIST.testCount})`, default: `all ${MNIST.testCount}` },
  { key: 'seed', flag: 'seed', value: 'N', description: 'seed of the sample, the shuffling and the initial weights', default: String(TRAINER_DEFAULTS.seed) },
  { key: 'backend', flag: 'backend', value: 'NAME', description: `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, default: TRAINER_DEFAULTS.backend },
  { key: 'outputDir', flag: 'output-dir', value: 'DIR', description: 'outputs: DIR/model, DIR/checkpoints, DIR/logs, DIR/hypertune/output.metrics (DIR may be gs://BUCKET/FOLDER; the metric file stays local)', default: TRAINER_DEFAULTS.outputDir },
  { key: 'metricTag', flag: 'metric-tag', value: 'TAG', description: 'tag test accuracy is reported under', default: TRAINER_DEFAULTS.metricTag },
];

/** The trainer's usage text: every flag with its default, and the environment it reads. */
export function trainerHelp(program = 'hptune-train'): string {
  const rows: [string, string][] = FLAGS.map((spec) => [`--${spec.flag} ${spec.value}`, `${spec.description} (default: ${spec.default})`]);
  rows.push(['--help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: ${program} [flags]`,
    '',
    'Trains LeNet-5 on MNIST with TensorFlow.js and reports test accuracy after every epoch,',
    'speaking Vertex AI\'s trial contract. Flags take --flag=value or --flag value; --batch_size',
    'style underscores work too.',
    '',
    'Flags:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    '',
    'Environment (set by Vertex AI and by hptune\'s local backend; each overrides --output-dir):',
    '  AIP_MODEL_DIR            where the model is saved (model.json + weights.bin); on gs:// it is',
    '                           saved locally, uploaded and verified',
    '  AIP_CHECKPOINT_DIR       where checkpoints go',
    '  AIP_TENSORBOARD_LOG_DIR  where TensorBoard logs go; on gs:// they are written locally and synced',
    '                           there in the background, with a verified final sync (also on SIGTERM)',
    '  CLOUD_ML_TRIAL_ID        the trial id written in metric reports (default: 0)',
    '  CLOUD_ML_HP_METRIC_FILE  the metric file (default: /tmp/hypertune/output.metrics, or',
    '                           DIR/hypertune/output.metrics when --output-dir DIR is given)',
    `  ${GCS_API_ENDPOINT_VARIABLE.padEnd(24)} Cloud Storage JSON API endpoint, e.g. http://127.0.0.1:4443 for an emulator`,
    `  ${SYNC_INTERVAL_VARIABLE.padEnd(24)} milliseconds between TensorBoard syncs to gs:// (default: 30000)`,
    '',
  ].join('\n');
}

/** Input of {@link resolveTrainerOptions} and `train()`: every setting optional, typed. */
export interface TrainerConfig {
  /** @default 'relu' */
  activation?: Activation;
  /** @default 'adam' */
  optimizer?: OptimizerName;
  /** @default 64 */
  batchSize?: number;
  /** @default 1 */
  numEpochs?: number;
  /** @default {@link DEFAULT_LEARNING_RATES}[optimizer] */
  learningRate?: number;
  /** Training images, a seeded random sample. @default all 60,000 */
  trainSize?: number;
  /** Test images, the first of the test set. @default all 10,000 */
  testSize?: number;
  /** @default 42 */
  seed?: number;
  /** @default 'auto' */
  backend?: BackendChoice;
  /** @default 'accuracy' */
  metricTag?: string;
  /** Output directory, local or `gs://BUCKET/FOLDER`; the environment's `AIP_*` locations win over it. @default 'hptune-output' */
  outputDir?: string;
  /** A bucket for the model, checkpoints and logs: `gs://BUCKET/hptune/<trial or run id>/...`; wins over `outputDir` but not `AIP_*`. */
  gcsBucket?: string;
  /** The trial contract's environment. @default process.env */
  env?: TrialEnvironment;
}

/** Names a setting in errors: `--batch-size` on the command line, `batchSize` in code. */
type FieldNamer = (key: keyof TrainerConfig) => string;

const propertyName: FieldNamer = (key) => key;
const flagName: FieldNamer = (key) => `--${FLAGS.find((spec) => spec.key === key)?.flag ?? key}`;

/**
 * Validates a typed configuration and fills in the defaults: what `train()` does with its input.
 *
 * @throws ValidationError naming the property, the value and the fix (exit code 2).
 */
export function resolveTrainerOptions(config: TrainerConfig = {}): TrainerOptions {
  return validate(config, propertyName);
}

function validate(config: TrainerConfig, name: FieldNamer): TrainerOptions {
  const env = config.env ?? process.env;
  const optimizer = oneOf(name('optimizer'), config.optimizer, OPTIMIZERS, TRAINER_DEFAULTS.optimizer);
  const metricTag = config.metricTag ?? TRAINER_DEFAULTS.metricTag;
  checkMetricTag(name('metricTag'), metricTag);
  const trainSize = optionalInteger(name('trainSize'), config.trainSize, 1, MNIST.trainCount, 'the images in the training set');
  const testSize = optionalInteger(name('testSize'), config.testSize, 1, MNIST.testCount, 'the images in the test set');
  return {
    activation: oneOf(name('activation'), config.activation, ACTIVATIONS, TRAINER_DEFAULTS.activation),
    optimizer,
    batchSize: optionalInteger(name('batchSize'), config.batchSize, 1, Number.MAX_SAFE_INTEGER, '') ?? TRAINER_DEFAULTS.batchSize,
    numEpochs: optionalInteger(name('numEpochs'), config.numEpochs, 1, Number.MAX_SAFE_INTEGER, '') ?? TRAINER_DEFAULTS.numEpochs,
    learningRate: positiveNumber(name('learningRate'), config.learningRate) ?? DEFAULT_LEARNING_RATES[optimizer],
    ...(trainSize === undefined ? {} : { trainSize }),
    ...(testSize === undefined ? {} : { testSize }),
    seed: optionalInteger(name('seed'), config.seed, 0, 0xffffffff, '2^32 - 1') ?? TRAINER_DEFAULTS.seed,
    backend: oneOf(name('backend'), config.backend, BACKEND_CHOICES, TRAINER_DEFAULTS.backend),
    metricTag,
    trialId: nonEmpty(env.CLOUD_ML_TRIAL_ID) ?? '0',
    paths: resolveTrialPaths({ outputDir: config.outputDir, ...(config.gcsBucket === undefined ? {} : { gcsBucket: config.gcsBucket }), env }),
    storage: readStorageSettings(env),
  };
}

/**
 * Parses the trainer's command line and environment into validated options.
 *
 * Flags are strict: an unknown flag, a stray argument or a bad value throws before anything
 * runs. Each flag may be spelled with hyphens or underscores (`--batch-size`, `--batch_size`)
 * and given as `--flag=value` or `--flag value`; the last one given wins.
 *
 * @throws ValidationError naming the flag, the value and the fix (exit code 2).
 */
export function parseTrainerOptions(argv: readonly string[], env: TrialEnvironment = process.env): TrainerInvocation {
  const values = readFlags(argv);
  if (values.help !== undefined) return { kind: 'help', text: trainerHelp() };
  const config: TrainerConfig = {
    activation: values.activation as Activation | undefined,
    optimizer: values.optimizer as OptimizerName | undefined,
    batchSize: integerFlag('--batch-size', values.batchSize, 1),
    numEpochs: integerFlag('--num-epochs', values.numEpochs, 1),
    learningRate: numberFlag('--learning-rate', values.learningRate),
    trainSize: integerFlag('--train-size', values.trainSize, 1),
    testSize: integerFlag('--test-size', values.testSize, 1),
    seed: integerFlag('--seed', values.seed, 0),
    backend: values.backend as BackendChoice | undefined,
    metricTag: values.metricTag,
    outputDir: values.outputDir,
    gcsBucket: values.gcsBucket,
    env,
  };
  return { kind: 'train', options: validate(config, flagName) };
}

/** The flags' values by option key (`batchSize`), the last spelling given winning. */
function readFlags(argv: readonly string[]): Record<string, string | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  const keyOf = new Map<string, string>([['help', 'help']]);
  for (const spec of FLAGS) {
    options[spec.flag] = { type: 'string' };
    keyOf.set(spec.flag, spec.key);
    const underscored = spec.flag.replaceAll('-', '_');
    if (underscored !== spec.flag) {
      options[underscored] = { type: 'string' };
      keyOf.set(underscored, spec.key);
    }
  }
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    throw argumentError(error);
  }
  const values: Record<string, string | undefined> = {};
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    values[keyOf.get(token.name) ?? token.name] = typeof token.value === 'string' ? token.value : 'true';
  }
  return values;
}

function argumentError(error: unknown): ValidationError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? message;
  const known = `known flags: ${FLAGS.map((spec) => `--${spec.flag}`).join(', ')}, --help`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new ValidationError({ field: 'flag', value: quoted, problem: 'is not a flag of the trainer', fix: known }, { cause: error });
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new ValidationError({ field: 'argument', value: quoted, problem: 'is not expected (every input is a --flag)', fix: known }, { cause: error });
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new ValidationError({ field: 'flag', value: quoted.split(' ')[0], problem: 'needs a value', fix: 'write --flag=value or --flag value' }, { cause: error });
    default:
      return new ValidationError({ field: 'arguments', value: message, problem: 'cannot be parsed', fix: known }, { cause: error });
  }
}

function oneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ValidationError({ field, value, problem: 'is not one of the valid values', fix: `use one of ${allowed.join(', ')}` });
}

/** A flag's text as a whole number; the range is checked by {@link validate}. */
function integerFlag(field: string, value: string | undefined, min: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  throw notAnInteger(field, value, min);
}

function numberFlag(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  if (Number.isFinite(parsed)) return parsed;
  throw new ValidationError({ field, value, problem: 'is not a positive number', fix: 'pass e.g. 0.001' });
}

function optionalInteger(field: string, value: number | undefined, min: 0 | 1, max: number, maxMeaning: string): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  if (Number.isSafeInteger(value) && value > max) {
    throw new ValidationError({ field, value, problem: `is larger than ${maxMeaning} (${max})`, fix: `pass at most ${max}` });
  }
  throw notAnInteger(field, value, min);
}

function notAnInteger(field: string, value: unknown, min: 0 | 1): ValidationError {
  const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
  const example = field.endsWith('seed') ? 42 : 64;
  return new ValidationError({ field, value, problem: `is not ${kind}`, fix: `pass a whole number${min > 0 ? ' of at least 1' : ''}, e.g. ${example}` });
}

function positiveNumber(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value > 0) return value;
  throw new ValidationError({ field, value, problem: 'is not a positive number', fix: 'pass e.g. 0.001' });
}

const RESERVED_TAGS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);

function checkMetricTag(field: string, tag: string): void {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(tag) && !RESERVED_TAGS.has(tag)) return;
  throw new ValidationError({
    field,
    value: tag,
    problem: 'is not a usable metric tag',
    fix: 'use letters, digits and underscores, starting with a letter, and none of global_step, timestamp, trial, checkpoint_path',
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
