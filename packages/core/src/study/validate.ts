import { randomInt } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { gridSize } from '../space/grid.js';
import { searchSpaceToJSON } from '../space/json.js';
import type { SearchSpace } from '../space/types.js';
import { ALGORITHM_BACKENDS, SEARCH_ALGORITHMS, isGridSearch, isSearchAlgorithm, type SearchAlgorithm } from '../algorithms.js';
import type { Sampler } from '../samplers/types.js';
import { checkSearchSpace } from '../space/checked.js';
import { METRIC_ID_PATTERN } from '../space/validate.js';
import type { DriverLaunch, StudyDriver } from './driver.js';
import { validateStoppingRule } from '../stopping/from-spec.js';
import type { MeasurementSelection, MetricSpec } from './types.js';

/** What a study name may be, on every backend: it names a folder and a job label, so letters, digits, `_` and `-`, at most 128, starting with a letter or digit. */
export const STUDY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Tags the metric file reserves for itself: never a metric id. */
const RESERVED_METRIC_IDS = new Set(['global_step', 'timestamp', 'trial', 'checkpoint_path']);


function fail(field: string, value: unknown, problem: string, fix: string): never {
  throw new ValidationError({ field, value, problem, fix });
}

const isCount = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** Checks a study name against {@link STUDY_NAME_PATTERN}. */
export function validateStudyName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STUDY_NAME_PATTERN.test(name)) {
    fail('name', name, 'is not a usable study name', 'use 1 to 128 letters, digits, _ and -, starting with a letter or digit, e.g. "lenet5-grid"');
  }
}

/** The limits of a run that a launch and a resume share, as given. */
export interface RunLimitsInput {
  readonly parallelTrials?: unknown;
  readonly maxFailedTrials?: unknown;
  readonly trialTimeoutSeconds?: unknown;
  readonly signal?: unknown;
}

/** The limits of a run, checked. */
export interface RunLimits {
  readonly parallelTrials?: number;
  readonly maxFailedTrials?: number;
  readonly trialTimeoutSeconds?: number;
}

/**
 * Checks the run limits a launch and a resume share. `maxFailedTrials` means the same on every
 * backend: the study fails once that many trials failed (at least 1); leave it unset for the
 * backend's own rule (locally no limit; Vertex AI decides).
 */
export function validateRunLimits(options: RunLimitsInput): RunLimits {
  const { parallelTrials, maxFailedTrials, trialTimeoutSeconds } = options;
  if (parallelTrials !== undefined && !isCount(parallelTrials, 1)) {
    fail('parallelTrials', parallelTrials, 'is not a whole number of at least 1', 'give how many trials run at once, e.g. 2, or leave it unset');
  }
  if (maxFailedTrials !== undefined && !isCount(maxFailedTrials, 1)) {
    fail('maxFailedTrials', maxFailedTrials, 'is not a whole number of at least 1', "give how many failed trials stop the study, e.g. 3, or leave it unset for the backend's rule (locally no limit)");
  }
  if (trialTimeoutSeconds !== undefined && (typeof trialTimeoutSeconds !== 'number' || !Number.isFinite(trialTimeoutSeconds) || trialTimeoutSeconds <= 0)) {
    fail('trialTimeoutSeconds', trialTimeoutSeconds, 'is not a positive number of seconds', 'give the longest a trial may run, e.g. 3600, or leave it unset');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    fail('signal', options.signal, 'is not an AbortSignal', "pass an AbortController's signal");
  }
  return {
    ...(parallelTrials === undefined ? {} : { parallelTrials }),
    ...(maxFailedTrials === undefined ? {} : { maxFailedTrials }),
    ...(trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds }),
  };
}

/** The study part of `launchStudy`'s options, as given. */
export interface StudyDefinitionInput extends RunLimitsInput {
  readonly name: unknown;
  readonly space: SearchSpace;
  readonly metric: unknown;
  readonly algorithm?: unknown;
  readonly sampler?: unknown;
  readonly maxTrials?: unknown;
  readonly seed?: unknown;
  readonly earlyStopping?: unknown;
  readonly measurementSelection?: unknown;
}

/** The measurement selection of a new study when none is given: Vertex AI's default, `BEST_MEASUREMENT`. */
export const DEFAULT_MEASUREMENT_SELECTION: MeasurementSelection = 'best';

/** Checks a measurement selection; `undefined` gives {@link DEFAULT_MEASUREMENT_SELECTION}. */
export function validateMeasurementSelection(selection: unknown): MeasurementSelection {
  if (selection === undefined) return DEFAULT_MEASUREMENT_SELECTION;
  if (selection !== 'best' && selection !== 'last') {
    fail('measurementSelection', selection, 'is not a measurement selection', 'use "best" (the best measurement of the metric) or "last" (the last one reported), or leave it unset for "best"');
  }
  return selection;
}

/** Checks a metric spec. */
export function validateMetric(metric: unknown): MetricSpec {
  if (typeof metric !== 'object' || metric === null) fail('metric', metric, 'is not a metric spec', 'pass { id: "accuracy", goal: "maximize" }');
  const { id, goal } = metric as { id?: unknown; goal?: unknown };
  if (typeof id !== 'string' || !METRIC_ID_PATTERN.test(id) || RESERVED_METRIC_IDS.has(id) || id.includes('\0')) {
    fail('metric.id', id, 'is not a metric id the trainer can report', 'use the tag the trainer reports, e.g. "accuracy" (not global_step, timestamp, trial or checkpoint_path)');
  }
  if (goal !== 'maximize' && goal !== 'minimize') fail('metric.goal', goal, 'is not a goal', 'use "maximize" or "minimize"');
  return { id, goal };
}

/**
 * Checks that a value honours the {@link Sampler} contract's shape: an object with a `suggest`
 * function and a non-empty `algorithm` name (what the study stores to ask for it again on resume).
 */
export function validateSampler(sampler: unknown): Sampler {
  const candidate = sampler as Partial<Sampler> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.suggest !== 'function') {
    fail('sampler', sampler, 'is not a sampler', 'pass an object with suggest(trials) and an algorithm name, as createSampler() returns');
  }
  if (typeof candidate.algorithm !== 'string' || candidate.algorithm.trim() === '') {
    fail('sampler.algorithm', candidate.algorithm, 'is not a sampler name', 'give the sampler a name, e.g. algorithm: "my-sampler"; the study stores it to ask for the sampler on resume');
  }
  return candidate as Sampler;
}

/**
 * The checks every study definition passes, on every backend, before anything runs or is written:
 * name, algorithm (one the backend runs) or a sampler the user brings (locally), search space,
 * metric, trial counts against the grid, run limits, seed, early stopping and measurement selection;
 * fills in the defaults (the whole grid, the backend's parallelism, a random seed, `best`). A study
 * with its own sampler is stored with `algorithm: 'custom'` and the sampler's name in `sampler`.
 * @throws ValidationError naming the option, its value and the fix.
 */
export function validateStudyDefinition(options: StudyDefinitionInput, driver: Pick<StudyDriver, 'kind' | 'algorithms' | 'defaultParallelTrials'>): Pick<DriverLaunch, 'definition' | 'space' | 'sampler' | 'stoppingRule'> {
  if (typeof options !== 'object' || options === null) fail('options', options, 'is not an options object', 'pass { name, space, metric, algorithm, ... }');
  validateStudyName(options.name);
  const { algorithm } = options;
  const sampler = options.sampler === undefined ? undefined : validateSampler(options.sampler);
  if (sampler) {
    if (algorithm !== undefined) fail('algorithm', algorithm, 'is given with a sampler', 'give either algorithm (one of hptune\'s samplers) or sampler (your own), not both');
    if (driver.kind !== 'local') {
      fail('sampler', sampler.algorithm, `cannot run on the ${driver.kind} backend, which chooses trials itself`, 'run it locally, or use algorithm "bayesian" there');
    }
  } else {
    if (!isSearchAlgorithm(algorithm)) {
      const own = driver.kind === 'local' ? ', or pass your own sampler' : '';
      fail('algorithm', algorithm, 'is not a search algorithm', `use one of ${SEARCH_ALGORITHMS.map((name) => `"${name}"`).join(', ')}${own}`);
    }
    if (!driver.algorithms.includes(algorithm)) {
      // Model-based search runs everywhere under one name: `bayesian` is each backend's own.
      const modelBased = ALGORITHM_BACKENDS[algorithm].local === 'tpe' || ALGORITHM_BACKENDS[algorithm].local === 'gp';
      const fix = modelBased && driver.algorithms.includes('bayesian')
        ? `use "bayesian" there, the ${driver.kind} backend's model-based search, or run ${algorithm} locally`
        : `use one of ${driver.algorithms.map((name) => `"${name}"`).join(', ')} there`;
      fail('algorithm', algorithm, `is not a search algorithm the ${driver.kind} backend runs`, fix);
    }
  }
  const searchAlgorithm = sampler ? undefined : (algorithm as SearchAlgorithm);
  // The one validation of the space in a launch: everything below, and the backend, gets the checked copy.
  const space = checkSearchSpace(options.space, searchAlgorithm === undefined ? {} : { algorithm: searchAlgorithm });
  const metric = validateMetric(options.metric);

  let maxTrials = options.maxTrials;
  if (searchAlgorithm !== undefined && isGridSearch(searchAlgorithm)) {
    const size = gridSize(space);
    if (maxTrials === undefined) {
      if (!Number.isSafeInteger(size)) fail('maxTrials', maxTrials, `is needed: the grid has more combinations than can be counted (${size})`, 'give the trials to run, e.g. 100, or search fewer parameters');
      maxTrials = size;
    }
    else if (!isCount(maxTrials, 1)) fail('maxTrials', maxTrials, 'is not a whole number of at least 1', `give at most the grid size, ${size}, or leave it unset`);
    else if (maxTrials > size) fail('maxTrials', maxTrials, `is above the grid size (${size} combinations)`, `give at most ${size}, or leave it unset to run the whole grid`);
  } else if (!isCount(maxTrials, 1)) {
    fail('maxTrials', maxTrials, 'is not a whole number of at least 1', `${searchAlgorithm ?? 'a custom sampler\'s'} search needs a trial count, e.g. 20`);
  }
  const trials = maxTrials as number;
  const limits = validateRunLimits(options);
  if (limits.maxFailedTrials !== undefined && limits.maxFailedTrials > trials) {
    fail('maxFailedTrials', limits.maxFailedTrials, `is more than maxTrials (${trials})`, `give at most ${trials}, or leave it unset`);
  }
  const seed = options.seed ?? randomInt(2 ** 31);
  if (!Number.isSafeInteger(seed)) fail('seed', options.seed, 'is not a whole number', 'give an integer seed such as 42, or leave it unset');
  const stoppingRule = options.earlyStopping === undefined ? undefined : validateStoppingRule(options.earlyStopping);
  const measurementSelection = validateMeasurementSelection(options.measurementSelection);

  return {
    definition: {
      name: options.name,
      space: searchSpaceToJSON(space),
      metric,
      algorithm: searchAlgorithm ?? 'custom',
      ...(sampler ? { sampler: { name: sampler.algorithm } } : {}),
      maxTrials: trials,
      parallelTrials: limits.parallelTrials ?? driver.defaultParallelTrials(trials),
      ...(limits.maxFailedTrials === undefined ? {} : { maxFailedTrials: limits.maxFailedTrials }),
      ...(limits.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: limits.trialTimeoutSeconds }),
      seed: seed as number,
      ...(stoppingRule ? { earlyStopping: structuredClone(stoppingRule.spec) } : {}),
      measurementSelection,
    },
    space,
    sampler,
    ...(stoppingRule ? { stoppingRule } : {}),
  };
}
