import type { Random } from '../../space/random.js';
import type { Dimension } from './dimensions.js';
import { logNormalDensity, normalMass, truncatedNormalDraw, weightedIndex } from './math.js';

/**
 * A point of a group of parameters as the estimator sees it: per dimension, the position on the
 * line (numeric) or the choice's index (categorical).
 */
export type Point = readonly number[];

/** How an estimator is fitted. */
export interface ParzenSettings {
  /** The weight of the prior kernel (wide, centred on the space) against each observation's 1, at few observations. */
  readonly priorWeight: number;
  /** The least share of the mixture the prior kernel keeps however many observations there are. */
  readonly minPriorShare: number;
  /** The bandwidth scale of the multivariate rule: the kernel width at one observation, as a share of the range. */
  readonly bandwidthFactor: number;
  /** The narrowest an integer or discrete kernel gets, in (mean) cells: neighbouring values keep some mass. */
  readonly minCellBandwidth: number;
  /** The chance that one dimension of a drawn point comes from the prior kernel rather than the drawn kernel. */
  readonly dimensionPriorShare: number;
}

/**
 * A multivariate Parzen estimator: a mixture of one kernel per observation plus a prior kernel,
 * each kernel a product over the dimensions (a truncated normal on numeric ones, a smoothed
 * one-hot distribution on categorical ones). The dimensions share one kernel choice, which is
 * what makes the model joint rather than a product of independent ones.
 */
export interface ParzenEstimator {
  /** A point drawn from the mixture. */
  sample(random: Random): Point;
  /** The log of the mixture's density (probability mass on integer, discrete and categorical dimensions) at `point`. */
  logDensity(point: Point): number;
}

/** The narrowest a numeric kernel gets, as a share of the range: a floor for many close observations. */
const MIN_BANDWIDTH = 0.01;

interface NumericKernels {
  readonly kind: 'numeric';
  readonly means: Float64Array;
  readonly sigmas: Float64Array;
  /** log of each kernel's mass within the bounds (its truncation). */
  readonly logMasses: Float64Array;
  /** `log(sigma) + logMass`: what a density at a point is divided by, per kernel. */
  readonly logDensityNormalizers: Float64Array;
}

interface CategoricalKernels {
  readonly kind: 'categorical';
  /** log probabilities, kernel-major: `logProbabilities[kernel * choices + choice]`. */
  readonly logProbabilities: Float64Array;
  readonly probabilities: readonly (readonly number[])[];
}

/**
 * Fits the estimator to `observations` (points of `dimensions`). Numeric bandwidths follow the
 * multivariate rule `bandwidthFactor * n^(-1 / (d + 4)) * range` for `n` observations of `d`
 * dimensions (a Scott-style shrinking with `n`), at least `range / 100` and, on integer and
 * discrete dimensions, at least `minCellBandwidth` mean cells; the prior kernel sits at the centre
 * of the range with the whole range as bandwidth. A categorical kernel puts `1 + w / kernels` on
 * its observed choice and `w / kernels` on every other, normalized, `w` being the prior's weight;
 * the prior's is uniform. Every observation weighs 1, the prior `priorWeight`, raised so that it
 * keeps `minPriorShare` of the mixture however many observations there are.
 */
export function fitParzenEstimator(dimensions: readonly Dimension[], observations: readonly Point[], settings: ParzenSettings): ParzenEstimator {
  const count = observations.length;
  const kernelCount = count + 1;
  // The prior keeps at least minPriorShare of the mixture: w / (count + w) >= share.
  const priorWeight = Math.max(settings.priorWeight, (settings.minPriorShare * count) / (1 - settings.minPriorShare));
  const weights = [...observations.map(() => 1), priorWeight];
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const logWeights = weights.map((weight) => Math.log(weight / total));
  const kernels = dimensions.map((dimension, d): NumericKernels | CategoricalKernels => {
    if (dimension.kind === 'numeric') {
      const range = dimension.high - dimension.low;
      const bandwidth = settings.bandwidthFactor * Math.max(count, 1) ** (-1 / (dimensions.length + 4)) * range;
      const minSigma = Math.max(MIN_BANDWIDTH * range, (settings.minCellBandwidth * range) / dimension.cellCount);
      const means = new Float64Array(kernelCount);
      const sigmas = new Float64Array(kernelCount);
      const logMasses = new Float64Array(kernelCount);
      const logDensityNormalizers = new Float64Array(kernelCount);
      for (let k = 0; k < kernelCount; k += 1) {
        const mean = k < count ? ((observations[k] as Point)[d] as number) : (dimension.low + dimension.high) / 2;
        const sigma = Math.min(range, Math.max(minSigma, k < count ? bandwidth : range));
        means[k] = mean;
        sigmas[k] = sigma;
        logMasses[k] = Math.log(normalMass((dimension.low - mean) / sigma, (dimension.high - mean) / sigma));
        logDensityNormalizers[k] = Math.log(sigma) + (logMasses[k] as number);
      }
      return { kind: 'numeric', means, sigmas, logMasses, logDensityNormalizers };
    }
    const choices = dimension.values.length;
    const smoothing = priorWeight / kernelCount;
    const probabilities: number[][] = [];
    for (let k = 0; k < kernelCount; k += 1) {
      const observed = k < count ? ((observations[k] as Point)[d] as number) : -1;
      const row = Array.from({ length: choices }, (_, choice) => (observed === -1 ? 1 : smoothing + (choice === observed ? 1 : 0)));
      const sum = row.reduce((a, b) => a + b, 0);
      probabilities.push(row.map((value) => value / sum));
    }
    return { kind: 'categorical', probabilities, logProbabilities: Float64Array.from(probabilities.flat(), Math.log) };
  });

  return {
    sample(random) {
      const drawn = weightedIndex(random, weights);
      return dimensions.map((dimension, d) => {
        // Each dimension of a candidate comes from the prior kernel with probability dimensionPriorShare:
        // the candidate stays a good trial's neighbour in every other dimension, so it can win the ratio.
        const k = settings.dimensionPriorShare > 0 && random.nextFloat() < settings.dimensionPriorShare ? count : drawn;
        const kernel = kernels[d] as NumericKernels | CategoricalKernels;
        if (kernel.kind === 'categorical') return weightedIndex(random, kernel.probabilities[k] as readonly number[]);
        const numeric = dimension as Extract<Dimension, { kind: 'numeric' }>;
        const position = truncatedNormalDraw(random, kernel.means[k] as number, kernel.sigmas[k] as number, numeric.low, numeric.high);
        return numeric.continuous ? position : (numeric.position(numeric.valueAt(position)) as number);
      });
    },
    logDensity(point) {
      const logTerms = Float64Array.from(logWeights);
      dimensions.forEach((dimension, d) => {
        const kernel = kernels[d] as NumericKernels | CategoricalKernels;
        const x = point[d] as number;
        if (kernel.kind === 'categorical') {
          const choices = (dimension as Extract<Dimension, { kind: 'categorical' }>).values.length;
          for (let k = 0; k < kernelCount; k += 1) logTerms[k] = (logTerms[k] as number) + (kernel.logProbabilities[k * choices + x] as number);
          return;
        }
        const numeric = dimension as Extract<Dimension, { kind: 'numeric' }>;
        if (numeric.continuous) {
          for (let k = 0; k < kernelCount; k += 1) {
            logTerms[k] = (logTerms[k] as number) + logNormalDensity((x - (kernel.means[k] as number)) / (kernel.sigmas[k] as number)) - (kernel.logDensityNormalizers[k] as number);
          }
          return;
        }
        const [from, to] = numeric.cell(x);
        for (let k = 0; k < kernelCount; k += 1) {
          const sigma = kernel.sigmas[k] as number;
          const mean = kernel.means[k] as number;
          logTerms[k] = (logTerms[k] as number) + Math.log(normalMass((from - mean) / sigma, (to - mean) / sigma)) - (kernel.logMasses[k] as number);
        }
      });
      return logSumExp(logTerms);
    },
  };
}

function logSumExp(values: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const value of values) sum += Math.exp(value - max);
  return max + Math.log(sum);
}
