/**
 * `@hptune/trial`: what a process running one trial needs, and nothing else: its parameters
 * (`parseTrialArguments`), where its files go (`currentTrial`, the `AIP_*` variables), metric
 * reports in cloudml-hypertune's format (`reportMetric`), the completion marker
 * (`markTrialComplete`) and hptune's errors. No native module, no cloud client: a trainer that
 * writes one metric line installs this package alone.
 */
export { HptuneError, ValidationError, formatValue, type ValidationProblem } from './errors.js';
export { directoryProblem, makeDirectory, makeDirectoryAsync, type DirectoryProblem } from './directories.js';
export {
  DEFAULT_METRIC_FILE,
  MAX_METRIC_REPORTS,
  createMetricReporter,
  formatMetricLine,
  parseMetricLine,
  readMetricFile,
  reportMetric,
  type MetricReport,
  type MetricReportInput,
  type MetricReporter,
  type MetricReporterOptions,
} from './metrics.js';
export { TRIAL_COMPLETE_FILE, markTrialComplete, readTrialCompletion, type TrialCompletion } from './completion.js';
export {
  TRIAL_HOST_VARIABLE,
  isTrialHost,
  serveTrials,
  type HostedTrial,
  type HostedTrialRunner,
  type TrialHostReply,
  type TrialHostRequest,
} from './host.js';
export {
  TRIAL_VARIABLES,
  currentTrial,
  formatTrialArguments,
  parseTrialArguments,
  trialPaths,
  trialVariables,
  type CurrentTrial,
  type ParseTrialArgumentsOptions,
  type TrialPaths,
  type TrainerCommand,
  type TrialVariable,
} from './environment.js';
export type {
  CategoricalParameterSpec,
  ConditionalParameters,
  DiscreteParameterSpec,
  DoubleParameterSpec,
  IntegerParameterSpec,
  ParameterKind,
  ParameterScale,
  ParameterSpec,
  ParameterSpecs,
  ParameterValue,
  SearchSpace,
  TrialParameters,
} from './parameters.js';
export { createDependencyLoader, dependencyLoadError, isNativeAddonLoadError, type DependencyLoader } from './dependencies.js';
