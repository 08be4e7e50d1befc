import type { SearchSpace } from '../space/types.js';
import type { SearchAlgorithm } from '../algorithms.js';
import type { StoppingRule } from '../stopping/types.js';
import type { MeasurementSelection, MetricSpec } from './types.js';

/** The study definition as a caller gives it, on every backend: what `launchStudy` checks before anything runs. */
export interface StudyOptions<S extends SearchSpace = SearchSpace> {
  /** The study's name: letters, digits, `_` and `-`, at most 128, starting with a letter or digit. */
  readonly name: string;
  /** The search space, from `searchSpace({...})`. */
  readonly space: S;
  /** The metric the trainer reports and the study optimizes. */
  readonly metric: MetricSpec;
  /**
   * `grid` visits every combination once (no `double` parameters); `random` draws with the seed;
   * `tpe` and `gp` (locally) and `bayesian` (the GP sampler locally, Vizier's Bayesian optimization on Vertex AI) learn
   * from finished trials. Required, unless `launchStudy` gets a `sampler` of your own.
   */
  readonly algorithm?: SearchAlgorithm;
  /**
   * Trials to run in all; failed trials count, cancelled and interrupted ones (run again) do not.
   * @default the grid size for `grid`; required otherwise
   */
  readonly maxTrials?: number;
  /** Trials run at the same time. @default the backend's: `os.availableParallelism()` locally, min(maxTrials, 3) on Vertex AI */
  readonly parallelTrials?: number;
  /**
   * Failed trials after which the study stops, ends running trials and fails; at least 1.
   * @default the backend's rule: no limit locally; Vertex AI decides on Vertex AI
   */
  readonly maxFailedTrials?: number;
  /** Seconds a trial may run before it is stopped and recorded INFEASIBLE. @default no limit (Vertex AI: 7 days) */
  readonly trialTimeoutSeconds?: number;
  /** The sampler's seed, stored with the study so a resume continues the same sequence. @default a random one */
  readonly seed?: number;
  /**
   * Stops hopeless trials before their last step: `median()`, `asha({ maxStep })`, `hyperband({ maxStep })` or `decayCurve()`
   * (or a rule of your own). Its settings are stored with the study, so `resumeStudy` honours it.
   * On Vertex AI only `median()` and `decayCurve()` (Vizier's automated stopping). @default none: trials run to their end
   */
  readonly earlyStopping?: StoppingRule;
  /**
   * Which of a trial's measurements is its result (its `finalMeasurement`, what the best trial is
   * chosen by): `best`, the one with the best value of the metric; `last`, the last one reported.
   * The same on every backend (Vertex AI: `StudySpec.measurementSelectionType`).
   * @default 'best' (Vertex AI's `BEST_MEASUREMENT`, as the Vertex AI SDK)
   */
  readonly measurementSelection?: MeasurementSelection;
}
