/**
 * The shapes of a search space, mirroring Vertex AI's `StudySpec.ParameterSpec`. They are declared
 * in `@hptune/trial` (type-only), so a trainer can declare its own search space without depending on
 * core; the builder, validation and sampling are here.
 */
export type {
  CategoricalParameterSpec,
  ConditionalParameters,
  DiscreteParameterSpec,
  DoubleParameterSpec,
  IntegerParameterSpec,
  ParameterKind,
  ParameterScale,
  ParameterSpec,
  ParameterSpecs,
  ParameterValue,
  SearchSpace,
  TrialParameters,
} from '@hptune/trial';
