export { asha, type AshaOptions } from './asha.js';
export { decayCurve, type DecayCurveOptions } from './decay-curve.js';
export { hyperband, type HyperbandOptions } from './hyperband.js';
export { median, type MedianOptions } from './median.js';
export type * from './types.js';
export { EARLY_STOPPING_KINDS, stoppingRuleFromSpec, validateStoppingRule } from './from-spec.js';
