import { cpSync } from 'node:fs';
import { formatTrialArguments, trialPaths, trialVariables, type TrialPaths } from '@hptune/trial';
import type { TrialParameters } from '../../space/types.js';
import type { TrainerCommand } from '../../study/types.js';
import { isNonEmptyDir } from './settings.js';

export { trialPaths, type TrialPaths };

/**
 * Gives a retried trial the checkpoints of the trial it retries: copies
 * `<study>/<retryOf>/checkpoints` into the retry's own checkpoint folder (its `AIP_CHECKPOINT_DIR`)
 * before the retry starts, so a trainer that resumes from its checkpoint folder (as `hptune-train`
 * does, and as a Vertex AI trial restarted after a preemption would) goes on from where the
 * interrupted trial stopped, not from epoch 0. A copy rather than a shared folder keeps each trial's
 * folder whole, and a retry of a retry inherits the furthest checkpoint. Does nothing when the
 * retry's folder already holds files or the retried trial left none, and never throws: a retry
 * whose checkpoints cannot be copied still runs, from the start.
 */
export function inheritCheckpoints(studyFolder: string, trial: { readonly id: string; readonly retryOf?: string }): void {
  if (trial.retryOf === undefined) return;
  const from = trialPaths(studyFolder, trial.retryOf).checkpointDir;
  const to = trialPaths(studyFolder, trial.id).checkpointDir;
  try {
    if (!isNonEmptyDir(from) || isNonEmptyDir(to)) return;
    // A temporary file is a write in progress (a checkpoint is renamed into place once whole).
    cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('.tmp') });
  } catch {
    // Best effort: the trainer finds no checkpoint and starts over, as it would without this.
  }
}

/**
 * The trial's arguments: the trainer's own, then `--<id>=<value>` for each active parameter, as
 * Vertex AI passes them (`--batch_size=64`). One argv entry each: no shell ever parses them.
 */
export function trialArguments(trainer: TrainerCommand, parameters: TrialParameters): string[] {
  return [...trainer.args, ...formatTrialArguments(parameters)];
}

/**
 * The trial's environment: this process's, then the trainer's `env`, then the trial contract, which
 * wins over both:
 * - `AIP_MODEL_DIR`, `AIP_CHECKPOINT_DIR`, `AIP_TENSORBOARD_LOG_DIR`: the trial's own directories;
 * - `CLOUD_ML_TRIAL_ID`: the trial id; `CLOUD_ML_HP_METRIC_FILE`: the metric file in the trial's directory;
 * - `CLOUD_ML_JOB_ID`: the study's name, standing for the tuning job's id Vertex sets.
 *
 * `CLOUD_ML_PROJECT_ID` is left as the caller's environment has it: a local study has no project,
 * and inventing one would mislead a trainer that uses it to reach Google Cloud.
 */
export function trialEnvironment(options: {
  readonly trainer: TrainerCommand;
  readonly studyName: string;
  readonly trialId: string;
  readonly paths: TrialPaths;
  readonly baseEnv?: NodeJS.ProcessEnv;
}): Record<string, string> {
  return { ...sharedEnvironment(options.trainer, options.baseEnv), ...trialVariables(options) };
}

/** What every trial's environment starts from: this process's, then the trainer's `env` (see {@link trialEnvironment}). */
export function sharedEnvironment(trainer: TrainerCommand, baseEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  return Object.assign(env, trainer.env ?? {});
}
