import { ValidationError } from '../../errors.js';
import { createRandom, type Random } from '../../space/random.js';
import type { SearchSpace, TrialParameters } from '../../space/types.js';
import { checkSearchSpace } from '../../space/checked.js';
import { finalMetricValue } from '../../study/best.js';
import type { FrozenTrial, MetricSpec } from '../../study/types.js';
import { createTpeSampler } from '../tpe/sampler.js';
import type { Sampler } from '../types.js';
import { acquisitionInFrame, acquisitionInRegion, candidatesAroundBest, createLogExpectedImprovement, maximizeAcquisition } from './search.js';
import { coordinatesOf, decodePoint, encodeParameters, hasConditions, type Coordinate } from './encoding.js';
import { fitHyperparameters } from './fit.js';
import { scrambledHalton } from './halton.js';
import { warpValues } from './warping.js';
import { gpPosterior, type GpInputs, type GpPosterior, type LogHyperparameters } from './kernel.js';
import { chooseFrame, toFrame, type Axes } from './frame.js';
import { noiseDistance, regionCoordinates, regionPoint, trustRegion, trustRegionLength, usesTrustRegion, wholeCube, type Box, type TrustRegion } from './trust-region.js';

/** Quasi-random candidates scored per suggestion before the best few are refined locally; a quarter as many more are drawn around the best trial. */
export const DEFAULT_GP_CANDIDATES = 1024;

/**
 * The most finished trials the model is fitted to. Past it, the model keeps the best half (by the
 * metric) and the most recent of the rest: the Cholesky factorization grows as `n^3`, and the best
 * trials plus the latest ones are what the acquisition needs near the incumbent and where the
 * search is now.
 */
export const GP_MAX_MODELLED_TRIALS = 500;

/** The most trials the hyperparameters are fitted on (each fit step is a factorization and an inverse); past it, a subset chosen as for {@link GP_MAX_MODELLED_TRIALS}. */
export const GP_MAX_FITTED_TRIALS = 100;

/**
 * The GP's prior mean, in standard deviations of the (warped) values above their mean: away from
 * the trials the model expects a value this much worse than the average trial. With a prior mean
 * at the average (0), the far corners of the cube look as promising as an average trial with the
 * largest uncertainty, and log EI spent trials there: in 10 dimensions (rotated-ellipsoid-10d)
 * about one trial in four of a 60-trial study went to a corner. Chosen on the tuning half of
 * `pnpm bench:search` (0, 0.5, 1, 2 tried; 2 was best on the continuous and noisy problems); the
 * figures are in the README's GP section.
 */
export const GP_PRIOR_MEAN = 2;

/**
 * The quasi-random design before the model takes over, for a space of `parameters` parameters:
 * `min(10, 2 * parameters + 1)`. Two points per parameter let the fit tell the length scales apart
 * (one per parameter) and one more places the mean; 10 (Optuna's start-up) caps it because at the
 * tens of trials a tuning study runs, every design trial is one the model does not choose.
 */
export function defaultGpStartupTrials(parameters: number): number {
  return Math.min(10, 2 * parameters + 1);
}

/** Options of {@link createGpSampler}. */
export interface GpSamplerOptions {
  readonly space: SearchSpace;
  /** The metric the study optimizes; its goal decides which way is better. */
  readonly metric: MetricSpec;
  /** The study's seed: any safe integer. */
  readonly seed: number;
  /** Finished trials (succeeded or failed) before the model takes over; until then points of a scrambled Halton design. @default {@link defaultGpStartupTrials} of the parameter count */
  readonly startupTrials?: number;
  /** Quasi-random candidates scored per suggestion. @default {@link DEFAULT_GP_CANDIDATES} */
  readonly candidates?: number;
}

/** The stream of the seeded generator that scrambles the start-up design; trial streams are the non-negative trial counts. */
const DESIGN_STREAM = -1;

/**
 * Gaussian-process Bayesian optimization, hptune's own implementation (Optuna 4's `GPSampler` and
 * BoTorch's LogEI were the references).
 *
 * Each parameter is a coordinate of the unit cube on its scale (log, reverse-log, linear); the
 * model is a GP with a Matérn-5/2 kernel, one length scale per parameter, over the standardized,
 * Yeo-Johnson warped metric (goal-aware), its hyperparameters the maximum a posteriori fit of the
 * log marginal likelihood (projected BFGS, analytic gradients). The next trial maximizes the log
 * expected improvement over the best trial: of 1,024 scrambled Halton candidates and 256 around
 * the best trial, the best 4 and the best trial itself are refined locally (BFGS over the doubles, every value or neighbouring values of
 * integer and discrete parameters, every choice of categorical ones). Integer and discrete values
 * are rounded inside the acquisition; categorical parameters enter the kernel as a Hamming
 * distance (unordered).
 *
 * - Frame (a space of doubles only): the GP is fitted in the cube's coordinates and in the
 *   principal axes of the best trials, and models in those axes when their log posterior is
 *   clearly higher (a coupled metric's diagonal valley gets a long length scale along it and short
 *   ones across). See `frame.ts`.
 * - Trust region (a space of doubles only): the search is confined to a box around the trial with
 *   the lowest posterior mean, along the frame's axes, whose side TuRBO's rule sets from the trials
 *   (it halves after `max(4, d)` model-chosen trials in a row without improvement, doubles after 3
 *   improvements, starts over below 2^-7), weighted by the length scales and never narrower than
 *   the noise allows; late in a study the search refines around the best trial as CMA-ES does. See
 *   `trust-region.ts`.
 * - Start-up: the first {@link defaultGpStartupTrials} trials (until that many have finished) are
 *   points of a scrambled Halton design fixed by the seed.
 * - Failed trials (and succeeded ones without the metric) count as the worst value observed, so
 *   the search moves away from where trials crash.
 * - Running trials count as the worst value too until they finish (a constant liar): parallel
 *   workers get different suggestions.
 * - Conditional spaces are delegated to TPE (`createTpeSampler`), which models conditions natively.
 * - Past {@link GP_MAX_MODELLED_TRIALS} finished trials the model keeps a subset.
 * - The `n`-th suggestion depends only on the seed and the trials shown (no state is kept between
 *   calls), so a resumed study continues as it would have.
 * @throws ValidationError when the space is invalid or an option is out of range.
 */
export function createGpSampler(options: GpSamplerOptions): Sampler {
  const { metric, seed } = options;
  const space = checkSearchSpace(options.space, { algorithm: 'gp' });
  const candidates = options.candidates ?? DEFAULT_GP_CANDIDATES;
  checkCount('candidates', candidates, 1, DEFAULT_GP_CANDIDATES);
  if (options.startupTrials !== undefined) checkCount('startupTrials', options.startupTrials, 0, 10);
  if (hasConditions(space)) {
    const tpe = createTpeSampler({ space, metric, seed, ...(options.startupTrials === undefined ? {} : { startupTrials: options.startupTrials }) });
    return { algorithm: 'gp', suggest: (trials) => tpe.suggest(trials) };
  }
  const coordinates = coordinatesOf(space);
  const startupTrials = options.startupTrials ?? defaultGpStartupTrials(coordinates.length);
  const design = scrambledHalton(coordinates.length, createRandom(seed, DESIGN_STREAM));
  const fromUnit = (unit: Float64Array): Float64Array => unit.map((value, d) => (coordinates[d] as Coordinate).fromUnit(value));
  return {
    algorithm: 'gp',
    suggest(trials: readonly FrozenTrial[]): TrialParameters {
      const observations = observe(coordinates, trials, metric);
      if (observations.finished.length < startupTrials || !observations.finished.some((point) => point.value !== undefined)) {
        return decodePoint(space, coordinates, fromUnit(design.point(trials.length)));
      }
      const random = createRandom(seed, trials.length);
      const point = suggestPoint(coordinates, observations, startupTrials, candidates, (index, sequence) => fromUnit(sequence.point(index)), scrambledHalton(coordinates.length, random), random);
      return decodePoint(space, coordinates, point);
    },
  };
}

/** A trial as the model sees it: its coordinates, and its metric to minimize (`undefined`: failed). */
interface Observation {
  readonly point: Float64Array;
  readonly value: number | undefined;
  /** The trial's position among those shown, for the subset past the caps. */
  readonly order: number;
}

interface Observations {
  readonly finished: Observation[];
  readonly running: Observation[];
}

/** The trials whose parameters are all of this space, split into finished and running; values turned so that lower is better. */
function observe(coordinates: readonly Coordinate[], trials: readonly FrozenTrial[], metric: MetricSpec): Observations {
  const finished: Observation[] = [];
  const running: Observation[] = [];
  trials.forEach((trial, order) => {
    const point = new Float64Array(coordinates.length);
    if (!encodeParameters(coordinates, trial.parameters, point, 0)) return;
    if (trial.state === 'SUCCEEDED' || trial.state === 'INFEASIBLE') {
      const value = finalMetricValue(trial, metric);
      finished.push({ point, value: value === undefined ? undefined : metric.goal === 'maximize' ? -value : value, order });
    } else {
      running.push({ point, value: undefined, order });
    }
  });
  return { finished, running };
}

/** At most `limit` observations: the best half by value, then the most recent of the rest, in trial order. */
export function selectSubset(observations: readonly Observation[], limit: number): Observation[] {
  if (observations.length <= limit) return [...observations];
  const byValue = [...observations].sort((a, b) => (a.value ?? Number.POSITIVE_INFINITY) - (b.value ?? Number.POSITIVE_INFINITY) || a.order - b.order);
  const kept = new Set(byValue.slice(0, Math.floor(limit / 2)));
  for (let index = observations.length - 1; kept.size < limit; index -= 1) kept.add(observations[index] as Observation);
  return observations.filter((observation) => kept.has(observation));
}

function suggestPoint(
  coordinates: readonly Coordinate[],
  observations: Observations,
  startupTrials: number,
  candidateCount: number,
  candidateAt: (index: number, sequence: ReturnType<typeof scrambledHalton>) => Float64Array,
  sequence: ReturnType<typeof scrambledHalton>,
  aroundRandom: Random,
): Float64Array {
  const dimensions = coordinates.length;
  const categorical = coordinates.map((coordinate) => coordinate.kind === 'categorical');
  const doublesOnly = usesTrustRegion(coordinates);
  const modelled = selectSubset(observations.finished, GP_MAX_MODELLED_TRIALS);
  // Failed trials take the worst value observed; values are standardized over the finished trials,
  // then measured from the prior mean (a zero-mean GP over them is one with mean GP_PRIOR_MEAN).
  const succeeded = modelled.flatMap((observation) => (observation.value === undefined ? [] : [observation.value]));
  const worst = Math.max(...succeeded);
  const raw = modelled.map((observation) => observation.value ?? worst);
  const standardized = warpValues(raw).map((value) => value - GP_PRIOR_MEAN);
  const bestIndex = raw.indexOf(Math.min(...succeeded));
  const best = standardized[bestIndex] as number;
  const lie = Math.max(...standardized);

  const fitted = selectSubset(modelled, GP_MAX_FITTED_TRIALS);
  const fittedValues = Float64Array.from(fitted, (observation) => standardized[modelled.indexOf(observation)] as number);
  const ranked = modelled.filter((observation) => observation.value !== undefined);
  const { axes, theta, rotated } = doublesOnly
    ? chooseFrame(
        fitted.map((observation) => observation.point),
        fittedValues,
        ranked.map((observation) => observation.point),
        ranked.map((observation) => observation.value as number),
      )
    : { axes: undefined, theta: fitHyperparameters(inputsOf(fitted, dimensions, categorical), fittedValues).theta, rotated: false };
  const inFrame = (point: Float64Array): Float64Array => (rotated && axes !== undefined ? toFrame(axes, point) : point);
  const conditioned = [...modelled, ...observations.running].map((observation) => ({ ...observation, point: inFrame(observation.point) }));
  const values = Float64Array.from([...standardized, ...observations.running.map(() => lie)]);
  let posterior = gpPosterior(inputsOf(conditioned, dimensions, categorical), values, theta);
  if (posterior === undefined) {
    // Only a kernel matrix too close to singular for the fitted noise gets here: refactor with more noise.
    theta[dimensions + 1] = Math.log(1e-2);
    posterior = gpPosterior(inputsOf(conditioned, dimensions, categorical), values, theta);
  }
  const incumbent = modelled[bestIndex] as Observation;
  if (posterior === undefined) return incumbent.point;
  const inFrameAcquisition = createLogExpectedImprovement(posterior, best);
  if (axes === undefined || !rotated) {
    // A mixed space searches the whole cube; a space of doubles in the cube's own coordinates, the
    // trust region's box (its region coordinates are the box's, scaled: the search runs in the cube's).
    const box = axes === undefined ? wholeCube(dimensions) : regionBox(trustRegionOf(modelled, conditioned, posterior, axes, theta, startupTrials));
    const starts = Array.from({ length: candidateCount }, (_, index) => {
      const point = candidateAt(index, sequence);
      for (let d = 0; d < dimensions; d += 1) {
        if ((coordinates[d] as Coordinate).kind === 'continuous') point[d] = (box.lower[d] as number) + (point[d] as number) * ((box.upper[d] as number) - (box.lower[d] as number));
      }
      return point;
    });
    starts.push(...candidatesAroundBest(incumbent.point, coordinates, aroundRandom, Math.ceil(candidateCount / 4), box));
    return maximizeAcquisition(inFrameAcquisition, coordinates, starts, incumbent.point, box);
  }
  // A space of doubles in the best trials' principal axes: the trust region along them, searched in its own coordinates.
  const region = trustRegionOf(modelled, conditioned, posterior, axes, theta, startupTrials);
  const acquisition = acquisitionInRegion(acquisitionInFrame(inFrameAcquisition, axes), region);
  const starts: Float64Array[] = [];
  for (let index = 0; index < candidateCount; index += 1) {
    const unit = candidateAt(index, sequence);
    starts.push(unit.map((value, i) => (region.lower[i] as number) + value * ((region.upper[i] as number) - (region.lower[i] as number))));
  }
  for (const point of candidatesAroundBest(incumbent.point, coordinates, aroundRandom, Math.ceil(candidateCount / 4), wholeCube(dimensions))) starts.push(regionCoordinates(region, point));
  const box = { lower: region.lower, upper: region.upper };
  return regionPoint(region, maximizeAcquisition(acquisition, coordinates, starts, regionCoordinates(region, incumbent.point), box));
}

/**
 * The trust region of a space of doubles (`trust-region.ts`): centred on the trial with the lowest
 * posterior mean (the best trial when the metric is noiseless), its length replayed from the
 * posterior means at the trials (`trustRegionLength`), along the frame's axes, its sides weighted
 * by the length scales fitted in that frame and never narrower than the noise allows
 * (`noiseDistance`). `inFrame` holds the trials' points in the frame, in the order of `modelled`.
 */
function trustRegionOf(modelled: readonly Observation[], inFrame: readonly Observation[], posterior: GpPosterior, axes: Axes, theta: LogHyperparameters, startupTrials: number): TrustRegion {
  const dimensions = posterior.dimensions;
  let centre = (modelled[0] as Observation).point;
  let lowest = Number.POSITIVE_INFINITY;
  const means = modelled.map((observation, index) => {
    if (observation.value === undefined) return undefined;
    const mean = posterior.mean((inFrame[index] as Observation).point);
    if (mean < lowest) {
      lowest = mean;
      centre = observation.point;
    }
    return mean;
  });
  const lengthScales = theta.subarray(0, dimensions).map((logInverseSquared) => Math.exp(-logInverseSquared / 2));
  const floor = noiseDistance(Math.exp(theta[dimensions] as number), Math.exp(theta[dimensions + 1] as number));
  return trustRegion(centre, axes, trustRegionLength(means, startupTrials, dimensions), lengthScales, floor);
}

/** The box of the cube a trust region in the cube's own coordinates covers. */
function regionBox(region: TrustRegion): Box {
  return { lower: regionPoint(region, region.lower), upper: regionPoint(region, region.upper) };
}

function inputsOf(observations: readonly Observation[], dimensions: number, categorical: readonly boolean[]): GpInputs {
  const points = new Float64Array(observations.length * dimensions);
  observations.forEach((observation, index) => points.set(observation.point, index * dimensions));
  return { points, count: observations.length, dimensions, categorical };
}

function checkCount(field: string, value: number, min: number, example: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ValidationError({ field, value, problem: `is not a whole number of at least ${min}`, fix: `give e.g. ${example}, or leave it unset` });
  }
}
