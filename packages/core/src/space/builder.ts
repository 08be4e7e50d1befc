import type {
  CategoricalParameterSpec,
  ConditionalParameters,
  DiscreteParameterSpec,
  DoubleParameterSpec,
  IntegerParameterSpec,
  ParameterScale,
  ParameterSpec,
  ParameterSpecs,
  SearchSpace,
} from './types.js';
import { checkSearchSpace } from './checked.js';

/** Options of a numeric parameter without children (`double`). */
export interface ScaleOptions {
  /** How values are spread: `log` and `reverse-log` need `min > 0`. @default 'linear' */
  readonly scale?: ParameterScale;
}

/**
 * Options of a parameter that can have conditional children.
 * `when` lists child parameters, each group active only when this parameter takes one of its
 * `parentValues`; it is stored as the spec's `conditions`.
 */
export interface ConditionOptions<V extends string | number, C extends readonly ConditionalParameters<V>[]> {
  readonly when?: C;
}

/**
 * A continuous parameter in `[min, max]` (Vertex `DOUBLE`).
 * @example double(1e-4, 1e-1, { scale: 'log' })
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#DoubleValueSpec
 */
export function double(min: number, max: number, options: ScaleOptions = {}): DoubleParameterSpec {
  return { kind: 'double', min, max, scale: options.scale ?? 'linear' };
}

/**
 * An integer parameter in `[min, max]`, both ends included (Vertex `INTEGER`).
 * @example integer(1, 4, { when: [{ parentValues: [2, 3, 4], parameters: { width: discrete([64, 128]) } }] })
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#IntegerValueSpec
 */
export function integer<const C extends readonly ConditionalParameters<number>[] = readonly []>(
  min: number,
  max: number,
  options: ScaleOptions & ConditionOptions<number, C> = {},
): IntegerParameterSpec<C> {
  return withConditions({ kind: 'integer', min, max, scale: options.scale ?? 'linear' }, options.when);
}

/**
 * A parameter that takes one of a list of numbers (Vertex `DISCRETE`); the literal values are kept
 * in the inferred type (`discrete([32, 64, 128])` gives `32 | 64 | 128`).
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#DiscreteValueSpec
 */
export function discrete<const V extends number, const C extends readonly ConditionalParameters<V>[] = readonly []>(
  values: readonly V[],
  options: ScaleOptions & ConditionOptions<V, C> = {},
): DiscreteParameterSpec<V, C> {
  return withConditions({ kind: 'discrete', values: [...values], scale: options.scale ?? 'linear' }, options.when);
}

/**
 * A parameter that takes one of a list of strings (Vertex `CATEGORICAL`); the literal values are
 * kept in the inferred type (`categorical(['relu', 'softmax'])` gives `'relu' | 'softmax'`).
 * @example categorical(['sgd', 'adam'], { when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99) } }] })
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#CategoricalValueSpec
 */
export function categorical<const V extends string, const C extends readonly ConditionalParameters<V>[] = readonly []>(
  values: readonly V[],
  options: ConditionOptions<V, C> = {},
): CategoricalParameterSpec<V, C> {
  return withConditions({ kind: 'categorical', values: [...values] }, options.when);
}

function withConditions<S extends object, C>(spec: S, when: C | undefined): S & { readonly conditions?: C } {
  return when === undefined ? spec : { ...spec, conditions: when };
}

/**
 * Builds a search space from parameter specs by id, and checks it with {@link validateSearchSpace}
 * (every rule but the algorithm's own: pass the algorithm to `validateSearchSpace` for those).
 * Returns a frozen copy, which a launch does not validate again.
 * Declaration order matters: grid search varies the first parameter slowest.
 * @throws ValidationError naming the field path (e.g. `parameters.batch_size.values`), the value and the fix.
 * @example
 * const space = searchSpace({
 *   activation: categorical(['relu', 'softmax', 'leakyrelu']),
 *   batch_size: discrete([32, 64, 128]),
 *   learning_rate: double(1e-4, 1e-1, { scale: 'log' }),
 * });
 * type Parameters = ParametersOf<typeof space>;
 */
export function searchSpace<const R extends ParameterSpecs>(parameters: R): SearchSpace<R> {
  return checkSearchSpace<SearchSpace<R>>({ parameters });
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** The value type of one parameter spec: its literal values for categorical and discrete, `number` otherwise. */
export type ParameterValueOf<S extends ParameterSpec> = S extends { readonly kind: 'categorical' | 'discrete'; readonly values: readonly (infer V)[] }
  ? V
  : number;

/** The child spec records of a spec's conditions; nothing for the wide (unknown ids) form. */
type ChildSpecs<S> = S extends { readonly conditions?: infer C }
  ? C extends readonly (infer E)[]
    ? E extends { readonly parameters: infer Q extends ParameterSpecs }
      ? string extends keyof Q
        ? never
        : Q
      : never
    : never
  : never;

/** The optional parameters contributed by the conditional children (at any depth) of the specs in `R`. */
type ConditionalValues<R extends ParameterSpecs> = UnionToIntersection<
  { [K in keyof R]: OptionalValues<ChildSpecs<R[K]>> }[keyof R]
>;

type OptionalValues<Q> = Q extends ParameterSpecs
  ? { readonly [K in keyof Q]?: ParameterValueOf<Q[K]> } & ConditionalValues<Q>
  : never;

/** The parameters of one trial for the specs `R`: top-level ids required, conditional children optional. */
export type ParametersOfSpecs<R extends ParameterSpecs> = Simplify<
  { readonly [K in keyof R]: ParameterValueOf<R[K]> } & ConditionalValues<R>
>;

/**
 * The TypeScript type of one trial's parameters in a search space: each top-level parameter with its
 * value type (`'relu' | 'softmax' | 'leakyrelu'`, `32 | 64 | 128`, `number`), conditional children
 * as optional properties (present exactly when active).
 * @example type Parameters = ParametersOf<typeof space>;
 */
export type ParametersOf<S extends SearchSpace> = S extends SearchSpace<infer R> ? ParametersOfSpecs<R> : never;
