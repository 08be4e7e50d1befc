export {
  DEFAULT_METRIC_POLL_INTERVAL_MS,
  DEFAULT_STOP_GRACE_PERIOD_SECONDS,
  local,
  type LocalBackend,
  type LocalBackendOptions,
} from './backend.js';
export { trialArguments, trialEnvironment, trialPaths, type TrialPaths } from './contract.js';
