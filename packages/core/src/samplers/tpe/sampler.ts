import { ValidationError } from '../../errors.js';
import { createRandom, type Random } from '../../space/random.js';
import { sampleParameters, sampleValue } from '../../space/sample.js';
import type { ParameterSpec, ParameterValue, SearchSpace, TrialParameters } from '../../space/types.js';
import { checkSearchSpace } from '../../space/checked.js';
import { sameValue } from '../../space/validate.js';
import { assignActive } from '../../space/walk.js';
import type { FrozenTrial, MetricSpec } from '../../study/types.js';
import type { Sampler } from '../types.js';
import { underTriedBranchValue } from './branches.js';
import { parameterGroup, type ParameterGroup } from './groups.js';
import { splitObservations, type SplitSettings } from './observations.js';
import { fitParzenEstimator, type ParzenSettings, type Point } from './parzen.js';

/** Trials drawn at random before TPE models anything, as Optuna's `n_startup_trials`. */
export const DEFAULT_TPE_STARTUP_TRIALS = 10;

/** Candidates drawn from the good trials' model per suggestion, as Optuna's `n_ei_candidates`. */
export const DEFAULT_TPE_CANDIDATES = 24;

/** Options of {@link createTpeSampler}. */
export interface TpeSamplerOptions {
  readonly space: SearchSpace;
  /** The metric the study optimizes; its goal decides which trials are good. */
  readonly metric: MetricSpec;
  /** The study's seed: any safe integer. */
  readonly seed: number;
  /** Finished trials (succeeded or failed) before the model takes over; until then suggestions are the random sampler's. @default {@link DEFAULT_TPE_STARTUP_TRIALS} */
  readonly startupTrials?: number;
  /** Candidates scored per suggestion: more exploits the model harder. @default {@link DEFAULT_TPE_CANDIDATES} */
  readonly candidates?: number;
}

const SPLIT = { gamma: 0.1, maxBelow: 25 } as const;
/**
 * The estimator's constants, chosen on the tuning half of `pnpm bench:search` only (issue 22):
 * kernels of `0.07 n^(-1/(d+4))` of the range, never narrower than 0.75 of a cell on integer and
 * discrete parameters (a good trial's value lends mass to its neighbours), a prior kernel that
 * keeps at least 5% of every mixture however long the history, and 20% of each candidate's
 * dimensions drawn from the prior (one parameter at a time is re-opened while the others stay
 * near a good trial, so a value the good trials lack can still win the density ratio).
 */
/**
 * The chance that a parameter which activates conditional children takes a value drawn from its
 * prior (uniform over a categorical's or discrete's values) instead of the model's choice, chosen
 * on the tuning half and on synthetic conditional spaces (issue 22). The model judges a parent's
 * values by the trials under each, and the trials of a branch whose children were still untuned
 * (random at start-up, then modelled from one or two trials) look bad: the search settles on the
 * branch that is good with any children and never tunes the others'. A fixed share of proposals
 * from the prior keeps every branch's children being tuned, as BOHB's random fraction does.
 */
const PARENT_PRIOR_SHARE = 0.1;
const PARZEN: ParzenSettings = { priorWeight: 1, minPriorShare: 0.05, bandwidthFactor: 0.07, minCellBandwidth: 0.75, dimensionPriorShare: 0.2 };

/**
 * Tree-structured Parzen Estimator search (Bergstra et al., 2011), hptune's own implementation.
 *
 * Until `startupTrials` trials have finished it suggests what the random sampler would. Then, for
 * each group of parameters active together (the top-level ones, then the children of each
 * condition the chosen values activate), it ranks the trials in which the group was active by the
 * metric, splits them into the best `ceil(0.1 n)` (at most 25) and the rest, fits a joint
 * (multivariate) Parzen estimator `l(x)` to the best and `g(x)` to the rest, draws `candidates`
 * points from `l` and keeps the one with the highest `l(x) / g(x)`.
 *
 * It never stops exploring: the prior keeps at least 5% of each estimator at any history length,
 * each candidate takes a fifth of its dimensions from the prior, and an integer or discrete
 * kernel spreads over the neighbouring values, so no value of a parameter is lost for good. A
 * parameter that activates conditional children takes a value from its prior one time in ten,
 * and every branch keeps at least `⌈√n⌉` of the `n` trials under its parent, so the children of
 * every branch keep being tuned and a branch that is best only once they are is not lost to one
 * that is fair with any children.
 *
 * Failed trials count as bad (they join the rest), so the search moves away from parameters that
 * crash or time out. Running trials count as bad until they finish (a constant liar), so parallel
 * workers spread out. Every kind and scale is modelled on its own terms: log and reverse-log
 * parameters on their scale, integer and discrete parameters as ordered cells, categorical ones
 * as choices. The `n`-th suggestion depends only on the seed and the trials shown, so a resumed
 * study continues as it would have.
 * @throws ValidationError when the space is invalid or an option is out of range.
 * @see https://papers.nips.cc/paper/2011/hash/86e8f7ab32cfd12577bc2619bc635690-Abstract.html
 */
export function createTpeSampler(options: TpeSamplerOptions): Sampler {
  const { metric, seed } = options;
  const space = checkSearchSpace(options.space, { algorithm: 'tpe' });
  const startupTrials = options.startupTrials ?? DEFAULT_TPE_STARTUP_TRIALS;
  const candidates = options.candidates ?? DEFAULT_TPE_CANDIDATES;
  checkCount('startupTrials', startupTrials, 0, DEFAULT_TPE_STARTUP_TRIALS);
  checkCount('candidates', candidates, 1, DEFAULT_TPE_CANDIDATES);
  const root = parameterGroup(space.parameters);
  const split: SplitSettings = { ...SPLIT, metric };
  return {
    algorithm: 'tpe',
    suggest(trials: readonly FrozenTrial[]): TrialParameters {
      const random = createRandom(seed, trials.length);
      const finished = trials.filter((trial) => trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE').length;
      if (finished < startupTrials) return sampleParameters(space, random);
      const values = new Map<string, ParameterValue>();
      sampleGroup(root, trials, random, values, split, candidates);
      return inSpaceOrder(space, values);
    },
  };
}

/** Chooses the values of a group, then of the child groups those values activate. */
function sampleGroup(group: ParameterGroup, trials: readonly FrozenTrial[], random: Random, values: Map<string, ParameterValue>, split: SplitSettings, candidates: number): void {
  const { below, above } = splitObservations(group, trials, split);
  if (below.length === 0) {
    // No trial with this group active reported the metric: nothing to learn from yet.
    group.specs.forEach((spec, index) => values.set((group.dimensions[index] as { id: string }).id, sampleValue(spec, random)));
  } else {
    const good = fitParzenEstimator(group.dimensions, below, PARZEN);
    const bad = fitParzenEstimator(group.dimensions, above, PARZEN);
    let best: Point | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < candidates; index += 1) {
      const candidate = good.sample(random);
      const score = good.logDensity(candidate) - bad.logDensity(candidate);
      if (best === undefined || score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    group.dimensions.forEach((dimension, d) => {
      const position = (best as Point)[d] as number;
      values.set(dimension.id, dimension.kind === 'categorical' ? (dimension.values[position] as ParameterValue) : dimension.valueAt(position));
    });
    for (const parent of parentsOf(group)) {
      const id = (group.dimensions[parent] as { id: string }).id;
      if (random.nextFloat() < PARENT_PRIOR_SHARE) values.set(id, sampleValue(group.specs[parent] as ParameterSpec, random));
      const neglected = underTriedBranchValue(group, parent, trials);
      if (neglected !== undefined) values.set(id, neglected);
    }
  }
  for (const child of group.children) {
    const parentValue = values.get((group.dimensions[child.parent] as { id: string }).id) as ParameterValue;
    if (child.parentValues.some((value) => sameValue(value, parentValue))) sampleGroup(child.group, trials, random, values, split, candidates);
  }
}

/** The members of a group that activate child groups, each once, in order. */
function parentsOf(group: ParameterGroup): number[] {
  return [...new Set(group.children.map((child) => child.parent))];
}

/** The chosen values keyed in the order `sampleParameters` uses: each parameter, then its active children. */
function inSpaceOrder(space: SearchSpace, values: ReadonlyMap<string, ParameterValue>): TrialParameters {
  return assignActive(space.parameters, (id) => values.get(id) as ParameterValue);
}

function checkCount(field: string, value: number, min: number, example: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError({ field, value, problem: `is not a whole number of at least ${min}`, fix: `give e.g. ${example}, or leave it unset` });
  }
}
