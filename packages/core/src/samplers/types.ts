import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial } from '../study/types.js';

/**
 * Chooses the parameters of the next trial. The contract every sampler honours, hptune's own
 * (`createSampler`) and those users bring (`launchStudy({ sampler })`):
 * - it sees only immutable snapshots of the trials that count for the search: every trial but
 *   those cancelled or interrupted, whose parameters the study runs again. Finished trials carry
 *   their `finalMeasurement` (SUCCEEDED) or `failure` (INFEASIBLE); running ones (REQUESTED,
 *   ACTIVE, STOPPING) their measurements so far;
 * - it suggests only parameters of its search space: each top-level parameter, and each
 *   conditional child exactly when its parent's value activates it;
 * - it is deterministic given its seed and the trials it is shown, so a resumed study
 *   continues as it would have;
 * - it returns `undefined` when it has nothing left to suggest (a grid that is exhausted,
 *   counting every trial it is shown as taken, failed ones included);
 * - it never changes the trials it is shown.
 * Every sampler passes the conformance suite `describeSamplerConformance` of `@hptune/core/testing`.
 */
export interface Sampler {
  /** The sampler's name, stored with a study: `grid`, `random` or `tpe` for hptune's own; any name for a sampler you bring. */
  readonly algorithm: string;
  suggest(trials: readonly FrozenTrial[]): TrialParameters | undefined;
}
