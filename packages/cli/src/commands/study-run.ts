import { availableParallelism } from 'node:os';
import {
  HptuneError,
  asha,
  decayCurve,
  launchStudy,
  lenet5SearchSpace,
  median,
  type MeasurementSelection,
  type MetricGoal,
  type SearchAlgorithm,
  type SearchSpace,
  type StoppingRule,
} from '@hptune/core';
import { TRAINER_DEFAULTS } from '@hptune/trainer';
import { STUDY_RUN_FLAGS, withFlagNames } from '../flag-names.js';
import type { CliIo } from '../io.js';
import { readSpaceFile } from './space-file.js';
import { followStudy } from './study-progress.js';
import { buildTrainer, type TrainerPassThrough } from './trainer-flags.js';

/** The flags of `hptune study run`, parsed. */
export interface StudyRunFlags extends TrainerPassThrough {
  name: string;
  algorithm: SearchAlgorithm;
  maxTrialCount?: number;
  maxParallelTrialCount?: number;
  maxFailedTrialCount?: number;
  metric: string;
  goal: MetricGoal;
  measurementSelection: MeasurementSelection;
  studyDir: string;
  seed?: number;
  trialTimeout?: number;
  space?: string;
  quick?: boolean;
  earlyStopping?: 'none' | 'median' | 'asha' | 'decay-curve';
  ashaMaxStep?: number;
  json?: boolean;
}

/** The settings `--quick` stands for: the seed study in a few minutes on a laptop. */
export const QUICK_PRESET = { numEpochs: 1, trainSize: 2048, testSize: 1000 } as const;

/** `hptune study run`: runs a study on this machine (the local backend) and shows its progress. */
export async function runStudyCommand(flags: StudyRunFlags, io: CliIo): Promise<number> {
  const space = flags.space ? readSpaceFile(flags.space) : lenet5SearchSpace;
  const trainerFlags: TrainerPassThrough = flags.quick ? { ...QUICK_PRESET, ...definedOnly(flags) } : flags;
  const trainer = buildTrainer(trainerFlags, { metricTag: flags.metric, seed: flags.seed });
  const earlyStopping = stoppingRuleOf(flags.earlyStopping, flags.ashaMaxStep ?? trainerFlags.numEpochs ?? TRAINER_DEFAULTS.numEpochs, flags.ashaMaxStep !== undefined);
  const handle = await withFlagNames(STUDY_RUN_FLAGS, () => launchStudy({
    name: flags.name,
    space,
    metric: { id: flags.metric, goal: flags.goal },
    measurementSelection: flags.measurementSelection,
    algorithm: flags.algorithm,
    ...(flags.maxTrialCount === undefined ? {} : { maxTrials: flags.maxTrialCount }),
    parallelTrials: flags.maxParallelTrialCount ?? availableParallelism(),
    // --max-failed-trial-count 0 is "no limit": the SDK's unset.
    ...(flags.maxFailedTrialCount === undefined || flags.maxFailedTrialCount === 0 ? {} : { maxFailedTrials: flags.maxFailedTrialCount }),
    ...(flags.trialTimeout === undefined ? {} : { trialTimeoutSeconds: flags.trialTimeout }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(earlyStopping ? { earlyStopping } : {}),
    trainer,
    studyDir: flags.studyDir,
  }));
  return followStudy(handle, io, { json: flags.json });
}

/** The rule `--early-stopping` names; ASHA's last rung below `maxStep`, the trainer's epochs unless `--asha-max-step`. */
function stoppingRuleOf(kind: StudyRunFlags['earlyStopping'], maxStep: number, maxStepGiven: boolean): StoppingRule | undefined {
  switch (kind) {
    case 'median':
      return median();
    case 'decay-curve':
      return decayCurve();
    case 'asha':
      if (maxStep < 2) {
        throw new HptuneError('INVALID_ARGUMENT', `--early-stopping asha needs trials of at least 2 epochs, and ${maxStepGiven ? '--asha-max-step' : '--num-epochs'} is ${maxStep}; pass e.g. --num-epochs 9`, { exitCode: 2 });
      }
      return asha({ maxStep });
    default:
      return undefined;
  }
}


function definedOnly(flags: TrainerPassThrough): TrainerPassThrough {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as TrainerPassThrough;
}
