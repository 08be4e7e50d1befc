import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerCommand } from '@hptune/core';
import { lenet5Trainer, parseTrainerOptions, type BackendChoice } from '@hptune/trainer';

/** Trainer flags a study passes to every trial, as the Python launcher passes its task flags. */
export interface TrainerPassThrough {
  numEpochs?: number;
  trainSize?: number;
  testSize?: number;
  learningRate?: number;
  backend?: BackendChoice;
}

/**
 * The LeNet-5 trainer with the study's fixed flags, checked by the trainer's own parser now, so
 * a bad flag is rejected before any trial starts rather than in every trial.
 */
export function buildTrainer(flags: TrainerPassThrough, study: { metricTag: string; seed?: number }): TrainerCommand {
  const trainer = lenet5Trainer({
    flags: {
      numEpochs: flags.numEpochs,
      trainSize: flags.trainSize,
      testSize: flags.testSize,
      learningRate: flags.learningRate,
      backend: flags.backend,
      metricTag: study.metricTag,
      seed: study.seed,
    },
  });
  const scratch = mkdtempSync(join(tmpdir(), 'hptune-check-'));
  try {
    // Everything after the script path is what each trial gets before its own parameters.
    parseTrainerOptions([...trainer.args.slice(1), `--output-dir=${scratch}`], {});
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return trainer;
}
