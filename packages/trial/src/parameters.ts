/**
 * The shapes of a search space, mirroring Vertex AI's `StudySpec.ParameterSpec`.
 *
 * The spec interfaces are generic so that the builder (`categorical`, `discrete`, ...) can keep
 * literal value types and the exact shape of conditional children; every generic defaults to the
 * wide form, which is what code that handles any space works with.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#ParameterSpec
 */

/** How values of a numeric parameter are spread when sampled, as Vertex's `ScaleType`. */
export type ParameterScale = 'linear' | 'log' | 'reverse-log';

/** A value a trial's parameter takes. */
export type ParameterValue = string | number;

/** The parameters of one trial, by parameter id. Only the parameters active for that trial appear. */
export type TrialParameters = Readonly<Record<string, ParameterValue>>;

/** A continuous parameter in `[min, max]` (Vertex `DOUBLE`). It cannot be the parent of conditional parameters. */
export interface DoubleParameterSpec {
  readonly kind: 'double';
  /** Inclusive lower bound; finite. */
  readonly min: number;
  /** Inclusive upper bound; finite and above `min`. */
  readonly max: number;
  /** @default 'linear' */
  readonly scale: ParameterScale;
  /** Rejected by validation: Vertex only conditions on discrete, integer and categorical parents. */
  readonly conditions?: readonly ConditionalParameters[];
}

/** An integer parameter in `[min, max]`, both ends included (Vertex `INTEGER`). */
export interface IntegerParameterSpec<C extends readonly ConditionalParameters<number>[] = readonly ConditionalParameters<number>[]> {
  readonly kind: 'integer';
  /** Inclusive lower bound; a safe integer. */
  readonly min: number;
  /** Inclusive upper bound; a safe integer above `min`. */
  readonly max: number;
  /** @default 'linear' */
  readonly scale: ParameterScale;
  readonly conditions?: C;
}

/** A parameter that takes one of a list of numbers (Vertex `DISCRETE`). */
export interface DiscreteParameterSpec<
  V extends number = number,
  C extends readonly ConditionalParameters<V>[] = readonly ConditionalParameters<V>[],
> {
  readonly kind: 'discrete';
  /** The values, in the order grid search visits them. */
  readonly values: readonly V[];
  /** Passed to Vertex as the parameter's `scaleType`; local random sampling picks a value uniformly. @default 'linear' */
  readonly scale: ParameterScale;
  readonly conditions?: C;
}

/** A parameter that takes one of a list of strings (Vertex `CATEGORICAL`). */
export interface CategoricalParameterSpec<
  V extends string = string,
  C extends readonly ConditionalParameters<V>[] = readonly ConditionalParameters<V>[],
> {
  readonly kind: 'categorical';
  /** The values, in the order grid search visits them. */
  readonly values: readonly V[];
  readonly conditions?: C;
}

/** Any parameter spec. */
export type ParameterSpec = DoubleParameterSpec | IntegerParameterSpec | DiscreteParameterSpec | CategoricalParameterSpec;

/** The kind of a parameter, as Vertex names its value specs (`DOUBLE`, `INTEGER`, `DISCRETE`, `CATEGORICAL`). */
export type ParameterKind = ParameterSpec['kind'];

/** Parameter specs by parameter id, in declaration order. */
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;

/**
 * Child parameters active only when their parent takes one of `parentValues`
 * (Vertex `ConditionalParameterSpec`). Children may have children of their own.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#ConditionalParameterSpec
 */
export interface ConditionalParameters<
  V extends ParameterValue = ParameterValue,
  R extends ParameterSpecs = ParameterSpecs,
> {
  /** The parent values under which `parameters` are active; each one a value the parent can take. */
  readonly parentValues: readonly V[];
  /** The child parameters, by id; ids are unique across the whole space. */
  readonly parameters: R;
}

/**
 * A search space: the parameters a study tunes, by id, in declaration order (grid search varies the
 * first one slowest). Build one with `searchSpace({...})`; it is plain data, serializable with
 * `searchSpaceToJSON`.
 */
export interface SearchSpace<R extends ParameterSpecs = ParameterSpecs> {
  readonly parameters: R;
}
