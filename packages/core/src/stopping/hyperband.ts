import { ValidationError } from '../errors.js';
import type { FrozenTrial } from '../study/types.js';
import { judgeAtRung } from './asha.js';
import { onlyKnown, wholeNumber } from './check.js';
import type { HyperbandStoppingSpec, StoppingRule } from './types.js';

/** Options of {@link hyperband}. */
export interface HyperbandOptions {
  /** The first rung's step in the most aggressive bracket. @default 1 */
  readonly minStep?: number;
  /** The last step of a trial that is never stopped, e.g. the trainer's epochs. */
  readonly maxStep: number;
  /** Rungs at `minStep * reductionFactor^k`; one trial in `reductionFactor` goes on past each. @default 3 */
  readonly reductionFactor?: number;
}

/** {@link hyperband}'s default reduction factor. */
export const DEFAULT_HYPERBAND_REDUCTION_FACTOR = 3;

/** One of {@link hyperband}'s brackets: a successive halving with its own first rung. */
export interface HyperbandBracket {
  /** The steps at which its trials are judged (those below `maxStep`); none for the bracket that never stops a trial. */
  readonly rungs: readonly number[];
  /** Its share of trials: a trial lands in it with probability `budget / total budget`. */
  readonly budget: number;
}

/**
 * {@link hyperband}'s brackets (Li et al., Algorithm 1): with `s_max` the largest `s` such that
 * `minStep * reductionFactor^s <= maxStep`, bracket `b` (0 to `s_max`) is successive halving whose
 * first rung is `minStep * reductionFactor^b`, and gets `ceil((s_max + 1) * reductionFactor^(s_max - b) / (s_max - b + 1))`
 * trials in every `sum of budgets`: the most aggressive bracket gets the most trials.
 */
export function hyperbandBrackets(spec: Pick<HyperbandStoppingSpec, 'minStep' | 'maxStep' | 'reductionFactor'>): HyperbandBracket[] {
  let sMax = 0;
  while (spec.minStep * spec.reductionFactor ** (sMax + 1) <= spec.maxStep) sMax += 1;
  const brackets: HyperbandBracket[] = [];
  for (let bracket = 0; bracket <= sMax; bracket += 1) {
    const rungs: number[] = [];
    for (let step = spec.minStep * spec.reductionFactor ** bracket; step < spec.maxStep; step *= spec.reductionFactor) rungs.push(step);
    const s = sMax - bracket;
    brackets.push({ rungs, budget: Math.ceil(((sMax + 1) * spec.reductionFactor ** s) / (s + 1)) });
  }
  return brackets;
}

/**
 * The bracket of a trial: CRC-32 of `"<study name>_<trial number>"` (the number counts from 0: trial
 * `"1"` is 0) modulo the brackets' total budget, walked through the budgets in order. Deterministic,
 * spread by the budgets, and the same assignment as Optuna's `HyperbandPruner` for a study of the
 * same name, so the two decide alike. A trial id that is not a number is hashed as it is.
 */
export function hyperbandBracketOf(brackets: readonly HyperbandBracket[], studyName: string, trialId: string): number {
  const number = /^[1-9]\d*$/.test(trialId) ? String(Number(trialId) - 1) : trialId;
  const total = brackets.reduce((sum, bracket) => sum + bracket.budget, 0);
  let left = crc32(`${studyName}_${number}`) % total;
  for (let index = 0; index < brackets.length; index += 1) {
    left -= (brackets[index] as HyperbandBracket).budget;
    if (left < 0) return index;
  }
  return brackets.length - 1;
}

/**
 * Hyperband (Li et al., 2018; Optuna's `HyperbandPruner`): several successive halvings side by side,
 * from aggressive (first rung at `minStep`) to none (its first rung would be `maxStep`: its trials
 * run to their end), so a study does not bet everything on early steps predicting the end. Each
 * trial is put in a bracket by {@link hyperbandBracketOf} and judged there as {@link asha} judges,
 * against the trials of its own bracket only.
 * @see https://jmlr.org/papers/v18/16-558.html
 * @throws ValidationError for a step that is not a whole number of at least 1, a `maxStep` not above
 *   `minStep`, or a `reductionFactor` below 2.
 */
export function hyperband(options: HyperbandOptions): StoppingRule {
  onlyKnown('hyperband', options ?? {}, ['minStep', 'maxStep', 'reductionFactor']);
  const minStep = wholeNumber('hyperband.minStep', options?.minStep, 1, 1, 'give the first rung, e.g. 1');
  if (options?.maxStep === undefined) {
    throw new ValidationError({ field: 'hyperband.maxStep', value: undefined, problem: 'is required', fix: "give the trainer's last step, e.g. its number of epochs: hyperband({ maxStep: 9 })" });
  }
  const maxStep = wholeNumber('hyperband.maxStep', options.maxStep, minStep + 1, 0, `give the trainer's last step, above minStep (${minStep})`);
  const reductionFactor = wholeNumber('hyperband.reductionFactor', options.reductionFactor, 2, DEFAULT_HYPERBAND_REDUCTION_FACTOR, 'give a whole number of at least 2, e.g. 3');
  const spec: HyperbandStoppingSpec = { kind: 'hyperband', minStep, maxStep, reductionFactor };
  const brackets = hyperbandBrackets(spec);
  return {
    spec,
    decide({ trial, others, metric, studyName = '' }) {
      const bracketOf = (candidate: FrozenTrial) => hyperbandBracketOf(brackets, studyName, candidate.id);
      const bracket = bracketOf(trial);
      const rungs = (brackets[bracket] as HyperbandBracket).rungs;
      if (rungs.length === 0) return { stop: false };
      const decision = judgeAtRung({ rungs, reductionFactor, trial, others: others.filter((other) => bracketOf(other) === bracket), metric });
      return decision.stop ? { stop: true, reason: `${decision.reason}, in bracket ${bracket}` } : decision;
    },
  };
}

/** CRC-32 (IEEE 802.3, as zlib and Python's `binascii.crc32`) of a string's UTF-8 bytes. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
