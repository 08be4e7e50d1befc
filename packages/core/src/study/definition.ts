import type { SearchSpaceJSON } from '../space/json.js';
import type { SearchAlgorithm } from '../algorithms.js';
import type { EarlyStoppingSpec } from '../stopping/types.js';
import type { MeasurementSelection, MetricSpec, StudyBackendKind, TrainerCommand } from './types.js';

/**
 * Everything that defines a study, as stored: enough to show it, and to resume it after a crash.
 * Plain JSON data.
 */
export interface StudyDefinition {
  /** The study's name: letters, digits, `_` and `-`; also its directory name. */
  readonly name: string;
  /** The search space, as `searchSpaceToJSON` writes it. */
  readonly space: SearchSpaceJSON;
  readonly metric: MetricSpec;
  /**
   * The search algorithm (`grid`, `random` and `bayesian` on every backend, `tpe` and `gp` locally), or
   * `custom` when the study runs a sampler the user brought (see {@link StudyDefinition.sampler}).
   */
  readonly algorithm: SearchAlgorithm | 'custom';
  /**
   * Present when the study runs a sampler the user passed to `launchStudy({ sampler })`: its
   * name, so that `resumeStudy` can ask for it again (a sampler is code, not stored).
   */
  readonly sampler?: { readonly name: string };
  /** Trials to run in all, not counting cancelled and interrupted ones. */
  readonly maxTrials: number;
  /** Trials run at the same time. */
  readonly parallelTrials: number;
  /**
   * Failed trials after which the study stops and fails (at least 1); absent: the backend's own
   * rule (locally no limit; on Vertex AI the service decides, its `maxFailedTrialCount` 0).
   */
  readonly maxFailedTrials?: number;
  /** Seconds a trial may run before it is stopped and recorded INFEASIBLE; absent: no limit. */
  readonly trialTimeoutSeconds?: number;
  /** The sampler's seed (chosen at random and stored when none was given). */
  readonly seed: number;
  /** The early-stopping rule's settings (`median()`, `asha({...})`, ...), from which a resumed study rebuilds it; absent: trials run to their end. */
  readonly earlyStopping?: EarlyStoppingSpec;
  /**
   * Which measurement is a trial's result. Absent in studies stored before the option existed,
   * which keep their behaviour: `last`.
   */
  readonly measurementSelection?: MeasurementSelection;
  /** The program each trial runs on the local backend; absent on Vertex AI, where the trainer is the container. */
  readonly trainer?: TrainerCommand;
  readonly backend: StudyBackendKind;
}
