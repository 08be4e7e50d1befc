import { parseArgs } from 'node:util';
import { ValidationError } from '@hptune/trial';
import { resolveTrialPaths, type TrialEnvironment, type TrialPaths } from './contract.js';
import { GCS_API_ENDPOINT_VARIABLE, readStorageSettings, SYNC_INTERVAL_VARIABLE, type StorageSettings } from './outputs/settings.js';
import {
  DEFAULT_LEARNING_RATES,
  deprecatedFlagNotice,
  LENET5_SETTINGS,
  SETTING_IDS,
  negatedSettingFlag,
  settingFlag,
  settingKey,
  type CamelCase,
  type OptimizerName,
  type Setting,
  type SettingId,
  type SettingValue,
  type SettingValues,
} from './settings.js';

type Declared = typeof LENET5_SETTINGS;

/** Settings that are off unless given (`train_size`: all images); a number with no default has one derived instead (the learning rate). */
type OffUnlessGiven = { [K in SettingId]: Declared[K]['default'] extends undefined ? (Declared[K]['kind'] extends 'double' ? never : K) : never }[SettingId];

/** Settings that only say where outputs go: resolved into {@link TrainerOptions.paths}. */
type OutputSettings = 'output_dir' | 'gcs_bucket';

/**
 * Everything one training run needs, validated and with defaults filled in: every setting of
 * `LENET5_SETTINGS` by its key (`batchSize`), those off unless given (`trainSize`) optional, and
 * where the outputs go.
 */
export type TrainerOptions = {
  readonly [K in Exclude<SettingId, OffUnlessGiven | OutputSettings> as CamelCase<K>]: SettingValue<Declared[K]>;
} & {
  readonly [K in Exclude<OffUnlessGiven, OutputSettings> as CamelCase<K>]?: SettingValue<Declared[K]>;
} & {
  /** The trial id written in metric reports (`CLOUD_ML_TRIAL_ID`). @default '0' */
  readonly trialId: string;
  /** Where the model, checkpoints, logs and metrics go. */
  readonly paths: TrialPaths;
  /** How Cloud Storage is reached, for `gs://` outputs. */
  readonly storage: StorageSettings;
};

/** What the command line asked for: help, or a training run. */
export type TrainerInvocation =
  | { readonly kind: 'help'; readonly text: string }
  | {
      readonly kind: 'train';
      readonly options: TrainerOptions;
      /** One line per old flag name given (`--backend`), naming the new one; print them as warnings. */
      readonly notices: readonly string[];
    };

/** The trainer's usage text: every flag with its default, and the environment it reads. */
export function trainerHelp(program = 'hptune-train'): string {
  const rows: [string, string][] = SETTING_IDS.map((id) => {
    const declared: Setting = LENET5_SETTINGS[id];
    if (declared.kind === 'switch') return [`${settingFlag(id)}, ${negatedSettingFlag(id)}`, `${declared.help} (default: ${declared.default ? settingFlag(id) : negatedSettingFlag(id)})`];
    return [`${settingFlag(id)} ${declared.valueName}`, `${declared.help} (default: ${declared.defaultText ?? String(declared.default)})`];
  });
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

/**
 * Input of {@link resolveTrainerOptions} and `train()`: every setting of `LENET5_SETTINGS`
 * optional, by its key (`batchSize`), and the environment. `outputDir` may be local or
 * `gs://BUCKET/FOLDER`; `gcsBucket` wins over it; the environment's `AIP_*` locations win over both.
 */
export type TrainerConfig = SettingValues & {
  /** The trial contract's environment. @default process.env */
  env?: TrialEnvironment;
};

/** Names a setting in errors: `--batch-size` on the command line, `batchSize` in code. */
type FieldNamer = (id: SettingId) => string;

const propertyName: FieldNamer = (id) => settingKey(id);
const flagName: FieldNamer = (id) => settingFlag(id);

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
  const resolved: Record<string, unknown> = {};
  for (const id of SETTING_IDS) {
    const value = checkSetting(id, LENET5_SETTINGS[id], config[settingKey(id) as keyof SettingValues], name(id));
    if (value !== undefined) resolved[settingKey(id)] = value;
  }
  // The one default that depends on another setting.
  resolved.learningRate ??= DEFAULT_LEARNING_RATES[resolved.optimizer as OptimizerName];
  checkMetricTag(name('metric_tag'), resolved.metricTag as string);
  // Where outputs go is resolved with the environment: `--output-dir` only as given (its default
  // places the model, not the metric file), and the `AIP_*` variables win over both flags.
  const { outputDir: _defaulted, gcsBucket, ...settings } = resolved;
  return {
    ...(settings as Omit<TrainerOptions, 'trialId' | 'paths' | 'storage'>),
    trialId: nonEmpty(env.CLOUD_ML_TRIAL_ID) ?? '0',
    paths: resolveTrialPaths({ outputDir: config.outputDir, ...(gcsBucket === undefined ? {} : { gcsBucket: gcsBucket as string }), env }),
    storage: readStorageSettings(env),
  };
}

/** One setting's value checked against its declaration, or its default; `undefined` when it has none. */
function checkSetting(id: SettingId, declared: Setting, value: unknown, field: string): unknown {
  switch (declared.kind) {
    case 'categorical':
      return oneOf(field, value as string | undefined, declared.values, declared.default);
    case 'integer':
      return optionalInteger(field, value as number | undefined, declared.min, declared.max, declared.maxText ?? '') ?? declared.default;
    case 'double':
      return boundedNumber(field, value as number | undefined, declared) ?? declared.default;
    case 'text':
      if (value !== undefined && typeof value !== 'string') throw new ValidationError({ field, value, problem: 'is not text', fix: `pass ${id === 'metric_tag' ? 'e.g. accuracy' : 'a string'}` });
      return value ?? declared.default;
    case 'switch':
      if (value !== undefined && typeof value !== 'boolean') throw new ValidationError({ field, value, problem: 'is not true or false', fix: `pass ${String(declared.default)} or ${String(!declared.default)}` });
      return value ?? declared.default;
  }
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
  const { values, notices } = readFlags(argv);
  if (values.help !== undefined) return { kind: 'help', text: trainerHelp() };
  const config: Record<string, unknown> = { env };
  for (const id of SETTING_IDS) {
    const text = values[id];
    if (text === undefined) continue;
    const declared: Setting = LENET5_SETTINGS[id];
    config[settingKey(id)] =
      declared.kind === 'integer' ? integerFlag(settingFlag(id), text, declared.min) : declared.kind === 'double' ? numberFlag(settingFlag(id), text) : declared.kind === 'switch' ? text === 'true' : text;
  }
  return { kind: 'train', options: validate(config as TrainerConfig, flagName), notices };
}

/** The flags' values by setting id (`batch_size`), the last spelling given winning (a switch's is `'true'` or `'false'`), and a notice per old name used. */
function readFlags(argv: readonly string[]): { values: Record<string, string | undefined>; notices: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  const keyOf = new Map<string, string>([['help', 'help']]);
  const oldNames = new Map<string, string>();
  /** The spellings that turn a switch off (`no-resume`, `no_resume`). */
  const negated = new Set<string>();
  for (const id of SETTING_IDS) {
    const isSwitch = (LENET5_SETTINGS[id] as Setting).kind === 'switch';
    // Each spelling of each name: `--batch-size` and `--batch_size`, and any older name it had.
    for (const name of [id, ...((LENET5_SETTINGS[id] as Setting).aliases ?? [])]) {
      for (const spelling of new Set([name.replaceAll('_', '-'), name])) {
        options[spelling] = { type: isSwitch ? 'boolean' : 'string' };
        keyOf.set(spelling, id);
        if (name !== id) oldNames.set(spelling, deprecatedFlagNotice(name, id));
        if (!isSwitch) continue;
        for (const off of new Set([`no-${spelling}`, `no_${spelling}`])) {
          options[off] = { type: 'boolean' };
          keyOf.set(off, id);
          negated.add(off);
        }
      }
    }
  }
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    throw argumentError(error);
  }
  const values: Record<string, string | undefined> = {};
  const notices = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    values[keyOf.get(token.name) ?? token.name] = typeof token.value === 'string' ? token.value : negated.has(token.name) ? 'false' : 'true';
    const notice = oldNames.get(token.name);
    if (notice !== undefined) notices.add(notice);
  }
  return { values, notices: [...notices] };
}

function argumentError(error: unknown): ValidationError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? message;
  const known = `known flags: ${SETTING_IDS.map(settingFlag).join(', ')}, --help`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new ValidationError({ field: 'flag', value: quoted, problem: 'is not a flag of the trainer', fix: known }, { cause: error });
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new ValidationError({ field: 'argument', value: quoted, problem: 'is not expected (every input is a --flag)', fix: known }, { cause: error });
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) {
        return new ValidationError({ field: 'flag', value: quoted.split(' ')[0], problem: 'takes no value', fix: 'write it alone, e.g. --resume or --no-resume' }, { cause: error });
      }
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
function integerFlag(field: string, value: string | undefined, min: number): number | undefined {
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

function optionalInteger(field: string, value: number | undefined, min: number, max: number, maxMeaning: string): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  if (Number.isSafeInteger(value) && value > max) {
    throw new ValidationError({ field, value, problem: `is larger than ${maxMeaning} (${max})`, fix: `pass at most ${max}` });
  }
  throw notAnInteger(field, value, min);
}

function notAnInteger(field: string, value: unknown, min: number): ValidationError {
  const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
  const example = field.endsWith('seed') ? 42 : 64;
  return new ValidationError({ field, value, problem: `is not ${kind}`, fix: `pass a whole number${min > 0 ? ' of at least 1' : ''}, e.g. ${example}` });
}

/** A number within a double setting's bounds: above `min` (or at it, when `minInclusive`), at most `max`. */
function boundedNumber(field: string, value: number | undefined, declared: { readonly min: number; readonly minInclusive: boolean; readonly max?: number }): number | undefined {
  if (value === undefined) return undefined;
  const aboveMin = declared.minInclusive ? value >= declared.min : value > declared.min;
  if (Number.isFinite(value) && aboveMin && (declared.max === undefined || value <= declared.max)) return value;
  if (declared.min === 0 && !declared.minInclusive && declared.max === undefined) {
    throw new ValidationError({ field, value, problem: 'is not a positive number', fix: 'pass e.g. 0.001' });
  }
  const range = `${declared.minInclusive ? 'at least' : 'above'} ${declared.min}${declared.max === undefined ? '' : ` and at most ${declared.max}`}`;
  throw new ValidationError({ field, value, problem: `is not a number ${range}`, fix: `pass a number ${range}` });
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
