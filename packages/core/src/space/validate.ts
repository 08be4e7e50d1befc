import { ValidationError } from '../errors.js';
import { isGridSearch, type SearchAlgorithm } from '../algorithms.js';
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

/** The most values a categorical parameter may list, as many as a discrete one. */
export const MAX_CATEGORICAL_VALUES = 1000;

/** The most characters in one categorical value: it reaches the trainer as one command-line argument. */
export const MAX_CATEGORICAL_VALUE_LENGTH = 4096;

/**
 * The most parameters a search space may declare, conditional children included: each is a flag on
 * every trial's command line and a column of every report, and searching more is not tuning.
 */
export const MAX_SEARCH_SPACE_PARAMETERS = 1000;

/** The most levels of conditional parameters (a child's `conditions` one level below its parent's). */
export const MAX_CONDITION_DEPTH = 10;

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
 * strings without NUL, at most {@link MAX_CATEGORICAL_VALUES} of at most
 * {@link MAX_CATEGORICAL_VALUE_LENGTH} characters); conditional children only under integer,
 * discrete or categorical parents, on values the parent can take, at most
 * {@link MAX_CONDITION_DEPTH} levels deep; at most {@link MAX_SEARCH_SPACE_PARAMETERS} parameters in
 * all; no unknown fields. With `algorithm: 'grid'` (or `'shuffled-grid'`), no `double` parameter (at any depth). Runs in
 * n log n of the values listed.
 * @throws ValidationError with the field path (e.g. `parameters.batch_size.values[1]`), the value and the fix.
 */
export function validateSearchSpace(space: unknown, options: ValidateSearchSpaceOptions = {}): asserts space is SearchSpace {
  if (!isRecord(space)) {
    fail('searchSpace', space, 'is not a search space object', 'build one with searchSpace({ ... })');
  }
  const seen = new Map<string, string>();
  checkParameters(space['parameters'], 'parameters', seen, options, 0);
  if (seen.size === 0) {
    fail('parameters', space['parameters'], 'declares no parameter', 'declare at least one, e.g. { activation: categorical(["relu", "softmax"]) }');
  }
}

function checkParameters(
  parameters: unknown,
  path: string,
  seen: Map<string, string>,
  options: ValidateSearchSpaceOptions,
  depth: number,
): void {
  if (!isRecord(parameters)) {
    fail(path, parameters, 'is not an object of parameter specs by id', 'pass { id: spec, ... }, e.g. { batch_size: discrete([32, 64]) }');
  }
  for (const [id, spec] of Object.entries(parameters)) {
    const specPath = `${path}.${id}`;
    if (seen.size >= MAX_SEARCH_SPACE_PARAMETERS) {
      fail(specPath, id, `is one parameter more than a search space may declare (${MAX_SEARCH_SPACE_PARAMETERS}, conditional children included)`, `search at most ${MAX_SEARCH_SPACE_PARAMETERS} parameters; fix the others at their best known values`);
    }
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
    checkSpec(spec, specPath, seen, options, depth);
  }
}

function checkSpec(spec: unknown, path: string, seen: Map<string, string>, options: ValidateSearchSpaceOptions, depth: number): void {
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
      if (options.algorithm !== undefined && isGridSearch(options.algorithm)) {
        fail(
          `${path}.kind`,
          kind,
          `cannot be searched by ${options.algorithm}: a double parameter has no finite list of values`,
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
  checkConditions(spec, path, seen, options, depth);
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
  });
  // Sorted once, near-equal values are neighbours: n log n, not a comparison of every pair.
  const order = values.map((_, index) => index).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  let repeat: [number, number] | undefined;
  for (let k = 1; k < order.length; k++) {
    const [earlier, later] = [order[k - 1] as number, order[k] as number];
    if ((values[later] as number) - (values[earlier] as number) < DISCRETE_EPSILON) {
      const pair: [number, number] = [Math.min(earlier, later), Math.max(earlier, later)];
      if (!repeat || pair[1] < repeat[1]) repeat = pair;
    }
  }
  if (repeat) fail(`${path}.values[${repeat[1]}]`, values[repeat[1]], `repeats values[${repeat[0]}]`, 'list each value once');
  const scale = checkScale(spec, path);
  const lowest = (values as number[]).reduce((low, value) => Math.min(low, value), Infinity);
  if (scale !== 'linear' && lowest <= 0) {
    fail(`${path}.values`, values, `must all be above 0 for the ${scale} scale`, 'remove values <= 0 or use scale "linear"');
  }
}

function checkCategoricalValues(spec: Record<string, unknown>, path: string): void {
  const values = checkValueList(spec, path, 'categorical(["relu", "softmax"])');
  if (values.length > MAX_CATEGORICAL_VALUES) {
    fail(`${path}.values`, `${values.length} values`, `lists more than ${MAX_CATEGORICAL_VALUES}`, 'search fewer values, or split the parameter into several');
  }
  const first = new Map<string, number>();
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value.length === 0) {
      fail(`${path}.values[${index}]`, value, 'is not a non-empty string', 'list non-empty strings only; use discrete() for numbers');
    }
    if (value.includes('\0')) {
      fail(`${path}.values[${index}]`, value, 'holds a NUL character, which no command-line argument can carry', 'remove the \\0 from the value');
    }
    if (value.length > MAX_CATEGORICAL_VALUE_LENGTH) {
      fail(`${path}.values[${index}]`, `${value.slice(0, 40)}...`, `is ${value.length} characters long, more than ${MAX_CATEGORICAL_VALUE_LENGTH}`, 'give a shorter value; the trainer can map a short name to a long setting');
    }
    const twin = first.get(value);
    if (twin !== undefined) {
      fail(`${path}.values[${index}]`, value, `repeats values[${twin}]`, 'list each value once');
    }
    first.set(value, index);
  });
}

function checkConditions(spec: Record<string, unknown>, path: string, seen: Map<string, string>, options: ValidateSearchSpaceOptions, depth: number): void {
  const conditions = spec['conditions'];
  if (conditions === undefined) return;
  if (!Array.isArray(conditions)) {
    fail(`${path}.conditions`, conditions, 'is not a list', 'pass when: [{ parentValues: [...], parameters: { ... } }]');
  }
  if (depth >= MAX_CONDITION_DEPTH) {
    fail(`${path}.conditions`, `conditions ${depth + 1} levels deep`, `nest deeper than a search space may (${MAX_CONDITION_DEPTH} levels)`, 'flatten the space: make deep children top-level parameters');
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
    const takes = parentValueIndex(spec);
    const listed = new Set<number>();
    parentValues.forEach((value: unknown, valueIndex) => {
      const valuePath = `${conditionPath}.parentValues[${valueIndex}]`;
      const slot = takes(value);
      if (slot === undefined) {
        fail(valuePath, value, `is not a value the parent ${describeValues(spec)} can take`, 'condition only on values the parent can take');
      }
      if (listed.has(slot)) fail(valuePath, value, 'is listed twice', 'list each parent value once');
      listed.add(slot);
    });
    const children = condition['parameters'];
    if (isRecord(children) && Object.keys(children).length === 0) {
      fail(`${conditionPath}.parameters`, children, 'declares no parameter', 'declare at least one child parameter, or remove the condition');
    }
    checkParameters(children, `${conditionPath}.parameters`, seen, options, depth + 1);
  });
}

/**
 * For an integer, discrete or categorical parent: which of its values a condition's value is (an
 * integer's own value, a list's index), `undefined` when the parent cannot take it. Built once per
 * condition: a categorical lookup is a map, a discrete one a binary search, so long lists check in
 * n log n, not n².
 */
function parentValueIndex(spec: Record<string, unknown>): (value: unknown) => number | undefined {
  if (spec['kind'] === 'integer') {
    const [min, max] = [spec['min'] as number, spec['max'] as number];
    return (value) => (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : undefined);
  }
  const values = spec['values'] as readonly unknown[];
  if (spec['kind'] === 'categorical') {
    const index = new Map(values.map((value, position) => [value, position]));
    return (value) => index.get(value);
  }
  const sorted = values.map((value, position) => [value as number, position] as const).sort((a, b) => a[0] - b[0]);
  return (value) => {
    if (typeof value !== 'number') return undefined;
    let [low, high] = [0, sorted.length - 1];
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [candidate, position] = sorted[middle] as readonly [number, number];
      if (sameValue(candidate, value)) return position;
      if (candidate < value) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  };
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
