import { dirname, resolve } from 'node:path';
import {
  searchSpaceToJSON,
  searchSpaceFromJSON,
  ValidationError,
  type MetricSpec,
  type SearchSpace,
  type SearchSpaceJSON,
  type StudyDefinition,
  type TrainerCommand,
} from '@hptune/core';
import { EARLY_STOPPING_CHOICES as EARLY_STOPPING_RULES } from './commands/flags.js';
import { STUDY_RUN_FLAGS, markWorded } from './flag-names.js';
import { readJsonFile, spaceFromJson } from './json-file.js';

/** An early-stopping rule's name. */
export type EarlyStoppingRule = (typeof EARLY_STOPPING_RULES)[number];

/** A study file's `earlyStopping`: a rule's name (its default settings), or `{ "kind": name, ...settings }` as a study stores it. */
export type EarlyStoppingSetting = EarlyStoppingRule | { readonly kind: EarlyStoppingRule; readonly [setting: string]: unknown };

/** Where editors find the study file's JSON Schema when `@hptune/cli` is installed in the project. */
const STUDY_FILE_SCHEMA = './node_modules/@hptune/cli/schema/study.schema.json';

/**
 * A study file (`hptune study run --config study.json`), read and checked: every field optional,
 * so flags can supply or override any of them. Paths in it are relative to the file's folder.
 */
export interface StudyFile {
  /** The file as the user named it, for messages. */
  readonly file: string;
  readonly name?: string;
  readonly space?: SearchSpace;
  readonly metric?: MetricSpec;
  readonly algorithm?: string;
  readonly maxTrials?: number;
  readonly parallelTrials?: number;
  readonly maxFailedTrials?: number;
  readonly trialTimeoutSeconds?: number;
  readonly seed?: number;
  readonly earlyStopping?: EarlyStoppingSetting;
  /** The program each trial runs; its `cwd` is absolute (the file's folder when the file gives none). */
  readonly trainer?: TrainerCommand;
}

/** A study file as JSON: what `hptune study show <name> --config` prints and `--config` reads. */
export interface StudyFileJSON {
  $schema?: string;
  name: string;
  space: SearchSpaceJSON;
  metric: MetricSpec;
  algorithm: string;
  maxTrials: number;
  parallelTrials: number;
  maxFailedTrials?: number;
  trialTimeoutSeconds?: number;
  seed: number;
  earlyStopping?: EarlyStoppingSetting;
  trainer?: { command: string; args: string[]; env?: Record<string, string>; cwd?: string };
}

const FIELDS = ['$schema', 'name', 'space', 'metric', 'algorithm', 'maxTrials', 'parallelTrials', 'maxFailedTrials', 'trialTimeoutSeconds', 'seed', 'earlyStopping', 'trainer'] as const;
const TRAINER_FIELDS = ['command', 'args', 'env', 'cwd'] as const;
const METRIC_FIELDS = ['id', 'goal'] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** Checks one study file's fields; each failure names the file and the JSON path. */
class StudyFileChecker {
  constructor(readonly file: string) {}

  fail(path: string, value: unknown, problem: string, fix: string): never {
    throw new ValidationError({ field: `${this.file}: ${path}`, value, problem, fix });
  }

  onlyFields(object: Json, fields: readonly string[], path: string): void {
    const extra = Object.keys(object).find((key) => !fields.includes(key));
    if (extra !== undefined) {
      const where = path === '' ? extra : `${path}.${extra}`;
      const meant = path === '' ? fieldOfFlag(extra) : undefined;
      const fix = meant !== undefined ? `the study file's field for it is "${meant}", e.g. "${meant}": ${JSON.stringify(object[extra]) ?? 1}` : `use only ${fields.filter((field) => field !== '$schema').join(', ')} (see the JSON Schema ${STUDY_FILE_SCHEMA})`;
      this.fail(where, object[extra], `is not a field of ${path === '' ? 'a study file' : path}`, fix);
    }
  }

  string(object: Json, key: string, path = key): string | undefined {
    const value = object[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) this.fail(path, value, 'is not a non-empty string', `give ${key} as a string`);
    return value as string | undefined;
  }

  count(object: Json, key: string, min: number, example: number): number | undefined {
    const value = object[key];
    if (value !== undefined && !isCount(value, min)) this.fail(key, value, `is not a whole number of at least ${min}`, `give e.g. "${key}": ${example}, or leave it out`);
    return value as number | undefined;
  }
}

/**
 * Reads a study file: JSON whose fields mirror `launchStudy`'s options (see the JSON Schema in
 * `@hptune/cli/schema/study.schema.json`). `space` is the space itself or the path of a space
 * file; `trainer.cwd` and a space path are relative to the study file's folder, and `trainer.cwd`
 * defaults to that folder, so a study file runs the same from wherever hptune is started.
 * @throws ValidationError naming the file, the JSON path of the bad field (e.g. `study.json: trainer.args[1]`) and the fix.
 */
export function readStudyFile(path: string): StudyFile {
  try {
    return readStudyFileFields(path);
  } catch (error) {
    // Worded for the file (its JSON paths and fields), not for the command's flags.
    throw error instanceof ValidationError ? markWorded(error) : error;
  }
}

function readStudyFileFields(path: string): StudyFile {
  const data = readJsonFile(path, '--config', 'pass a study file (JSON), e.g. one `hptune study show <name> --config` printed');
  const check: StudyFileChecker = new StudyFileChecker(path);
  if (!isObject(data)) check.fail('(top level)', data, 'is not a JSON object', 'write the study as { "name": ..., "space": ..., "metric": ..., ... }');
  check.onlyFields(data, FIELDS, '');
  const folder = dirname(resolve(path));
  check.string(data, '$schema');
  const algorithm = check.string(data, 'algorithm');
  const name = check.string(data, 'name');
  const seed = data.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) check.fail('seed', seed, 'is not a whole number', 'give e.g. "seed": 42, or leave it out for a random one');
  const trialTimeoutSeconds = data.trialTimeoutSeconds;
  if (trialTimeoutSeconds !== undefined && (typeof trialTimeoutSeconds !== 'number' || !(trialTimeoutSeconds > 0))) {
    check.fail('trialTimeoutSeconds', trialTimeoutSeconds, 'is not a positive number of seconds', 'give e.g. "trialTimeoutSeconds": 3600, or leave it out for no limit');
  }
  const file: StudyFile = {
    file: path,
    ...defined('name', name),
    ...defined('space', readSpace(check, data.space, folder)),
    ...defined('metric', readMetric(check, data.metric)),
    ...defined('algorithm', algorithm),
    ...defined('maxTrials', check.count(data, 'maxTrials', 1, 20)),
    ...defined('parallelTrials', check.count(data, 'parallelTrials', 1, 2)),
    ...defined('maxFailedTrials', check.count(data, 'maxFailedTrials', 1, 3)),
    ...defined('trialTimeoutSeconds', trialTimeoutSeconds as number | undefined),
    ...defined('seed', seed as number | undefined),
    ...defined('earlyStopping', readEarlyStopping(check, data.earlyStopping)),
    ...defined('trainer', readTrainer(check, data.trainer, folder)),
  };
  return file;
}

/** The study-file field a command-line flag sets, given as the flag (`--max-trial-count`) or its camelCase (`maxTrialCount`). */
function fieldOfFlag(key: string): string | undefined {
  const spelled = key.replace(/^-+/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  for (const [field, flag] of Object.entries(STUDY_RUN_FLAGS)) {
    const flagSpelled = flag.replace(/^-+/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if ((key === flag || spelled === flagSpelled) && (FIELDS as readonly string[]).includes(field)) return field;
  }
  return undefined;
}

/** A JSON string to suggest for a value that should have been one: `3` gives `"3"`; an object or a list, `"value"`. */
function stringExample(value: unknown): string {
  return JSON.stringify(typeof value === 'number' || typeof value === 'boolean' || value === null ? String(value) : 'value');
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readSpace(check: StudyFileChecker, space: unknown, folder: string): SearchSpace | undefined {
  if (space === undefined) return undefined;
  if (typeof space === 'string') {
    const spacePath = resolve(folder, space);
    const data = readJsonFile(spacePath, `${check.file}: space`, 'give the path of a search space JSON file, relative to the study file, or the space itself');
    return spaceFromJson(data, spacePath);
  }
  if (!isObject(space)) check.fail('space', space, 'is neither a search space nor the path of one', 'give { "version": 1, "parameters": { ... } } or "space.json"');
  return spaceFromJson(space, check.file, 'space');
}

function readMetric(check: StudyFileChecker, metric: unknown): MetricSpec | undefined {
  if (metric === undefined) return undefined;
  if (!isObject(metric)) check.fail('metric', metric, 'is not a metric spec', 'give { "id": "accuracy", "goal": "maximize" }');
  check.onlyFields(metric, METRIC_FIELDS, 'metric');
  const id = check.string(metric, 'id', 'metric.id');
  if (id === undefined) check.fail('metric.id', id, 'is required', 'give the tag the trainer reports, e.g. "id": "accuracy"');
  const goal = metric.goal ?? 'maximize';
  if (goal !== 'maximize' && goal !== 'minimize') check.fail('metric.goal', goal, 'is not a goal', 'give "maximize" or "minimize"');
  return { id, goal };
}

function readEarlyStopping(check: StudyFileChecker, setting: unknown): EarlyStoppingSetting | undefined {
  if (setting === undefined) return undefined;
  const names = EARLY_STOPPING_RULES.map((name) => `"${name}"`).join(', ');
  if (isObject(setting)) {
    if (!(EARLY_STOPPING_RULES as readonly unknown[]).includes(setting.kind)) check.fail('earlyStopping.kind', setting.kind, 'is not an early-stopping rule', `give one of ${names}`);
    return { ...setting } as EarlyStoppingSetting;
  }
  if (!(EARLY_STOPPING_RULES as readonly unknown[]).includes(setting)) {
    check.fail('earlyStopping', setting, 'is not an early-stopping rule', `give one of ${names}, or { "kind": ..., settings }`);
  }
  return setting as EarlyStoppingRule;
}

function readTrainer(check: StudyFileChecker, trainer: unknown, folder: string): TrainerCommand | undefined {
  if (trainer === undefined) return undefined;
  if (!isObject(trainer)) check.fail('trainer', trainer, 'is not a trainer command', 'give { "command": "python3", "args": ["task.py"] }');
  check.onlyFields(trainer, TRAINER_FIELDS, 'trainer');
  const command = check.string(trainer, 'command', 'trainer.command');
  if (command === undefined) check.fail('trainer.command', command, 'is required', 'give the program each trial runs, e.g. "command": "python3"');
  const args = trainer.args ?? [];
  if (!Array.isArray(args)) check.fail('trainer.args', args, 'is not a list', 'give the arguments as a list of strings, e.g. ["task.py", "--epochs=3"]');
  args.forEach((arg: unknown, index) => {
    if (typeof arg !== 'string') check.fail(`trainer.args[${index}]`, arg, 'is not a string', `write it as a string, e.g. ${stringExample(arg)}`);
  });
  const env = trainer.env;
  if (env !== undefined) {
    if (!isObject(env)) check.fail('trainer.env', env, 'is not an object', 'give environment variables as { "NAME": "value" }');
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== 'string') check.fail(`trainer.env.${key}`, value, 'is not a string', `write it as a string, e.g. ${stringExample(value)}`);
    }
  }
  const cwd = check.string(trainer, 'cwd', 'trainer.cwd');
  return {
    command,
    args: args as string[],
    ...(env === undefined ? {} : { env: env as Record<string, string> }),
    cwd: cwd === undefined ? folder : resolve(folder, cwd),
  };
}

/**
 * The study file of a stored study: everything `hptune study run --config` needs to run it again
 * (give it a new `--name`). The space is written inline and the trainer's folder absolute.
 */
export function studyFileOf(definition: StudyDefinition & { readonly earlyStopping?: unknown }): StudyFileJSON {
  const { trainer } = definition;
  return {
    $schema: STUDY_FILE_SCHEMA,
    name: definition.name,
    // Read and written again so the printed space is in today's format, whatever stored it.
    space: searchSpaceToJSON(searchSpaceFromJSON(definition.space)),
    metric: definition.metric,
    algorithm: definition.algorithm,
    maxTrials: definition.maxTrials,
    parallelTrials: definition.parallelTrials,
    ...(definition.maxFailedTrials === undefined ? {} : { maxFailedTrials: definition.maxFailedTrials }),
    ...(definition.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: definition.trialTimeoutSeconds }),
    seed: definition.seed,
    ...earlyStoppingOf(definition.earlyStopping),
    ...(trainer
      ? {
          trainer: {
            command: trainer.command,
            args: [...trainer.args],
            ...(trainer.env ? { env: { ...trainer.env } } : {}),
            ...(trainer.cwd ? { cwd: trainer.cwd } : {}),
          },
        }
      : {}),
  };
}

/** A stored early-stopping rule as the study file writes it: its name, or its stored settings with their `kind`. */
function earlyStoppingOf(stored: unknown): { earlyStopping?: EarlyStoppingSetting } {
  if (typeof stored === 'string' && (EARLY_STOPPING_RULES as readonly string[]).includes(stored)) return { earlyStopping: stored as EarlyStoppingRule };
  if (isObject(stored) && (EARLY_STOPPING_RULES as readonly unknown[]).includes(stored.kind)) return { earlyStopping: { ...stored } as EarlyStoppingSetting };
  return {};
}
