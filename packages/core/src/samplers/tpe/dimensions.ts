import type { ParameterScale, ParameterSpec, ParameterValue } from '../../space/types.js';
import { sameValue } from '../../space/validate.js';

/**
 * A numeric parameter as the estimator models it: values mapped onto a line where the scale is
 * linear (`log`: the logarithm; `reverse-log`: its mirror image, dense near `max`), between
 * `low` and `high` on that line. Integer and discrete parameters own an interval of the line
 * each (a cell), so a kernel gives them a probability mass rather than a density.
 */
export interface NumericDimension {
  readonly kind: 'numeric';
  readonly id: string;
  readonly low: number;
  readonly high: number;
  /** Whether values are points of a continuum (`double`) rather than cells. */
  readonly continuous: boolean;
  /** How many values it takes: the number of cells, `Infinity` for a `double`. */
  readonly cellCount: number;
  /** The value's position on the line, or `undefined` when the parameter cannot take it. */
  position(value: ParameterValue): number | undefined;
  /** The cell `[from, to]` of a value's position; only for integer and discrete parameters. */
  cell(position: number): readonly [number, number];
  /** The value a position stands for: the double itself (clamped), or the value of its cell. */
  valueAt(position: number): number;
}

/** A categorical parameter (or a discrete one with a single value): a list of choices by index. */
export interface CategoricalDimension {
  readonly kind: 'categorical';
  readonly id: string;
  readonly values: readonly ParameterValue[];
  /** The index of `value` in `values`, or `undefined` when the parameter cannot take it. */
  position(value: ParameterValue): number | undefined;
}

/** One parameter as the estimator models it. */
export type Dimension = NumericDimension | CategoricalDimension;

/** The map from values to the line and back, for a scale over `[min, max]` (both > 0 unless linear). */
interface ScaleMap {
  to(value: number): number;
  from(position: number): number;
}

function scaleMap(scale: ParameterScale, min: number, max: number): ScaleMap {
  switch (scale) {
    case 'linear':
      return { to: (value) => value, from: (position) => position };
    case 'log':
      return { to: Math.log, from: Math.exp };
    case 'reverse-log':
      // The mirror image of the log scale within [min, max], increasing with the value.
      return { to: (value) => -Math.log(min + max - value), from: (position) => min + max - Math.exp(-position) };
  }
}

/** The dimension of a parameter spec; the spec is assumed valid. */
export function dimensionOf(id: string, spec: ParameterSpec): Dimension {
  switch (spec.kind) {
    case 'categorical':
      return categoricalDimension(id, spec.values);
    case 'discrete':
      return spec.values.length === 1 ? categoricalDimension(id, spec.values) : discreteDimension(id, spec.values, spec.scale);
    case 'integer':
      return integerDimension(id, spec.min, spec.max, spec.scale);
    case 'double':
      return doubleDimension(id, spec.min, spec.max, spec.scale);
  }
}

function categoricalDimension(id: string, values: readonly ParameterValue[]): CategoricalDimension {
  return {
    kind: 'categorical',
    id,
    values,
    position: (value) => {
      const index = values.findIndex((candidate) => sameValue(candidate, value));
      return index === -1 ? undefined : index;
    },
  };
}

function doubleDimension(id: string, min: number, max: number, scale: ParameterScale): NumericDimension {
  const map = scaleMap(scale, min, max);
  const low = map.to(min);
  const high = map.to(max);
  return {
    kind: 'numeric',
    id,
    low,
    high,
    continuous: true,
    cellCount: Number.POSITIVE_INFINITY,
    position: (value) => (typeof value === 'number' && value >= min && value <= max ? Math.min(high, Math.max(low, map.to(value))) : undefined),
    cell: (position) => [position, position],
    valueAt: (position) => Math.min(max, Math.max(min, map.from(position))),
  };
}

/** Integers own `[v - 0.5, v + 0.5]` on their scale, as the random sampler draws them. */
function integerDimension(id: string, min: number, max: number, scale: ParameterScale): NumericDimension {
  const map = scaleMap(scale, min - 0.5, max + 0.5);
  return {
    kind: 'numeric',
    id,
    low: map.to(min - 0.5),
    high: map.to(max + 0.5),
    continuous: false,
    cellCount: max - min + 1,
    position: (value) => (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? map.to(value as number) : undefined),
    cell: (position) => {
      const value = Math.min(max, Math.max(min, Math.round(map.from(position))));
      return [map.to(value - 0.5), map.to(value + 0.5)];
    },
    valueAt: (position) => Math.min(max, Math.max(min, Math.round(map.from(position)))),
  };
}

/**
 * Discrete values own the stretch of the line nearer to them than to their neighbours; the
 * outermost ones reach half a gap beyond themselves.
 */
function discreteDimension(id: string, values: readonly number[], scale: ParameterScale): NumericDimension {
  const sorted = [...values].sort((a, b) => a - b);
  const map = scaleMap(scale, sorted[0] as number, sorted[sorted.length - 1] as number);
  const positions = sorted.map((value) => map.to(value));
  const last = positions.length - 1;
  const edges = [
    (positions[0] as number) - ((positions[1] as number) - (positions[0] as number)) / 2,
    ...positions.slice(1).map((position, index) => (position + (positions[index] as number)) / 2),
    (positions[last] as number) + ((positions[last] as number) - (positions[last - 1] as number)) / 2,
  ];
  const indexAt = (position: number): number => {
    // The last cell whose lower edge is at or below the position.
    let lowIndex = 0;
    let highIndex = last;
    while (lowIndex < highIndex) {
      const middle = (lowIndex + highIndex + 1) >> 1;
      if ((edges[middle] as number) <= position) lowIndex = middle;
      else highIndex = middle - 1;
    }
    return lowIndex;
  };
  return {
    kind: 'numeric',
    id,
    low: edges[0] as number,
    high: edges[last + 1] as number,
    continuous: false,
    cellCount: sorted.length,
    position: (value) => {
      const index = sorted.findIndex((candidate) => sameValue(candidate, value));
      return index === -1 ? undefined : positions[index];
    },
    cell: (position) => {
      const index = indexAt(position);
      return [edges[index] as number, edges[index + 1] as number];
    },
    valueAt: (position) => sorted[indexAt(position)] as number,
  };
}
