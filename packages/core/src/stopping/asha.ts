import { ValidationError } from '../errors.js';
import { onlyKnown, wholeNumber } from './check.js';
import type { AshaStoppingSpec, StoppingContext, StoppingDecision, StoppingRule } from './types.js';
import { bestFirst, newest, valueReaching, worse } from './values.js';

/** Options of {@link asha}. */
export interface AshaOptions {
  /** The first rung's step. @default 1 */
  readonly minStep?: number;
  /** The last step of a trial that is never stopped, e.g. the trainer's epochs. */
  readonly maxStep: number;
  /** Rungs at `minStep * reductionFactor^k`; one trial in `reductionFactor` goes on past each. @default 3 */
  readonly reductionFactor?: number;
}

/** {@link asha}'s default reduction factor. */
export const DEFAULT_ASHA_REDUCTION_FACTOR = 3;

/** The steps at which {@link asha} judges trials: `minStep * reductionFactor^k` below `maxStep`. */
export function ashaRungs(spec: Pick<AshaStoppingSpec, 'minStep' | 'maxStep' | 'reductionFactor'>): number[] {
  const rungs: number[] = [];
  for (let step = spec.minStep; step < spec.maxStep; step *= spec.reductionFactor) rungs.push(step);
  return rungs;
}

/**
 * Asynchronous successive halving (Ray Tune's `ASHAScheduler`, Optuna's `SuccessiveHalvingPruner`):
 * rungs lie at steps `minStep * reductionFactor^k` below `maxStep` (1, 3 for 1, 9, 3). When a trial
 * first reports at or past a rung (the highest one it passed, if it skipped some), it joins the `n`
 * trials that reached that rung, each with its value there (its first report at or past the rung);
 * it goes on only if its value is among the best `max(1, floor(n / reductionFactor))` of them, and
 * is stopped otherwise. Nobody waits: a trial is judged against the trials that reached the rung
 * before it, so early trials go on more easily (the first at each rung always does).
 * @see https://docs.ray.io/en/latest/tune/api/doc/ray.tune.schedulers.ASHAScheduler.html
 * @throws ValidationError for a step that is not a whole number of at least 1, a `maxStep` not above
 *   `minStep`, or a `reductionFactor` below 2.
 */
export function asha(options: AshaOptions): StoppingRule {
  onlyKnown('asha', options ?? {}, ['minStep', 'maxStep', 'reductionFactor']);
  const minStep = wholeNumber('asha.minStep', options?.minStep, 1, 1, 'give the first rung, e.g. 1');
  if (options?.maxStep === undefined) throw new ValidationError({ field: 'asha.maxStep', value: undefined, problem: 'is required', fix: "give the trainer's last step, e.g. its number of epochs: asha({ maxStep: 9 })" });
  const maxStep = wholeNumber('asha.maxStep', options.maxStep, minStep + 1, 0, `give the trainer's last step, above minStep (${minStep})`);
  const reductionFactor = wholeNumber('asha.reductionFactor', options.reductionFactor, 2, DEFAULT_ASHA_REDUCTION_FACTOR, 'give a whole number of at least 2, e.g. 3');
  const spec: AshaStoppingSpec = { kind: 'asha', minStep, maxStep, reductionFactor };
  const rungs = ashaRungs(spec);
  return {
    spec,
    decide({ trial, others, metric }) {
      return judgeAtRung({ rungs, reductionFactor, trial, others, metric });
    },
  };
}

/**
 * Successive halving's verdict on a trial's newest measurement, as {@link asha} and each of
 * {@link hyperband}'s brackets give it: judged at the highest of `rungs` it passed with that
 * measurement, against the `others` that reached that rung.
 */
export function judgeAtRung(options: {
  readonly rungs: readonly number[];
  readonly reductionFactor: number;
  readonly trial: StoppingContext['trial'];
  readonly others: StoppingContext['others'];
  readonly metric: StoppingContext['metric'];
}): StoppingDecision {
  const { rungs, reductionFactor, trial, others, metric } = options;
  const current = newest(trial, metric);
  if (!current) return { stop: false };
  const before = trial.measurements.slice(0, -1).reduce((max, measurement) => Math.max(max, measurement.step), Number.NEGATIVE_INFINITY);
  const rung = rungs.filter((step) => before < step && step <= current.step).at(-1);
  if (rung === undefined) return { stop: false };
  const competing = [current.value, ...others.flatMap((other) => valueReaching(other, rung, metric) ?? [])];
  const promoted = Math.max(1, Math.floor(competing.length / reductionFactor));
  const cutoff = bestFirst(competing, metric)[promoted - 1] as number;
  if (!worse(current.value, cutoff, metric)) return { stop: false };
  return {
    stop: true,
    reason: `${metric.id} ${current.value} at rung ${rung} is not among the best ${promoted} of ${competing.length} trials there (cut-off ${cutoff})`,
  };
}
