/**
 * Every search algorithm hptune knows, in the order the CLI lists them: the one list the SDK's
 * checks, the backends, the CLI's `--algorithm` choices and the conformance tests derive from.
 */
export const SEARCH_ALGORITHMS = ['grid', 'shuffled-grid', 'random', 'tpe', 'gp', 'bayesian'] as const;

/**
 * A search algorithm: `grid` (every combination once, in enumeration order), `shuffled-grid` (every
 * combination once, in an order drawn from the study's seed, as Optuna's `GridSampler` visits its
 * grid; local only), `random` (seeded draws), `tpe` (hptune's
 * Tree-structured Parzen Estimator, local only), `gp` (hptune's Gaussian-process Bayesian
 * optimization, local only) or `bayesian` (the backend's Bayesian optimization: the GP sampler
 * locally, Vizier's Gaussian-process bandit on Vertex AI).
 */
export type SearchAlgorithm = (typeof SEARCH_ALGORITHMS)[number];

/** Vertex's `StudySpec.Algorithm`; `ALGORITHM_UNSPECIFIED` means the default, Bayesian optimization. */
export type VertexAlgorithm = 'ALGORITHM_UNSPECIFIED' | 'GRID_SEARCH' | 'RANDOM_SEARCH';

/** The samplers hptune implements itself, which the local backend runs. */
export type LocalSamplerKind = 'grid' | 'random' | 'tpe' | 'gp';

/** What an algorithm is on each backend. */
export interface AlgorithmBackends {
  /** The sampler that runs it locally. */
  readonly local: LocalSamplerKind;
  /** Vertex AI's `StudySpec.Algorithm` for it; absent where Vertex AI cannot run it. */
  readonly vertex?: VertexAlgorithm;
}

/**
 * What each algorithm is on each backend: `bayesian` is the GP sampler locally and
 * `ALGORITHM_UNSPECIFIED` (Vizier's default, Gaussian-process Bayesian optimization) on Vertex AI,
 * the same family of search on both; `tpe` and `gp` have no Vertex AI counterpart of their own.
 *
 * `bayesian`'s rule by space, locally: the GP for a flat space (doubles, integers, discrete and
 * categorical parameters, mixed), TPE for a space with conditional parameters (the GP sampler
 * hands those to TPE itself). `pnpm bench:search` found `gp` never significantly worse than `tpe`
 * on a mixed problem (better on every mixed problem of the evaluation half), so mixed and mostly
 * categorical spaces stay with the GP; the figures are in the README's GP section.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#Algorithm
 */
export const ALGORITHM_BACKENDS: Readonly<Record<SearchAlgorithm, AlgorithmBackends>> = {
  grid: { local: 'grid', vertex: 'GRID_SEARCH' },
  'shuffled-grid': { local: 'grid' },
  random: { local: 'random', vertex: 'RANDOM_SEARCH' },
  tpe: { local: 'tpe' },
  gp: { local: 'gp' },
  bayesian: { local: 'gp', vertex: 'ALGORITHM_UNSPECIFIED' },
};

/** The algorithms Vertex AI runs, in {@link SEARCH_ALGORITHMS} order. */
export const VERTEX_ALGORITHMS: readonly SearchAlgorithm[] = SEARCH_ALGORITHMS.filter((algorithm) => ALGORITHM_BACKENDS[algorithm].vertex !== undefined);

/** Whether an algorithm runs every combination of the grid once (`grid`, `shuffled-grid`): no double parameters, `maxTrials` at most the grid size. */
export function isGridSearch(algorithm: SearchAlgorithm): boolean {
  return ALGORITHM_BACKENDS[algorithm].local === 'grid';
}

/** Whether `value` names a search algorithm. */
export function isSearchAlgorithm(value: unknown): value is SearchAlgorithm {
  return (SEARCH_ALGORITHMS as readonly unknown[]).includes(value);
}
