import { ValidationError } from '../errors.js';
import type { SearchAlgorithm } from '../samplers/algorithms.js';
import type { ParameterScale, ParameterValue, SearchSpace } from './types.js';

/**
 * The rule hptune applies to parameter ids: a letter, then letters, digits, `_` or `-`, at most 128
 * characters in all. Vertex AI documents only "no whitespace, unique amongst all ParameterSpecs";
 * hptune is stricter because each id becomes the trainer's `--<id>=<value>` command-line flag, and
 * flags with dots, slashes or quotes break argument parsers. 128 is Vertex's resource-name limit.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#ParameterSpec
 */
export const PARAMETER_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/**
 * The rule for metric ids: 1 to 128 characters, no whitespace (Vertex: "must not contain
 * whitespaces and must be unique amongst all MetricSpecs"; the length cap is hptune's).
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/StudySpec#MetricSpec
 */
export const METRIC_ID_PATTERN = /^\S{1,128}$/;

/** The most values a discrete parameter may list (Vertex `DiscreteValueSpec`: "not more than 1,000 values"). */
export const MAX_DISCRETE_VALUES = 1000;

/** Two discrete values closer than this are the same value to Vertex ("at least 1e-10 apart"). */
export const DISCRETE_EPSILON = 1e-10;

/** Options of {@link validateSearchSpace}. */
export interface ValidateSearchSpaceOptions {
  /** Also apply the algorithm's rules (grid: no `double` parameter anywhere). @default no algorithm rules */
  readonly algorithm?: SearchAlgorithm;
}

const SCALES: readonly ParameterScale[] = ['linear', 'log', 'reverse-log'];
const SPEC_KEYS = {
  double: ['kind', 'min', 'max', 'scale', 'conditions'],
  integer: ['kind', 'min', 'max', 'scale', 'conditions'],
  discrete: ['kind', 'values', 'scale', 'conditions'],
  categorical: ['kind', 'values', 'conditions'],
} as const;
type Kind = keyof typeof SPEC_KEYS;

/**
 * Checks a search space before anything runs, and throws on the first problem. Rules:
 * at least one parameter; ids follow {@link PARAMETER_ID_PATTERN} and are unique across the whole
 * space (conditional children included); `double` and `integer` bounds finite (integers: safe
 * integers) with `min < max`; `log`/`reverse-log` scales only over positive values; `discrete` and
 * `categorical` lists non-empty, without duplicates (discrete: finite, at most
 * {@link MAX_DISCRETE_VALUES}, at least {@link DISCRETE_EPSILON} apart; categorical: non-empty
 * strings); conditional children only under integer, discrete or categorical parents, on values the
 * parent can take; no unknown fields. With `algorithm: 'grid'`, no `double` parameter (at any depth).
 * @throws ValidationError with the field path (e.g. `parameters.batch_size.values[1]`), the value and the fix.
 */
export function validateSearchSpace(space: unknown, options: ValidateSearchSpaceOptions = {}): asserts space is SearchSpace {
  if (!isRecord(space)) {
    fail('searchSpace', space, 'is not a search space object', 'build one with searchSpace({ ... })');
  }
  const seen = new Map<string, string>();
  checkParameters(space['parameters'], 'parameters', seen, options);
  if (seen.size === 0) {
    fail('parameters', space['parameters'], 'declares no parameter', 'declare at least one, e.g. { activation: categorical(["relu", "softmax"]) }');
  }
}

function checkParameters(
  parameters: unknown,
  path: string,
  seen: Map<string, string>,
  options: ValidateSearchSpaceOptions,
): void {
  if (!isRecord(parameters)) {
    fail(path, parameters, 'is not an object of parameter specs by id', 'pass { id: spec, ... }, e.g. { batch_size: discrete([32, 64]) }');
  }
  for (const [id, spec] of Object.entries(parameters)) {
    const specPath = `${path}.${id}`;
    if (!PARAMETER_ID_PATTERN.test(id)) {
      fail(
        specPath,
        id,
        'is not a valid parameter id (it becomes the trainer flag --<id>=<value>)',
        'start with a letter and use only letters, digits, "_" or "-", at most 128 characters, e.g. "batch_size"',
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      fail(specPath, id, `repeats the parameter id declared at ${earlier}`, 'give each parameter, conditional children included, its own id');
    }
    seen.set(id, specPath);
    checkSpec(spec, specPath, seen, options);
  }
}

function checkSpec(spec: unknown, path: string, seen: Map<string, string>, options: ValidateSearchSpaceOptions): void {
  if (!isRecord(spec)) {
    fail(path, spec, 'is not a parameter spec', 'use double(), integer(), discrete() or categorical()');
  }
  const kind = spec['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(SPEC_KEYS, kind)) {
    fail(`${path}.kind`, kind, 'is not a parameter kind', 'use "double", "integer", "discrete" or "categorical"');
  }
  const known: readonly string[] = SPEC_KEYS[kind as Kind];
  for (const key of Object.keys(spec)) {
    if (!known.includes(key)) {
      fail(`${path}.${key}`, spec[key], `is not a field of a ${kind} parameter`, `remove it; a ${kind} parameter has ${known.join(', ')}`);
    }
  }
  switch (kind as Kind) {
    case 'double':
      checkBounds(spec, path, false);
      if (options.algorithm === 'grid') {
        fail(
          `${path}.kind`,
          kind,
          'cannot be searched by grid: a double parameter has no finite list of values',
          'list the values to try with discrete([...]) (or integer(min, max)), or use the random, tpe, gp or bayesian algorithm',
        );
      }
      if (spec['conditions'] !== undefined) {
        fail(
          `${path}.conditions`,
          spec['conditions'],
          'is not allowed on a double parameter (Vertex conditions only on integer, discrete and categorical parents)',
          'make the parent discrete([...]) or categorical([...])',
        );
      }
      return;
    case 'integer':
      checkBounds(spec, path, true);
      break;
    case 'discrete':
      checkDiscreteValues(spec, path);
      break;
    case 'categorical':
      checkCategoricalValues(spec, path);
      break;
  }
  checkConditions(spec, path, seen, options);
}

function checkBounds(spec: Record<string, unknown>, path: string, integers: boolean): void {
  const { min, max } = spec;
  for (const [name, bound] of [['min', min], ['max', max]] as const) {
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail(`${path}.${name}`, bound, 'is not a finite number', `give ${name} as a finite number`);
    }
    if (integers && !Number.isSafeInteger(bound)) {
      fail(`${path}.${name}`, bound, 'is not an integer', `give an integer parameter whole-number bounds, e.g. ${Math.round(bound)}, or use double()`);
    }
  }
  if ((min as number) >= (max as number)) {
    fail(`${path}.max`, max, `is not above min (${String(min)})`, 'give min < max; for a single value use discrete([value]) or categorical([value])');
  }
  const scale = checkScale(spec, path);
  if (scale !== 'linear' && (min as number) <= 0) {
    fail(`${path}.min`, min, `must be above 0 for the ${scale} scale`, 'raise min above 0 or use scale "linear"');
  }
}

function checkScale(spec: Record<string, unknown>, path: string): ParameterScale {
  const scale = spec['scale'] ?? 'linear';
  if (!SCALES.includes(scale as ParameterScale)) {
    fail(`${path}.scale`, scale, 'is not a scale', 'use "linear", "log" or "reverse-log"');
  }
  return scale as ParameterScale;
}

function checkValueList(spec: Record<string, unknown>, path: string, example: string): readonly unknown[] {
  const values = spec['values'];
  if (!Array.isArray(values)) {
    fail(`${path}.values`, values, 'is not a list of values', `pass a list, e.g. ${example}`);
  }
  if (values.length === 0) {
    fail(`${path}.values`, values, 'is empty', `list at least one value, e.g. ${example}`);
  }
  return values;
}

function checkDiscreteValues(spec: Record<string, unknown>, path: string): void {
  const values = checkValueList(spec, path, 'discrete([32, 64, 128])');
  if (values.length > MAX_DISCRETE_VALUES) {
    fail(`${path}.values`, `${values.length} values`, `lists more than Vertex's ${MAX_DISCRETE_VALUES}`, 'use integer(min, max) or double(min, max) for a wide range');
  }
  values.forEach((value, index) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(`${path}.values[${index}]`, value, 'is not a finite number', 'list finite numbers only; use categorical() for strings');
    }
    const twin = values.findIndex((other, j) => j < index && Math.abs((other as number) - value) < DISCRETE_EPSILON);
    if (twin !== -1) {
      fail(`${path}.values[${index}]`, value, `repeats values[${twin}]`, 'list each value once');
    }
  });
  const scale = checkScale(spec, path);
  const lowest = Math.min(...(values as number[]));
  if (scale !== 'linear' && lowest <= 0) {
    fail(`${path}.values`, values, `must all be above 0 for the ${scale} scale`, 'remove values <= 0 or use scale "linear"');
  }
}

function checkCategoricalValues(spec: Record<string, unknown>, path: string): void {
  const values = checkValueList(spec, path, 'categorical(["relu", "softmax"])');
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value.length === 0) {
      fail(`${path}.values[${index}]`, value, 'is not a non-empty string', 'list non-empty strings only; use discrete() for numbers');
    }
    const twin = values.indexOf(value);
    if (twin !== index) {
      fail(`${path}.values[${index}]`, value, `repeats values[${twin}]`, 'list each value once');
    }
  });
}

function checkConditions(spec: Record<string, unknown>, path: string, seen: Map<string, string>, options: ValidateSearchSpaceOptions): void {
  const conditions = spec['conditions'];
  if (conditions === undefined) return;
  if (!Array.isArray(conditions)) {
    fail(`${path}.conditions`, conditions, 'is not a list', 'pass when: [{ parentValues: [...], parameters: { ... } }]');
  }
  conditions.forEach((condition: unknown, index) => {
    const conditionPath = `${path}.conditions[${index}]`;
    if (!isRecord(condition)) {
      fail(conditionPath, condition, 'is not a condition', 'pass { parentValues: [...], parameters: { ... } }');
    }
    for (const key of Object.keys(condition)) {
      if (key !== 'parentValues' && key !== 'parameters') {
        fail(`${conditionPath}.${key}`, condition[key], 'is not a field of a condition', 'a condition has parentValues and parameters');
      }
    }
    const parentValues = condition['parentValues'];
    if (!Array.isArray(parentValues) || parentValues.length === 0) {
      fail(`${conditionPath}.parentValues`, parentValues, 'is not a non-empty list', 'list the parent values under which the children are active');
    }
    parentValues.forEach((value: unknown, valueIndex) => {
      const valuePath = `${conditionPath}.parentValues[${valueIndex}]`;
      if (!parentCanTake(spec, value)) {
        fail(valuePath, value, `is not a value the parent ${describeValues(spec)} can take`, 'condition only on values the parent can take');
      }
      if (parentValues.findIndex((other: unknown) => sameValue(other, value)) !== valueIndex) {
        fail(valuePath, value, 'is listed twice', 'list each parent value once');
      }
    });
    const children = condition['parameters'];
    if (isRecord(children) && Object.keys(children).length === 0) {
      fail(`${conditionPath}.parameters`, children, 'declares no parameter', 'declare at least one child parameter, or remove the condition');
    }
    checkParameters(children, `${conditionPath}.parameters`, seen, options);
  });
}

/** Whether `spec` (an integer, discrete or categorical parent) can take `value`. */
function parentCanTake(spec: Record<string, unknown>, value: unknown): boolean {
  if (spec['kind'] === 'integer') {
    return Number.isSafeInteger(value) && (value as number) >= (spec['min'] as number) && (value as number) <= (spec['max'] as number);
  }
  return (spec['values'] as readonly unknown[]).some((candidate) => sameValue(candidate, value));
}

function describeValues(spec: Record<string, unknown>): string {
  if (spec['kind'] === 'integer') return `(integers ${String(spec['min'])} to ${String(spec['max'])})`;
  return `(${(spec['values'] as readonly ParameterValue[]).map((value) => JSON.stringify(value)).join(', ')})`;
}

/** Parameter value equality: strings exactly, numbers within {@link DISCRETE_EPSILON} as Vertex matches them. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < DISCRETE_EPSILON;
  return a === b;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, value, problem, fix });
}
