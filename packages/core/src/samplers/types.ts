import type { TrialParameters } from '../space/types.js';
import type { FrozenTrial } from '../study/types.js';

/** The search algorithms hptune knows; `grid` and `random` run locally, all map to Vertex. */
export type SearchAlgorithm = 'grid' | 'random';

/**
 * Chooses the parameters of the next trial. The contract every sampler honours:
 * - it sees only immutable snapshots of the trials that count for the search: every trial but
 *   those cancelled or interrupted, whose parameters the study runs again;
 * - it is deterministic given the study's seed and the trials it is shown, so a resumed study
 *   continues as it would have;
 * - it returns `undefined` when it has nothing left to suggest (a grid that is exhausted,
 *   counting every trial it is shown as taken, failed ones included);
 * - it never changes the trials it is shown.
 * Every sampler passes the conformance suite of `conformance.ts` (`@hptune/core/testing`).
 */
export interface Sampler {
  readonly algorithm: SearchAlgorithm;
  suggest(trials: readonly FrozenTrial[]): TrialParameters | undefined;
}
