import type { ParameterSpec, ParameterValue, SearchSpace, TrialParameters } from '../../space/types.js';
import { sameValue } from '../../space/validate.js';
import { assignActive } from '../../space/walk.js';
import { dimensionOf } from '../tpe/dimensions.js';

/**
 * One parameter as a coordinate of the GP's unit cube.
 * - `continuous` (`double`): its value on its scale (log, reverse-log, linear), mapped onto `[0, 1]`.
 * - `ordered` (`integer`, `discrete`): the same map, with each value owning a cell of the line
 *   (TPE's cells); the acquisition is only ever evaluated at the values' own coordinates.
 * - `categorical` (and a single-valued discrete): the choice's index, which the kernel only
 *   compares for equality.
 */
export interface Coordinate {
  readonly id: string;
  readonly kind: 'continuous' | 'ordered' | 'categorical';
  /** The other coordinates the local search tries from `coordinate`: every other choice of a categorical (and of a short ordered list), else neighbours 1, 2, 4, ... values away; none for `continuous`. */
  alternatives(coordinate: number): number[];
  /** The coordinate of a value, or `undefined` when the parameter cannot take it. */
  toCoordinate(value: ParameterValue): number | undefined;
  /** The value a coordinate stands for (rounded to the nearest value for `ordered`). */
  valueAt(coordinate: number): ParameterValue;
  /** The coordinate rounded to one the parameter can take: the value's own coordinate. */
  snap(coordinate: number): number;
  /** The coordinate a uniform draw `unit` in `[0, 1)` stands for: each value of an integer by its cell, of a discrete or categorical equally likely, as the random sampler draws them. */
  fromUnit(unit: number): number;
}

/** Whether any parameter of the space has conditional children. */
export function hasConditions(space: SearchSpace): boolean {
  return Object.values(space.parameters).some((spec) => (spec.conditions ?? []).length > 0);
}

/** The coordinates of an unconditional space's parameters, in declaration order. */
export function coordinatesOf(space: SearchSpace): Coordinate[] {
  return Object.entries(space.parameters).map(([id, spec]) => coordinateOf(id, spec));
}

function coordinateOf(id: string, spec: ParameterSpec): Coordinate {
  const dimension = dimensionOf(id, spec);
  if (dimension.kind === 'categorical') {
    const count = dimension.values.length;
    return {
      id,
      kind: 'categorical',
      alternatives: (coordinate) => Array.from({ length: count }, (_, index) => index).filter((index) => index !== coordinate),
      toCoordinate: (value) => dimension.position(value),
      valueAt: (coordinate) => dimension.values[Math.min(count - 1, Math.max(0, Math.round(coordinate)))] as ParameterValue,
      snap: (coordinate) => Math.min(count - 1, Math.max(0, Math.round(coordinate))),
      fromUnit: (unit) => Math.min(count - 1, Math.floor(unit * count)),
    };
  }
  const { low, high } = dimension;
  const width = high - low;
  const toUnit = (position: number): number => Math.min(1, Math.max(0, (position - low) / width));
  const valueAt = (coordinate: number): number => dimension.valueAt(low + Math.min(1, Math.max(0, coordinate)) * width);
  if (dimension.continuous) {
    return {
      id,
      kind: 'continuous',
      alternatives: () => [],
      toCoordinate: (value) => {
        const position = dimension.position(value);
        return position === undefined ? undefined : toUnit(position);
      },
      valueAt,
      snap: (coordinate) => Math.min(1, Math.max(0, coordinate)),
      fromUnit: (unit) => unit,
    };
  }
  // The values in ascending order: a discrete's list, an integer's range (min + index).
  const count = spec.kind === 'discrete' ? spec.values.length : (spec as { max: number }).max - (spec as { min: number }).min + 1;
  const sorted = spec.kind === 'discrete' ? [...spec.values].sort((a, b) => a - b) : undefined;
  const valueOfIndex = (index: number): number => (sorted ? (sorted[index] as number) : (spec as { min: number }).min + index);
  const indexOfValue = (value: number): number => (sorted ? sorted.findIndex((candidate) => sameValue(candidate, value)) : value - (spec as { min: number }).min);
  const coordinateOfIndex = (index: number): number => toUnit(dimension.position(valueOfIndex(index)) as number);
  const snap = (coordinate: number): number => coordinateOfIndex(indexOfValue(valueAt(coordinate)));
  return {
    id,
    kind: 'ordered',
    toCoordinate: (value) => {
      const position = dimension.position(value);
      return position === undefined ? undefined : toUnit(position);
    },
    valueAt,
    snap,
    // An integer by its cell on its scale (as the random sampler draws it), a discrete value uniformly.
    fromUnit: spec.kind === 'integer' ? snap : (unit) => coordinateOfIndex(Math.min(count - 1, Math.floor(unit * count))),
    alternatives: (coordinate) => {
      const current = indexOfValue(valueAt(coordinate));
      const indices: number[] = [];
      if (count <= MAX_EXHAUSTIVE_CHOICES) {
        for (let index = 0; index < count; index += 1) if (index !== current) indices.push(index);
      } else {
        for (let offset = 1; offset < count; offset *= 2) {
          if (current - offset >= 0) indices.push(current - offset);
          if (current + offset < count) indices.push(current + offset);
        }
      }
      return indices.map(coordinateOfIndex);
    },
  };
}

/** Ordered parameters with at most this many values try every value in the local search; longer ones try neighbours 1, 2, 4, ... values away. */
export const MAX_EXHAUSTIVE_CHOICES = 32;

/** A point's coordinates for a trial's parameters, or `undefined` when one is missing or foreign. */
export function encodeParameters(coordinates: readonly Coordinate[], parameters: TrialParameters, into: Float64Array, offset: number): boolean {
  for (let d = 0; d < coordinates.length; d += 1) {
    const coordinate = coordinates[d] as Coordinate;
    if (!Object.hasOwn(parameters, coordinate.id)) return false;
    const position = coordinate.toCoordinate(parameters[coordinate.id] as ParameterValue);
    if (position === undefined) return false;
    into[offset + d] = position;
  }
  return true;
}

/** The parameters a point stands for, keyed in the space's order. */
export function decodePoint(space: SearchSpace, coordinates: readonly Coordinate[], point: Float64Array): TrialParameters {
  const byId = new Map(coordinates.map((coordinate, d) => [coordinate.id, coordinate.valueAt(point[d] as number)]));
  return assignActive(space.parameters, (id) => byId.get(id) as ParameterValue);
}
