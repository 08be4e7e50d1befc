import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { directoryProblem, makeDirectory } from '@hptune/trial';
import { ValidationError } from '../../errors.js';
import type { TrainerCommand } from '../../study/types.js';

/** The folder studies live in when no `studyDir` is given, relative to the working directory. */
export const DEFAULT_STUDY_DIR = './hptune';

/** The SQLite file, inside the study directory, that stores every study there. */
export const STUDY_STORE_FILE = 'hptune.db';

function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, value, problem, fix });
}

/** The study directory, absolute; checked to be a directory when it exists. */
export function resolveStudyDir(studyDir: unknown): string {
  if (typeof studyDir !== 'string' || studyDir === '') fail('studyDir', studyDir, 'is not a path', 'give a folder such as "./hptune"');
  const absolute = resolve(studyDir);
  if (existsSync(absolute) && !statSync(absolute).isDirectory()) fail('studyDir', studyDir, 'is a file, not a folder', 'give a folder on a disk that you can write to, such as "./hptune"');
  return absolute;
}

/**
 * The study directory, absolute, created when missing: refused up front (exit code 2) when it is
 * a file, lies under a file, is on a virtual filesystem such as `/proc` or `/sys`, or cannot be
 * written, so a study never starts where its store or trials cannot be written.
 * @throws ValidationError (`studyDir`) naming the folder and the fix.
 */
export function prepareStudyDir(studyDir: unknown): string {
  const absolute = resolveStudyDir(studyDir);
  const found = directoryProblem(absolute);
  if (found) fail('studyDir', studyDir, found.problem, found.fix);
  try {
    makeDirectory(absolute);
  } catch (error) {
    fail('studyDir', studyDir, `cannot be created (${(error as Error).message})`, 'give a folder on a disk that you can write to, such as "./hptune"');
  }
  return absolute;
}

/** The store file in a study directory. */
export function storeFileIn(studyDir: string): string {
  return join(studyDir, STUDY_STORE_FILE);
}

/** Whether a folder exists and holds anything. */
export function isNonEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** Checks a trainer command; returns it with the command resolved to an absolute path when it is a path. */
export function validateTrainer(trainer: unknown): TrainerCommand {
  if (typeof trainer !== 'object' || trainer === null) fail('trainer', trainer, 'is not a trainer command', 'pass lenet5Trainer({...}) or { command, args }');
  const { command, args, env, cwd, reusable } = trainer as Record<string, unknown>;
  if (typeof command !== 'string' || command === '') fail('trainer.command', command, 'is not a program', 'give the executable, e.g. process.execPath or "python3"');
  // The operating system takes no NUL inside a program name, an argument or the environment.
  const noNul = (field: string, text: string) => {
    if (text.includes('\0')) fail(field, text, 'holds a NUL character, which no program can be given', 'remove the \\0');
  };
  noNul('trainer.command', command);
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    fail('trainer.args', args, 'is not a list of strings', 'give the arguments as an array, e.g. ["train.js", "--num-epochs=1"]');
  }
  args.forEach((arg: string, index) => noNul(`trainer.args[${index}]`, arg));
  if (env !== undefined && (typeof env !== 'object' || env === null)) fail('trainer.env', env, 'is not a record of string values', 'give environment variables as { NAME: "value" }');
  for (const [name, value] of Object.entries((env ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') fail(`trainer.env.${name}`, value, 'is not a string', 'give each environment variable a string value, e.g. { NAME: "value" }');
    if (name === '' || name.includes('=')) fail('trainer.env', name, 'is not an environment variable name', 'use names such as "DATA_DIR", without "="');
    noNul(`trainer.env.${name}`, value);
    noNul('trainer.env', name);
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || !existsSync(cwd) || !statSync(cwd).isDirectory())) {
    fail('trainer.cwd', cwd, 'is not an existing folder', "give an existing folder, or leave it unset for the trial's folder");
  }
  if (reusable !== undefined && typeof reusable !== 'boolean') {
    fail('trainer.reusable', reusable, 'is not true or false', 'give true when the program serves trials one after another (serveTrials), or leave it unset');
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
    ...(reusable === true ? { reusable } : {}),
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

/** How often a running trial's metric file is read, in milliseconds. */
export const DEFAULT_METRIC_POLL_INTERVAL_MS = 500;

/** Seconds between SIGTERM and SIGKILL when a trial is stopped (timeout, cancel, too many failures). */
export const DEFAULT_STOP_GRACE_PERIOD_SECONDS = 10;

/** Settings of the local backend: trials as child processes on this machine. */
export interface LocalBackendOptions {
  /** How often a running trial's metric file is read, in milliseconds. @default {@link DEFAULT_METRIC_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
  /** Seconds a stopped trial gets between SIGTERM and SIGKILL; also what processes a trainer left behind get once it exited. @default {@link DEFAULT_STOP_GRACE_PERIOD_SECONDS} */
  readonly stopGracePeriodSeconds?: number;
  /**
   * Whether a reusable trainer (`TrainerCommand.reusable`, as `lenet5Trainer()` is) runs the
   * study's trials in one process per parallel slot, trial after trial, instead of a process per
   * trial: the start-up and warm-up a trial process pays are paid once per slot (Ray Tune's
   * `reuse_actors`). A trainer that is not reusable always gets a process per trial. @default true
   */
  readonly reuseTrainerProcesses?: boolean;
}

/** The local backend's settings with defaults filled in, after checking them. */
export function resolveLocalSettings(backend: LocalBackendOptions): Required<LocalBackendOptions> {
  const pollIntervalMs = backend.pollIntervalMs ?? DEFAULT_METRIC_POLL_INTERVAL_MS;
  if (typeof pollIntervalMs !== 'number' || !Number.isFinite(pollIntervalMs) || pollIntervalMs < 10) {
    throw new ValidationError({ field: 'backend.pollIntervalMs', value: backend.pollIntervalMs, problem: 'is not a number of milliseconds of at least 10', fix: `leave it unset for ${DEFAULT_METRIC_POLL_INTERVAL_MS}` });
  }
  const stopGracePeriodSeconds = backend.stopGracePeriodSeconds ?? DEFAULT_STOP_GRACE_PERIOD_SECONDS;
  if (typeof stopGracePeriodSeconds !== 'number' || !Number.isFinite(stopGracePeriodSeconds) || stopGracePeriodSeconds < 0) {
    throw new ValidationError({
      field: 'backend.stopGracePeriodSeconds',
      value: backend.stopGracePeriodSeconds,
      problem: 'is not a non-negative number of seconds',
      fix: `leave it unset for ${DEFAULT_STOP_GRACE_PERIOD_SECONDS}`,
    });
  }
  const reuseTrainerProcesses = backend.reuseTrainerProcesses ?? true;
  if (typeof reuseTrainerProcesses !== 'boolean') {
    throw new ValidationError({ field: 'backend.reuseTrainerProcesses', value: backend.reuseTrainerProcesses, problem: 'is not true or false', fix: 'give true (the default) or false' });
  }
  return { pollIntervalMs, stopGracePeriodSeconds, reuseTrainerProcesses };
}
