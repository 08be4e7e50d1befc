import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerCommand } from '@hptune/core';
import { STUDY_FLAG_IDS, settingKey, type StudyFlagValues } from '@hptune/trainer/settings';
import { importOptional } from '../optional-dependency.js';

/** Trainer flags a study passes to every trial, as the Python launcher passes its task flags: the trainer's settings declared `studyFlag`. */
export type TrainerPassThrough = StudyFlagValues;

/** The trainer's study flags among a command's parsed flags, those given only. */
export function trainerPassThrough(flags: object): TrainerPassThrough {
  const given = flags as Readonly<Record<string, unknown>>;
  return Object.fromEntries(STUDY_FLAG_IDS.map((id) => [settingKey(id), given[settingKey(id)]]).filter(([, value]) => value !== undefined)) as TrainerPassThrough;
}

/**
 * The LeNet-5 trainer with the study's fixed flags, checked by the trainer's own parser now, so
 * a bad flag is rejected before any trial starts rather than in every trial.
 */
export async function buildTrainer(flags: TrainerPassThrough, study: { metricTag: string; seed?: number }): Promise<{ trainer: TrainerCommand; defaultEpochs: number }> {
  // Loaded here, not at the top: tuning your own program needs no TensorFlow.js installed.
  const { lenet5Trainer, parseTrainerOptions, TRAINER_DEFAULTS } = await importOptional('@hptune/trainer', () => import('@hptune/trainer'));
  const trainer = lenet5Trainer({ flags: { ...trainerPassThrough(flags), metricTag: study.metricTag, seed: study.seed } });
  const scratch = mkdtempSync(join(tmpdir(), 'hptune-check-'));
  try {
    // Everything after the script path is what each trial gets before its own parameters.
    parseTrainerOptions([...trainer.args.slice(1), `--output-dir=${scratch}`], {});
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { trainer, defaultEpochs: TRAINER_DEFAULTS.numEpochs };
}
