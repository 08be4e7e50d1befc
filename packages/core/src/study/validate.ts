import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { randomInt } from 'node:crypto';
import { resolveLocalBackend, type LocalBackendOptions } from '../backends/local/backend.js';
import { ValidationError } from '../errors.js';
import { gridSize } from '../space/grid.js';
import { searchSpaceToJSON } from '../space/json.js';
import type { SearchSpace } from '../space/types.js';
import { METRIC_ID_PATTERN, validateSearchSpace } from '../space/validate.js';
import { DEFAULT_STUDY_DIR, STUDY_STORE_FILE, type LaunchStudyOptions, type ResumeStudyOptions, type StudyBackend } from './options.js';
import type { StudyDefinition, TrainerCommand } from './types.js';

/** What a study name may be: it names a folder, so letters, digits, `_` and `-`, at most 128. */
export const STUDY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Tags the metric file reserves for itself: never a metric id. */
const RESERVED_METRIC_IDS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);

/** A launch, checked and with defaults filled in. */
export interface ValidatedLaunch {
  readonly definition: StudyDefinition;
  readonly space: SearchSpace;
  /** The study directory, absolute. */
  readonly studyDir: string;
  readonly backend: Required<LocalBackendOptions>;
}

function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, value, problem, fix });
}

const isCount = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** Checks a study name. */
export function validateStudyName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STUDY_NAME_PATTERN.test(name)) {
    fail('name', name, 'is not a usable study name', 'use 1 to 128 letters, digits, _ and -, starting with a letter or digit, e.g. "lenet5-grid"');
  }
}

/** The study directory, absolute; checked to be a directory when it exists. */
export function resolveStudyDir(studyDir: unknown): string {
  if (typeof studyDir !== 'string' || studyDir === '') fail('studyDir', studyDir, 'is not a path', 'give a folder such as "./hptune"');
  const absolute = resolve(studyDir);
  if (existsSync(absolute) && !statSync(absolute).isDirectory()) fail('studyDir', studyDir, 'exists and is not a folder', 'give a folder path');
  return absolute;
}

/** The store file in a study directory. */
export function storeFileIn(studyDir: string): string {
  return join(studyDir, STUDY_STORE_FILE);
}

/** Checks the run settings a launch and a resume share (`maxFailedTrials` 0: no limit). */
export function validateRunSettings(options: {
  readonly parallelTrials?: unknown;
  readonly maxFailedTrials?: unknown;
  readonly trialTimeoutSeconds?: unknown;
  readonly backend?: unknown;
  readonly signal?: unknown;
}): { parallelTrials?: number; maxFailedTrials?: number; trialTimeoutSeconds?: number; backend: Required<LocalBackendOptions> } {
  const { parallelTrials, maxFailedTrials, trialTimeoutSeconds } = options;
  if (parallelTrials !== undefined && !isCount(parallelTrials, 1)) {
    fail('parallelTrials', parallelTrials, 'is not a whole number of at least 1', `run at most ${availableParallelism()} at once on this machine, or leave it unset`);
  }
  if (maxFailedTrials !== undefined && !isCount(maxFailedTrials, 0)) {
    fail('maxFailedTrials', maxFailedTrials, 'is not a whole number of at least 0', 'give how many failed trials stop the study, or 0 for no limit');
  }
  if (trialTimeoutSeconds !== undefined && (typeof trialTimeoutSeconds !== 'number' || !Number.isFinite(trialTimeoutSeconds) || trialTimeoutSeconds <= 0)) {
    fail('trialTimeoutSeconds', trialTimeoutSeconds, 'is not a positive number of seconds', 'give the longest a trial may run, e.g. 3600, or leave it unset');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    fail('signal', options.signal, 'is not an AbortSignal', 'pass an AbortController\'s signal');
  }
  return {
    ...(parallelTrials === undefined ? {} : { parallelTrials }),
    ...(maxFailedTrials === undefined ? {} : { maxFailedTrials }),
    ...(trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds }),
    backend: validateBackend(options.backend),
  };
}

function validateBackend(backend: unknown): Required<LocalBackendOptions> {
  if (backend === undefined) return resolveLocalBackend({ kind: 'local' });
  if (typeof backend !== 'object' || backend === null) fail('backend', backend, 'is not a backend', 'pass local() or leave it unset');
  const kind = (backend as { kind?: unknown }).kind;
  if (kind !== 'local') fail('backend.kind', kind, 'is not a backend this hptune runs', 'use local()');
  return resolveLocalBackend(backend as StudyBackend);
}

/** Checks every option of `launchStudy` before anything runs, and fills in the defaults. */
export function validateLaunch(options: LaunchStudyOptions): ValidatedLaunch {
  if (typeof options !== 'object' || options === null) fail('options', options, 'is not an options object', 'pass { name, space, metric, algorithm, trainer, ... }');
  validateStudyName(options.name);
  const { algorithm } = options;
  if (algorithm !== 'grid' && algorithm !== 'random') fail('algorithm', algorithm, 'is not a search algorithm hptune runs locally', 'use "grid" or "random"');
  validateSearchSpace(options.space, { algorithm });
  const metric = options.metric as unknown;
  if (typeof metric !== 'object' || metric === null) fail('metric', metric, 'is not a metric spec', 'pass { id: "accuracy", goal: "maximize" }');
  const { id, goal } = metric as { id?: unknown; goal?: unknown };
  if (typeof id !== 'string' || !METRIC_ID_PATTERN.test(id) || RESERVED_METRIC_IDS.has(id)) {
    fail('metric.id', id, 'is not a metric id the trainer can report', 'use the tag the trainer reports, e.g. "accuracy" (not global_step, timestamp, trial or checkpoint_path)');
  }
  if (goal !== 'maximize' && goal !== 'minimize') fail('metric.goal', goal, 'is not a goal', 'use "maximize" or "minimize"');

  let maxTrials = options.maxTrials;
  if (algorithm === 'grid') {
    const size = gridSize(options.space);
    if (maxTrials === undefined) maxTrials = size;
    else if (!isCount(maxTrials, 1)) fail('maxTrials', maxTrials, 'is not a whole number of at least 1', `give at most the grid size, ${size}, or leave it unset`);
    else if (maxTrials > size) fail('maxTrials', maxTrials, `is above the grid size (${size} combinations)`, `give at most ${size}, or leave it unset to run the whole grid`);
  } else if (!isCount(maxTrials, 1)) {
    fail('maxTrials', maxTrials, 'is not a whole number of at least 1', 'random search needs a trial count, e.g. 20');
  }

  const settings = validateRunSettings(options);
  const seed = options.seed ?? randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed)) fail('seed', options.seed, 'is not a whole number', 'give an integer seed such as 42, or leave it unset');
  const trainer = validateTrainer(options.trainer);
  const studyDir = resolveStudyDir(options.studyDir ?? DEFAULT_STUDY_DIR);

  const definition: StudyDefinition = {
    name: options.name,
    space: searchSpaceToJSON(options.space),
    metric: { id, goal },
    algorithm,
    maxTrials: maxTrials as number,
    parallelTrials: settings.parallelTrials ?? availableParallelism(),
    ...(settings.maxFailedTrials ? { maxFailedTrials: settings.maxFailedTrials } : {}),
    ...(settings.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: settings.trialTimeoutSeconds }),
    seed,
    trainer,
    backend: 'local',
  };
  return { definition, space: options.space, studyDir, backend: settings.backend };
}

/** Checks a trainer command; returns it with the command resolved to an absolute path when it is a path. */
export function validateTrainer(trainer: unknown): TrainerCommand {
  if (typeof trainer !== 'object' || trainer === null) fail('trainer', trainer, 'is not a trainer command', 'pass lenet5Trainer({...}) or { command, args }');
  const { command, args, env, cwd } = trainer as Record<string, unknown>;
  if (typeof command !== 'string' || command === '') fail('trainer.command', command, 'is not a program', 'give the executable, e.g. process.execPath or "python3"');
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    fail('trainer.args', args, 'is not a list of strings', 'give the arguments as an array, e.g. ["train.js", "--num-epochs=1"]');
  }
  if (env !== undefined && (typeof env !== 'object' || env === null || !Object.values(env).every((value) => typeof value === 'string'))) {
    fail('trainer.env', env, 'is not a record of string values', 'give environment variables as { NAME: "value" }');
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || !existsSync(cwd) || !statSync(cwd).isDirectory())) {
    fail('trainer.cwd', cwd, 'is not an existing folder', 'give an existing folder, or leave it unset for the trial\'s folder');
  }
  const base = typeof cwd === 'string' ? resolve(cwd) : process.cwd();
  let resolved = command;
  if (command.includes('/') || command.includes('\\')) {
    resolved = isAbsolute(command) ? command : resolve(base, command);
    if (!isExecutableFile(resolved)) fail('trainer.command', command, `is not an executable file (looked at ${resolved})`, 'give the path of a program you can run');
  } else if (!findOnPath(command)) {
    fail('trainer.command', command, 'was not found on PATH', 'install it, or give its full path');
  }
  return {
    command: resolved,
    args: [...(args as string[])],
    ...(env === undefined ? {} : { env: { ...(env as Record<string, string>) } }),
    ...(typeof cwd === 'string' ? { cwd: resolve(cwd) } : {}),
  };
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutableFile(join(dir, command)));
}

/** Checks `resumeStudy`'s options. */
export function validateResume(name: unknown, options: ResumeStudyOptions): { studyDir: string; settings: ReturnType<typeof validateRunSettings> } {
  validateStudyName(name);
  const settings = validateRunSettings(options);
  return { studyDir: resolveStudyDir(options.studyDir ?? DEFAULT_STUDY_DIR), settings };
}

/** Whether a folder exists and holds anything. */
export function isNonEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
