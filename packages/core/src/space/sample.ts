import type { DoubleParameterSpec, IntegerParameterSpec, ParameterSpec, ParameterValue, SearchSpace, TrialParameters } from './types.js';
import type { Random } from './random.js';
import { assignActive } from './walk.js';

/**
 * Draws one parameter combination at random: every top-level parameter, then the conditional
 * children its value activates (and only those), keys in the same order as grid enumeration.
 * - `double`: uniform over `[min, max]` on its scale (`log`: log-uniform; `reverse-log`: the mirror
 *   image of log-uniform, dense near `max`);
 * - `integer`: each integer of `[min, max]` equally likely on the `linear` scale; on `log`/`reverse-log`
 *   a real number is drawn over `[min - 0.5, max + 0.5]` on that scale and rounded;
 * - `discrete` and `categorical`: each listed value equally likely (a discrete's scale only tells Vertex
 *   how to model it).
 * The space is assumed valid (see `validateSearchSpace`).
 */
export function sampleParameters(space: SearchSpace, random: Random): TrialParameters {
  return assignActive(space.parameters, (_, spec) => sampleValue(spec, random));
}

/** Draws one value of a parameter, as {@link sampleParameters} draws each. */
export function sampleValue(spec: ParameterSpec, random: Random): ParameterValue {
  switch (spec.kind) {
    case 'double':
      return sampleDouble(spec, random);
    case 'integer':
      return sampleInteger(spec, random);
    case 'discrete':
    case 'categorical':
      return spec.values[random.nextIndex(spec.values.length)]!;
  }
}

function sampleDouble(spec: DoubleParameterSpec, random: Random): number {
  return clamp(onScale(spec.scale, spec.min, spec.max, random.nextFloat()), spec.min, spec.max);
}

function sampleInteger(spec: IntegerParameterSpec, random: Random): number {
  if (spec.scale === 'linear') return spec.min + random.nextIndex(spec.max - spec.min + 1);
  const real = onScale(spec.scale, spec.min - 0.5, spec.max + 0.5, random.nextFloat());
  return clamp(Math.round(real), spec.min, spec.max);
}

/** Maps `unit` in `[0, 1)` to `[low, high]` on the scale. */
function onScale(scale: DoubleParameterSpec['scale'], low: number, high: number, unit: number): number {
  switch (scale) {
    case 'linear':
      return low + unit * (high - low);
    case 'log':
      return logUniform(low, high, unit);
    case 'reverse-log':
      return low + high - logUniform(low, high, unit);
  }
}

function logUniform(low: number, high: number, unit: number): number {
  return Math.exp(Math.log(low) + unit * (Math.log(high) - Math.log(low)));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
