// The public API of @hptune/trainer: named exports only. This entry is the trainer as a program a
// study runs (its command, flags, defaults and trial contract) and never mentions TensorFlow.js in
// its types, so a consumer type-checking libraries (skipLibCheck false) does not check tfjs's
// typings; the training code itself is @hptune/trainer/training.
export { runTrainerCli, type TrainerCliIo } from './cli.js';
export { lenet5Trainer, trainerBinPath, type FixedTrainerFlags, type Lenet5TrainerOptions } from './command.js';
export {
  prepareTrialOutputs,
  resolveTrialPaths,
  type ResolveTrialPathsOptions,
  type TrialEnvironment,
  type TrialPath,
  type TrialPaths,
} from './contract.js';
export { parseTrainerOptions, resolveTrainerOptions, trainerHelp, type TrainerConfig, type TrainerInvocation, type TrainerOptions } from './options.js';
// LENET5_SETTINGS and what derives from it (also @hptune/trainer/settings, which loads no TensorFlow.js).
export * from './settings.js';
export { GCS_BUCKET_FOLDER, gcsBucketRoot, type OutputLocation } from './outputs/locations.js';
export { GCS_API_ENDPOINT_VARIABLE, SYNC_INTERVAL_VARIABLE, type StorageSettings } from './outputs/settings.js';
