import { ValidationError } from '../errors.js';
import type { ConditionalParameters, ParameterScale, ParameterSpec, ParameterSpecs, SearchSpace } from './types.js';
import { checkSearchSpace } from './checked.js';
import { MAX_CONDITION_DEPTH } from './validate.js';

/**
 * How deeply a search space's JSON may nest (objects and arrays): room for conditions
 * `MAX_CONDITION_DEPTH` levels deep (4 levels each) and the rest, checked before anything reads it.
 */
export const MAX_SEARCH_SPACE_JSON_DEPTH = 64;

/**
 * How deeply `value` nests objects and arrays (a number or string: 0), counted without recursion
 * and only up to `limit + 1`, so a hostile value nested a million deep costs no more than its size.
 */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The version of the search-space JSON format that {@link searchSpaceToJSON} writes. */
export const SEARCH_SPACE_JSON_VERSION = 1;

/** A parameter spec as JSON: the spec's own fields, `scale` always written for numeric kinds. */
export type ParameterSpecJSON =
  | { kind: 'double'; min: number; max: number; scale: ParameterScale }
  | { kind: 'integer'; min: number; max: number; scale: ParameterScale; conditions?: ConditionalParametersJSON[] }
  | { kind: 'discrete'; values: number[]; scale: ParameterScale; conditions?: ConditionalParametersJSON[] }
  | { kind: 'categorical'; values: string[]; conditions?: ConditionalParametersJSON[] };

/** A group of conditional children as JSON. */
export interface ConditionalParametersJSON {
  parentValues: (string | number)[];
  parameters: Record<string, ParameterSpecJSON>;
}

/**
 * A search space as plain JSON, versioned: `{ "version": 1, "parameters": { "<id>": spec, ... } }`,
 * the same shape as {@link SearchSpace} (so error paths read the same), with parameters in
 * declaration order and conditional children under each spec's `conditions`.
 */
export interface SearchSpaceJSON {
  version: typeof SEARCH_SPACE_JSON_VERSION;
  parameters: Record<string, ParameterSpecJSON>;
}

/**
 * Writes a search space as plain, versioned JSON data (pass it to `JSON.stringify`); it is
 * validated first, so what is written can always be read back.
 * @throws ValidationError when the space is invalid.
 */
export function searchSpaceToJSON(space: SearchSpace): SearchSpaceJSON {
  return { version: SEARCH_SPACE_JSON_VERSION, parameters: specsToJSON(checkSearchSpace(space).parameters) };
}

function specsToJSON(specs: ParameterSpecs): Record<string, ParameterSpecJSON> {
  const out: Record<string, ParameterSpecJSON> = {};
  for (const [id, spec] of Object.entries(specs)) out[id] = specToJSON(spec);
  return out;
}

function specToJSON(spec: ParameterSpec): ParameterSpecJSON {
  switch (spec.kind) {
    case 'double':
      return { kind: 'double', min: spec.min, max: spec.max, scale: spec.scale ?? 'linear' };
    case 'integer':
      return withConditions({ kind: 'integer', min: spec.min, max: spec.max, scale: spec.scale ?? 'linear' }, spec.conditions);
    case 'discrete':
      return withConditions({ kind: 'discrete', values: [...spec.values], scale: spec.scale ?? 'linear' }, spec.conditions);
    case 'categorical':
      return withConditions({ kind: 'categorical', values: [...spec.values] }, spec.conditions);
  }
}

function withConditions<S extends ParameterSpecJSON>(spec: S, conditions: readonly ConditionalParameters[] | undefined): S {
  if (conditions === undefined) return spec;
  return {
    ...spec,
    conditions: conditions.map((condition) => ({
      parentValues: [...condition.parentValues],
      parameters: specsToJSON(condition.parameters),
    })),
  };
}

/**
 * Reads a search space from JSON (the text or the parsed value) written by
 * {@link searchSpaceToJSON}, and validates it with every rule of `validateSearchSpace`.
 * A missing `scale` reads as `linear`.
 * @throws ValidationError naming the path of the bad field (e.g. `parameters.batch_size.values[2]`).
 */
export function searchSpaceFromJSON(json: unknown): SearchSpace {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json) as unknown;
    } catch (error) {
      throw new ValidationError(
        { field: 'searchSpace', value: json.length > 80 ? `${json.slice(0, 80)}...` : json, problem: 'is not valid JSON', fix: 'pass the text searchSpaceToJSON wrote' },
        { cause: error },
      );
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError({ field: 'searchSpace', value: data, problem: 'is not a search space object', fix: 'pass { "version": 1, "parameters": { ... } }' });
  }
  // Before anything walks it recursively: a space nested thousands deep would overflow the stack.
  const depth = jsonDepth(data, MAX_SEARCH_SPACE_JSON_DEPTH);
  if (depth > MAX_SEARCH_SPACE_JSON_DEPTH) {
    throw new ValidationError({
      field: 'searchSpace',
      value: `JSON nested more than ${MAX_SEARCH_SPACE_JSON_DEPTH} levels deep`,
      problem: `is deeper than any search space (conditions at most ${MAX_CONDITION_DEPTH} levels deep)`,
      fix: 'flatten the space: make deep children top-level parameters',
    });
  }
  const { version, parameters, ...rest } = data as Record<string, unknown>;
  if (version !== SEARCH_SPACE_JSON_VERSION) {
    throw new ValidationError({
      field: 'version',
      value: version,
      problem: `is not a search-space format this hptune reads (it reads version ${SEARCH_SPACE_JSON_VERSION})`,
      fix: 'write the space with searchSpaceToJSON from this version of hptune',
    });
  }
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) {
    throw new ValidationError({ field: extra, value: rest[extra], problem: 'is not a field of a search space', fix: 'a search space has only version and parameters' });
  }
  return checkSearchSpace({ parameters: defaultScales(parameters) } as SearchSpace);
}

/** A deep copy of parsed specs with `scale: 'linear'` filled in where a numeric spec omits it; anything else is copied as is for validation to judge. */
function defaultScales(parameters: unknown): unknown {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) return parameters;
  const out: Record<string, unknown> = {};
  for (const [id, spec] of Object.entries(parameters)) {
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      out[id] = spec;
      continue;
    }
    const copy: Record<string, unknown> = { ...spec };
    if (copy['kind'] !== 'categorical' && copy['scale'] === undefined) copy['scale'] = 'linear';
    if (Array.isArray(copy['values'])) copy['values'] = [...(copy['values'] as unknown[])];
    if (Array.isArray(copy['conditions'])) {
      copy['conditions'] = (copy['conditions'] as unknown[]).map((condition) =>
        typeof condition === 'object' && condition !== null && !Array.isArray(condition)
          ? { ...condition, parameters: defaultScales((condition as Record<string, unknown>)['parameters']) }
          : condition,
      );
    }
    out[id] = copy;
  }
  return out;
}
