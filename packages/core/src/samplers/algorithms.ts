import type { VertexAlgorithm } from '../space/vertex.js';

/**
 * Every search algorithm hptune knows, in the order the CLI lists them: the one list the SDK's
 * checks, the backends, the CLI's `--algorithm` choices and the conformance tests derive from.
 */
export const SEARCH_ALGORITHMS = ['grid', 'random', 'tpe', 'bayesian'] as const;

/**
 * A search algorithm: `grid` (every combination once), `random` (seeded draws), `tpe` (hptune's
 * Tree-structured Parzen Estimator, local only) or `bayesian` (the backend's model-based search:
 * TPE locally, Vizier's Bayesian optimization on Vertex AI).
 */
export type SearchAlgorithm = (typeof SEARCH_ALGORITHMS)[number];

/** The samplers hptune implements itself, which the local backend runs. */
export type LocalSamplerKind = 'grid' | 'random' | 'tpe';

/** What an algorithm is on each backend. */
export interface AlgorithmBackends {
  /** The sampler that runs it locally. */
  readonly local: LocalSamplerKind;
  /** Vertex AI's `StudySpec.Algorithm` for it; absent where Vertex AI cannot run it. */
  readonly vertex?: VertexAlgorithm;
}

/**
 * What each algorithm is on each backend: `bayesian` is TPE locally and `ALGORITHM_UNSPECIFIED`
 * (Vizier's default, Bayesian optimization) on Vertex AI; `tpe` has no Vertex AI counterpart.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#Algorithm
 */
export const ALGORITHM_BACKENDS: Readonly<Record<SearchAlgorithm, AlgorithmBackends>> = {
  grid: { local: 'grid', vertex: 'GRID_SEARCH' },
  random: { local: 'random', vertex: 'RANDOM_SEARCH' },
  tpe: { local: 'tpe' },
  bayesian: { local: 'tpe', vertex: 'ALGORITHM_UNSPECIFIED' },
};

/** The algorithms Vertex AI runs, in {@link SEARCH_ALGORITHMS} order. */
export const VERTEX_ALGORITHMS: readonly SearchAlgorithm[] = SEARCH_ALGORITHMS.filter((algorithm) => ALGORITHM_BACKENDS[algorithm].vertex !== undefined);

/** Whether `value` names a search algorithm. */
export function isSearchAlgorithm(value: unknown): value is SearchAlgorithm {
  return (SEARCH_ALGORITHMS as readonly unknown[]).includes(value);
}
