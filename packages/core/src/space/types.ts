/**
 * The shapes of a search space, mirroring Vertex AI's `StudySpec.ParameterSpec`.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#ParameterSpec
 */

/** How values of a numeric parameter are spread when sampled, as Vertex's `ScaleType`. */
export type ParameterScale = 'linear' | 'log' | 'reverse-log';

/** A value a trial's parameter takes. */
export type ParameterValue = string | number;

/** The parameters of one trial, by parameter id. Only the parameters active for that trial appear. */
export type TrialParameters = Readonly<Record<string, ParameterValue>>;

/** A continuous parameter in `[min, max]` (Vertex `DOUBLE`). */
export interface DoubleParameterSpec {
  readonly kind: 'double';
  readonly min: number;
  readonly max: number;
  /** @default 'linear' */
  readonly scale: ParameterScale;
  readonly conditions?: readonly ConditionalParameters[];
}

/** An integer parameter in `[min, max]`, both ends included (Vertex `INTEGER`). */
export interface IntegerParameterSpec {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  /** @default 'linear' */
  readonly scale: ParameterScale;
  readonly conditions?: readonly ConditionalParameters[];
}

/** A parameter that takes one of a list of numbers (Vertex `DISCRETE`). */
export interface DiscreteParameterSpec<V extends number = number> {
  readonly kind: 'discrete';
  readonly values: readonly V[];
  /** @default 'linear' */
  readonly scale: ParameterScale;
  readonly conditions?: readonly ConditionalParameters[];
}

/** A parameter that takes one of a list of strings (Vertex `CATEGORICAL`). */
export interface CategoricalParameterSpec<V extends string = string> {
  readonly kind: 'categorical';
  readonly values: readonly V[];
  readonly conditions?: readonly ConditionalParameters[];
}

/** Any parameter spec. */
export type ParameterSpec = DoubleParameterSpec | IntegerParameterSpec | DiscreteParameterSpec | CategoricalParameterSpec;

/**
 * Child parameters active only when their parent takes one of `parentValues`
 * (Vertex `ConditionalParameterSpec`).
 */
export interface ConditionalParameters {
  readonly parentValues: readonly ParameterValue[];
  readonly parameters: Readonly<Record<string, ParameterSpec>>;
}
