import { ValidationError } from '../../errors.js';
import type { MeasurementSelection, MetricSpec } from '../../study/types.js';
import type { ConditionalParameters, ParameterScale, ParameterSpec, ParameterSpecs, SearchSpace } from '../../space/types.js';
import { ALGORITHM_BACKENDS, VERTEX_ALGORITHMS, type SearchAlgorithm, type VertexAlgorithm } from '../../algorithms.js';
import { checkSearchSpace } from '../../space/checked.js';
import { METRIC_ID_PATTERN } from '../../space/validate.js';

/** Vertex's `StudySpec.ParameterSpec.ScaleType` names, as the Node client takes enum values. */
export type VertexScaleType = 'UNIT_LINEAR_SCALE' | 'UNIT_LOG_SCALE' | 'UNIT_REVERSE_LOG_SCALE';

/** Vertex's `StudySpec.MeasurementSelectionType`. */
export type VertexMeasurementSelectionType = 'LAST_MEASUREMENT' | 'BEST_MEASUREMENT';

/** `StudySpec.MetricSpec`. */
export interface VertexMetricSpec {
  metricId: string;
  goal: 'MAXIMIZE' | 'MINIMIZE';
}

/** `StudySpec.ParameterSpec.ConditionalParameterSpec`: one child spec, with the parent values that activate it (one of the three `parent*Values`, by the parent's kind). */
export type VertexConditionalParameterSpec = { parameterSpec: VertexParameterSpec } & (
  | { parentCategoricalValues: { values: string[] } }
  | { parentDiscreteValues: { values: number[] } }
  | { parentIntValues: { values: number[] } }
);

/**
 * `StudySpec.ParameterSpec`, camelCase, one of the four value specs set. Integer bounds are numbers
 * (the proto's int64; the client accepts numbers). `scaleType` is optional in the proto (unset means no
 * scaling); {@link toVertexStudySpec} sets it for every kind but categorical, which must leave it unset.
 */
export type VertexParameterSpec = { parameterId: string; conditionalParameterSpecs?: VertexConditionalParameterSpec[] } & (
  | { doubleValueSpec: { minValue: number; maxValue: number }; scaleType?: VertexScaleType }
  | { integerValueSpec: { minValue: number; maxValue: number }; scaleType?: VertexScaleType }
  | { discreteValueSpec: { values: number[] }; scaleType?: VertexScaleType }
  | { categoricalValueSpec: { values: string[] } }
);

/**
 * A `google.cloud.aiplatform.v1.StudySpec` as `@google-cloud/aiplatform`'s `JobServiceClient` takes it
 * in a `HyperparameterTuningJob` (camelCase keys, enum values as strings); also the JSON a dry run prints.
 * Fields the proto leaves optional are optional here, so the type also describes specs from elsewhere.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec
 */
export interface VertexStudySpec {
  metrics: VertexMetricSpec[];
  parameters: VertexParameterSpec[];
  /** Unset means `ALGORITHM_UNSPECIFIED` (Bayesian optimization); {@link toVertexStudySpec} always sets it. */
  algorithm?: VertexAlgorithm;
  /** Unset means `MEASUREMENT_SELECTION_TYPE_UNSPECIFIED`; {@link toVertexStudySpec} always sets it. */
  measurementSelectionType?: VertexMeasurementSelectionType;
  /** Vizier's median automated stopping rule; at most one stopping spec is set. */
  medianAutomatedStoppingSpec?: { useElapsedDuration?: boolean };
  /** Vizier's decay-curve automated stopping rule; at most one stopping spec is set. */
  decayCurveStoppingSpec?: { useElapsedDuration?: boolean };
}

/** Options of {@link toVertexStudySpec}. */
export interface VertexStudySpecOptions {
  /** The metric the study optimizes; its id follows {@link METRIC_ID_PATTERN}. */
  readonly metric: MetricSpec;
  /** `grid` -> GRID_SEARCH, `random` -> RANDOM_SEARCH, `bayesian` -> ALGORITHM_UNSPECIFIED (Vertex's default, Bayesian optimization). */
  readonly algorithm: SearchAlgorithm;
  /**
   * Which of a trial's measurements is its result: the last one reported, or the best.
   * @default 'best' (as the Vertex AI Python SDK's `HyperparameterTuningJob`)
   */
  readonly measurementSelection?: MeasurementSelection;
}

const SCALE_TYPES: Readonly<Record<ParameterScale, VertexScaleType>> = {
  linear: 'UNIT_LINEAR_SCALE',
  log: 'UNIT_LOG_SCALE',
  'reverse-log': 'UNIT_REVERSE_LOG_SCALE',
};

/**
 * The Vertex `StudySpec` for a search space: a pure function, no network. Parameters keep their
 * declaration order; discrete values are sent in increasing order (as Vertex asks); conditional
 * children become `conditionalParameterSpecs` on their parent, one entry per child.
 * @throws ValidationError when the space is invalid for the algorithm (grid over a double), the metric id
 * or goal is not one Vertex takes, or the measurement selection is unknown.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec
 */
export function toVertexStudySpec(space: SearchSpace, options: VertexStudySpecOptions): VertexStudySpec {
  const { metric, algorithm } = options;
  const vertexAlgorithm = Object.hasOwn(ALGORITHM_BACKENDS, algorithm) ? ALGORITHM_BACKENDS[algorithm].vertex : undefined;
  if (vertexAlgorithm === undefined) {
    throw new ValidationError({
      field: 'algorithm',
      value: algorithm,
      problem: 'is not a search algorithm Vertex AI runs',
      fix: `use ${VERTEX_ALGORITHMS.map((name) => JSON.stringify(name)).join(', ')} (bayesian is Vertex AI's model-based search)`,
    });
  }
  checkSearchSpace(space, { algorithm });
  if (typeof metric?.id !== 'string' || !METRIC_ID_PATTERN.test(metric.id)) {
    throw new ValidationError({
      field: 'metric.id',
      value: metric?.id,
      problem: 'is not a metric id Vertex accepts',
      fix: 'use the metric tag the trainer reports, 1 to 128 characters without whitespace, e.g. "accuracy"',
    });
  }
  if (metric.goal !== 'maximize' && metric.goal !== 'minimize') {
    throw new ValidationError({ field: 'metric.goal', value: metric.goal, problem: 'is not a goal', fix: 'use "maximize" or "minimize"' });
  }
  const selection = options.measurementSelection ?? 'best';
  if (selection !== 'best' && selection !== 'last') {
    throw new ValidationError({ field: 'measurementSelection', value: selection, problem: 'is not a measurement selection', fix: 'use "best" or "last"' });
  }
  return {
    metrics: [{ metricId: metric.id, goal: metric.goal === 'maximize' ? 'MAXIMIZE' : 'MINIMIZE' }],
    parameters: toParameterSpecs(space.parameters),
    algorithm: vertexAlgorithm,
    measurementSelectionType: selection === 'best' ? 'BEST_MEASUREMENT' : 'LAST_MEASUREMENT',
  };
}

function toParameterSpecs(specs: ParameterSpecs): VertexParameterSpec[] {
  return Object.entries(specs).map(([id, spec]) => toParameterSpec(id, spec));
}

function toParameterSpec(parameterId: string, spec: ParameterSpec): VertexParameterSpec {
  const conditional = toConditionalSpecs(spec);
  const children = conditional.length > 0 ? { conditionalParameterSpecs: conditional } : {};
  switch (spec.kind) {
    case 'double':
      return { parameterId, doubleValueSpec: { minValue: spec.min, maxValue: spec.max }, scaleType: SCALE_TYPES[spec.scale ?? 'linear'] };
    case 'integer':
      return { parameterId, integerValueSpec: { minValue: spec.min, maxValue: spec.max }, scaleType: SCALE_TYPES[spec.scale ?? 'linear'], ...children };
    case 'discrete':
      return { parameterId, discreteValueSpec: { values: [...spec.values].sort((a, b) => a - b) }, scaleType: SCALE_TYPES[spec.scale ?? 'linear'], ...children };
    case 'categorical':
      return { parameterId, categoricalValueSpec: { values: [...spec.values] }, ...children };
  }
}

function toConditionalSpecs(spec: ParameterSpec): VertexConditionalParameterSpec[] {
  const conditions: readonly ConditionalParameters[] = spec.conditions ?? [];
  return conditions.flatMap((condition) => {
    const parent = parentCondition(spec, condition);
    return Object.entries(condition.parameters).map(([id, child]) => ({ parameterSpec: toParameterSpec(id, child), ...parent }));
  });
}

function parentCondition(spec: ParameterSpec, condition: ConditionalParameters) {
  const values = [...condition.parentValues];
  switch (spec.kind) {
    case 'categorical':
      return { parentCategoricalValues: { values: values.map(String) } };
    case 'discrete':
      return { parentDiscreteValues: { values: values.map(Number) } };
    default:
      return { parentIntValues: { values: values.map(Number) } };
  }
}
