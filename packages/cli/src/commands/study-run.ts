import { availableParallelism } from 'node:os';
import {
  HptuneError,
  ValidationError,
  launchStudy,
  local,
  stoppingRuleFromSpec,
  type MeasurementSelection,
  type MetricGoal,
  type SearchAlgorithm,
  type SearchSpace,
  type StoppingRule,
  type AshaStoppingSpec,
  type TrainerCommand,
  finalMetricValue,
  type FrozenTrial,
} from '@hptune/core';
import { QUICK_PRESET, STUDY_FLAG_IDS, lenet5SearchSpace, settingFlag, settingKey } from '@hptune/trainer/settings';
import { STUDY_RUN_FLAGS, withFlagNames, type FlagNames } from '../flag-names.js';
import type { CliIo } from '../io.js';
import { readSpaceFile } from '../json-file.js';
import { readStudyFile, type EarlyStoppingRule, type EarlyStoppingSetting, type StudyFile } from '../study-file.js';
import { followStudy } from './study-progress.js';
import { buildTrainer, trainerPassThrough, type TrainerPassThrough } from './trainer-flags.js';

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
  config?: string;
  quick?: boolean;
  earlyStopping?: EarlyStoppingRule;
  ashaMaxStep?: number;
  /** `--no-reuse-trainer-processes` sets it false: a trainer process per trial. */
  reuseTrainerProcesses?: boolean;
  json?: boolean;
}

/** What `hptune study run` was given besides its flags. */
export interface StudyRunInput {
  /** The program and its fixed arguments after `--`; empty for the LeNet-5 trainer. */
  readonly command?: readonly string[];
  /** The flags the user typed (the rest hold their defaults), so a study file's values win over defaults only. @default every flag in `flags` */
  readonly given?: ReadonlySet<string>;
}

/** Flags that set the LeNet-5 trainer, meaningless for a program the user brings: its study flags, and `--quick`. */
const LENET5_FLAGS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(STUDY_FLAG_IDS.map((id) => [settingKey(id), settingFlag(id)])),
  quick: '--quick',
};

/** Each study-file field, the flag that overrides it, and the name of that flag's value in {@link StudyRunFlags}. */
const OVERRIDES = [
  ['name', 'name', '--name'],
  ['algorithm', 'algorithm', '--algorithm'],
  ['maxTrials', 'maxTrialCount', '--max-trial-count'],
  ['parallelTrials', 'maxParallelTrialCount', '--max-parallel-trial-count'],
  ['maxFailedTrials', 'maxFailedTrialCount', '--max-failed-trial-count'],
  ['trialTimeoutSeconds', 'trialTimeout', '--trial-timeout'],
  ['seed', 'seed', '--seed'],
] as const;

/**
 * `hptune study run`: runs a study on this machine (the local backend) and shows its progress.
 * The trainer is the program after `--` (run without a shell, its working directory the current
 * one), else the study file's, else the LeNet-5 trainer. Flags the user typed win over the study
 * file, which wins over the flags' defaults.
 */
export async function runStudyCommand(flags: StudyRunFlags, io: CliIo, input: StudyRunInput = {}): Promise<number> {
  const given = input.given ?? new Set(Object.keys(flags));
  const file = flags.config === undefined ? undefined : readStudyFile(flags.config);
  const fromFile = (key: keyof StudyFile, flag: string) => file?.[key] !== undefined && !given.has(flag);
  const pick = <T>(fileValue: T | undefined, flag: keyof StudyRunFlags): T | undefined => (given.has(flag) || fileValue === undefined ? (flags[flag] as T | undefined) : fileValue);

  const command = input.command ?? [];
  const custom: TrainerCommand | undefined = command.length > 0 ? customTrainer(command) : file?.trainer;
  const space = flags.space !== undefined ? readSpaceFile(flags.space) : file?.space;
  const metricId = pick(file?.metric?.id, 'metric') as string;
  const goal = pick(file?.metric?.goal, 'goal') as MetricGoal;
  if (custom) checkCustomTrainerInput(flags, given, { space, metricGiven: given.has('metric') || file?.metric !== undefined, where: command.length > 0 ? 'after --' : `in ${file?.file}` });

  const seed = pick(file?.seed, 'seed') as number | undefined;
  const builtIn = custom ? undefined : await buildTrainer(lenet5Flags(flags), { metricTag: metricId, ...(seed === undefined ? {} : { seed }) });
  const trainer = custom ?? (builtIn as NonNullable<typeof builtIn>).trainer;
  const maxFailedTrials = pick(file?.maxFailedTrials, 'maxFailedTrialCount') as number | undefined;
  const maxTrials = pick(file?.maxTrials, 'maxTrialCount') as number | undefined;
  const timeout = pick(file?.trialTimeoutSeconds, 'trialTimeout') as number | undefined;
  const stoppingSetting = pick<EarlyStoppingSetting>(file?.earlyStopping, 'earlyStopping');
  const stoppingWhere = given.has('earlyStopping') || file?.earlyStopping === undefined ? '--early-stopping' : `${file.file}: earlyStopping`;
  const epochs = flags.ashaMaxStep ?? (custom ? undefined : (lenet5Flags(flags).numEpochs ?? builtIn?.defaultEpochs));
  const earlyStopping = stoppingRuleOf(stoppingSetting, { maxStep: epochs, where: stoppingWhere, maxStepFlag: flags.ashaMaxStep !== undefined ? '--asha-max-step' : '--num-epochs' });

  const names: Record<string, string> = { ...STUDY_RUN_FLAGS };
  for (const [field, flag, flagName] of OVERRIDES) names[field] = fromFile(field, flag) ? `${file?.file}: ${field}` : flagName;
  if (fromFile('metric', 'metric')) names['metric.id'] = `${file?.file}: metric.id`;
  if (fromFile('metric', 'goal')) names['metric.goal'] = `${file?.file}: metric.goal`;

  const handle = await withFlagNames(names as FlagNames, () => launchStudy({
    name: pick(file?.name, 'name') as string,
    space: space ?? (lenet5SearchSpace as SearchSpace),
    metric: { id: metricId, goal },
    algorithm: pick(file?.algorithm, 'algorithm') as SearchAlgorithm,
    measurementSelection: flags.measurementSelection,
    ...(maxTrials === undefined ? {} : { maxTrials }),
    parallelTrials: (pick(file?.parallelTrials, 'maxParallelTrialCount') as number | undefined) ?? availableParallelism(),
    // --max-failed-trial-count 0 is "no limit": the SDK's unset.
    ...(maxFailedTrials === undefined || maxFailedTrials === 0 ? {} : { maxFailedTrials }),
    ...(timeout === undefined ? {} : { trialTimeoutSeconds: timeout }),
    ...(seed === undefined ? {} : { seed }),
    ...(earlyStopping ? { earlyStopping } : {}),
    trainer,
    studyDir: flags.studyDir,
    ...(flags.reuseTrainerProcesses === false ? { backend: local({ reuseTrainerProcesses: false }) } : {}),
  }));
  const quick = !custom && flags.quick === true;
  const training = lenet5Flags(flags);
  const algorithm = handle.study.algorithm;
  const notes = (trials: readonly FrozenTrial[]) => [
    ...(quick && metricId === 'accuracy' ? quickPresetNotes(trials, { trainSize: training.trainSize, numEpochs: training.numEpochs }) : []),
    ...(algorithm === 'grid' && earlyStopping ? gridOrderNotes(trials, earlyStopping.spec) : []),
  ];
  return followStudy(handle, io, { json: flags.json, notes });
}

/**
 * Why a grid study with `asha` may train more than it needs: asynchronous successive halving
 * judges each trial against the trials that reached its rung before it (the first always goes on),
 * and a grid in enumeration order sorts the arrivals by its first parameter, so how many go on
 * depends on the grid's layout. A random order lets about one in `reductionFactor` through, as
 * successive halving intends; `shuffled-grid` is that order.
 * @param trials - the study's trials at its end.
 * @param rule - the study's early-stopping rule's settings.
 */
export function gridOrderNotes(trials: readonly FrozenTrial[], rule: StoppingRule['spec']): string[] {
  if (rule.kind !== 'asha') return [];
  const spec = rule as AshaStoppingSpec;
  const judged = trials.filter((trial) => trial.measurements.some((measurement) => measurement.step >= spec.minStep));
  const wentOn = judged.filter((trial) => trial.measurements.some((measurement) => measurement.step > spec.minStep));
  return [
    `asha judges each trial against the trials that reached its rung before it, so the order trials run in decides how many go on: ` +
      `in grid order the combinations arrive sorted by their first parameter, and ${wentOn.length} of ${judged.length} went past step ${spec.minStep} ` +
      `(in a random order, about one in ${spec.reductionFactor}). --algorithm shuffled-grid runs each combination once in an order drawn from --seed, as Optuna's GridSampler does.`,
  ];
}

/** MNIST has 10 classes: a test accuracy under this is at (or near) chance, the untrained model's. */
const NEAR_CHANCE_ACCURACY = 0.2;

/**
 * Why some trials of a `--quick` seed study sit at chance (accuracy about 0.10): measured, not
 * guessed. With 2,048 training images (one epoch), sgd at its default learning rate 0.01 (no
 * momentum, as PyTorch's) takes too few steps to leave the initial loss plateau, and softmax hidden
 * layers train slowly with every optimizer; on 16,384 images sgd/128 and softmax/adam still sat at
 * 0.109 and 0.126. The full study separates them (README, Fidelity with PyTorch).
 * @param training - the images and epochs the trials trained on: the preset's, or flags given with it.
 */
export function quickPresetNotes(trials: readonly FrozenTrial[], training: { readonly trainSize?: number | undefined; readonly numEpochs?: number | undefined } = QUICK_PRESET): string[] {
  const atChance = trials.filter((trial) => trial.state === 'SUCCEEDED' && (finalMetricValue(trial, { id: 'accuracy', goal: 'maximize' }) ?? 1) < NEAR_CHANCE_ACCURACY);
  if (atChance.length === 0) return [];
  const images = training.trainSize === undefined ? 'all 60,000 images' : `${training.trainSize} images`;
  const epochs = training.numEpochs ?? 1;
  return [
    `${atChance.length} trial(s) ended near chance (accuracy about 0.10 for MNIST's 10 classes): the quick preset trains ${images} for ` +
      `${epochs} epoch${epochs === 1 ? '' : 's'}, too few steps for plain sgd (no momentum, learning rate 0.01 unless tuned) or for softmax hidden layers to leave the starting plateau. ` +
      'That is expected, not a fault: the full study (--num-epochs 3, all 60,000 images) separates them.',
  ];
}

/**
 * The rule `--early-stopping` (or the study file's `earlyStopping`) names, with its settings. ASHA's
 * last rung is `maxStep`: `--asha-max-step`, else the LeNet-5 trainer's epochs; a program you bring
 * gives it as `--asha-max-step` or `maxStep` in the study file.
 */
function stoppingRuleOf(setting: EarlyStoppingSetting | undefined, context: { maxStep: number | undefined; where: string; maxStepFlag: string }): StoppingRule | undefined {
  const { kind, ...settings }: { readonly kind: EarlyStoppingRule | undefined; readonly [setting: string]: unknown } = typeof setting === 'object' ? setting : { kind: setting };
  try {
    return stoppingRuleWith(kind, settings, context);
  } catch (error) {
    // A setting from the study file is named by its JSON path there.
    if (!(error instanceof ValidationError) || context.where === '--early-stopping') throw error;
    const settingName = error.field.startsWith(`${kind}.`) ? error.field.slice(`${kind}.`.length) : error.field;
    throw new ValidationError({ field: `${context.where}.${settingName}`, value: error.value, problem: error.problem, fix: error.fix }, { code: error.code, cause: error });
  }
}

/** Core's one builder (`stoppingRuleFromSpec`, as a resumed study rebuilds its rule), given the settings and, for ASHA and Hyperband, the last step. */
function stoppingRuleWith(kind: EarlyStoppingRule | undefined, settings: Readonly<Record<string, unknown>>, context: { maxStep: number | undefined; where: string; maxStepFlag: string }): StoppingRule | undefined {
  if (kind === undefined || kind === 'none') return undefined;
  if (kind !== 'asha' && kind !== 'hyperband') return stoppingRuleFromSpec({ ...settings, kind });
  const maxStep = (settings['maxStep'] as number | undefined) ?? context.maxStep;
  if (maxStep === undefined) {
    throw new ValidationError({ field: context.where, value: kind, problem: 'needs the last step of a trial (maxStep)', fix: `pass --asha-max-step N (the epochs your program trains), or give { "kind": "${kind}", "maxStep": N } in the study file` });
  }
  if (maxStep < 2) {
    throw new HptuneError('INVALID_ARGUMENT', `--early-stopping ${kind} needs trials of at least 2 epochs, and ${context.maxStepFlag} is ${maxStep}; pass e.g. --num-epochs 9`, { exitCode: 2 });
  }
  return stoppingRuleFromSpec({ ...settings, kind, maxStep });
}

/** The program after `--`: started without a shell in the current folder, so relative paths in it work as typed. */
function customTrainer(command: readonly string[]): TrainerCommand {
  const [program, ...args] = command as [string, ...string[]];
  return { command: program, args, cwd: process.cwd() };
}

/** A program the user brings has no default space or metric, and takes none of LeNet-5's flags. */
function checkCustomTrainerInput(flags: StudyRunFlags, given: ReadonlySet<string>, context: { space: SearchSpace | undefined; metricGiven: boolean; where: string }): void {
  const lenetFlag = Object.keys(LENET5_FLAGS).find((key) => given.has(key) && flags[key as keyof StudyRunFlags] !== undefined);
  if (lenetFlag !== undefined) {
    const flag = LENET5_FLAGS[lenetFlag] as string;
    throw new ValidationError({
      field: flag,
      value: flags[lenetFlag as keyof StudyRunFlags],
      problem: `is a setting of the built-in LeNet-5 trainer and does not reach the program ${context.where}`,
      fix: `pass your program's own flags after --, e.g. -- python3 task.py --epochs=3`,
    });
  }
  if (context.space === undefined) {
    throw new ValidationError({ field: '--space', value: undefined, problem: 'is required with your own trainer', fix: 'pass --space space.json (a search space JSON file), or give space in the --config file' });
  }
  if (!context.metricGiven) {
    throw new ValidationError({ field: '--metric', value: undefined, problem: 'is required with your own trainer', fix: 'pass the tag your program reports to CLOUD_ML_HP_METRIC_FILE, e.g. --metric accuracy, or give metric in the --config file' });
  }
}

/** The trainer flags of hptune's own trainer: `--quick`'s preset under what was given. */
function lenet5Flags(flags: StudyRunFlags): TrainerPassThrough {
  return flags.quick ? { ...QUICK_PRESET, ...trainerPassThrough(flags) } : trainerPassThrough(flags);
}
