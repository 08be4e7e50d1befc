/**
 * The goal for early stopping, on a stand-in for the seed study: 27 combinations with known
 * learning curves, run as the local coordinator runs them (2 at a time, each trial reporting one
 * step per epoch and asked about after each, a stopped trial's slot refilled at once). The curves
 * are built so that the goal follows from each rule's semantics, not from the grid's order: the
 * true best is the 21st combination to run, trails seven fast starters at step 1 (they lead there
 * and end low), and leads from step 3 on; the first test checks these premises.
 */
import { describe, expect, it } from 'vitest';
import { combinationKey, enumerateGrid } from '../space/grid.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { FrozenTrial, Measurement, MetricSpec } from '../study/types.js';
import { bestTrial } from '../study/best.js';
import { asha } from './asha.js';
import { median } from './median.js';
import type { StoppingRule } from './types.js';

const EPOCHS = 9;
const PARALLEL = 2;
const metric: MetricSpec = { id: 'accuracy', goal: 'maximize' };
const grid = [...enumerateGrid(exampleSearchSpace)];
const BEST = 20;

/** Accuracy after each epoch: combination `index` rises from 0.3 to exactly `final` at the last epoch, at its own pace. */
function curveOf(index: number): number[] {
  // Every fourth combination is a fast starter: near its final after one epoch, then flat, and it ends low (0.80..0.85).
  const fast = index % 4 === 1;
  const other = index < BEST ? index : index - 1;
  // The others end over 0.81..0.95 by a permutation unrelated to the grid's order; the best, 0.956, is combination BEST.
  const final = index === BEST ? 0.956 : fast ? 0.849 - Math.floor(index / 4) * 0.008 : 0.81 + ((other * 7) % 26) * 0.0055;
  const pace = index === BEST ? 1.5 : fast ? 0.9 : 2.2 + (index % 3) * 0.4;
  const remaining = (epoch: number) => (Math.exp(-epoch / pace) - Math.exp(-EPOCHS / pace)) / (1 - Math.exp(-EPOCHS / pace));
  return Array.from({ length: EPOCHS }, (_, epoch) => Number((final - (final - 0.3) * remaining(epoch + 1)).toFixed(4)));
}

const curves = grid.map((_, index) => curveOf(index));

/** Runs the 27 trials through the rule as the coordinator does; the trials as they end, and the epochs trained in all. */
function simulate(rule: StoppingRule | undefined): { trials: FrozenTrial[]; epochs: number } {
  const trials: FrozenTrial[] = [];
  const running: number[] = [];
  let next = 0;
  let epochs = 0;
  const fill = () => {
    while (running.length < PARALLEL && next < grid.length) {
      trials.push({ id: String(next + 1), state: 'ACTIVE', parameters: grid[next] as FrozenTrial['parameters'], measurements: [] });
      running.push(next);
      next += 1;
    }
  };
  fill();
  while (running.length > 0) {
    for (const index of [...running]) {
      const trial = trials[index] as FrozenTrial;
      const step = trial.measurements.length + 1;
      const measurement: Measurement = { step, metrics: { accuracy: curves[index]?.[step - 1] as number }, elapsedSeconds: step };
      const measured = { ...trial, measurements: [...trial.measurements, measurement] };
      epochs += 1;
      const others = trials.filter((other) => other.id !== trial.id);
      const stop = rule?.decide({ trial: measured, others, metric }).stop ?? false;
      trials[index] = stop || step === EPOCHS ? { ...measured, state: 'SUCCEEDED', finalMeasurement: measurement, ...(stop ? { stoppedEarly: true } : {}) } : measured;
      if (stop || step === EPOCHS) running.splice(running.indexOf(index), 1);
    }
    fill();
  }
  return { trials, epochs };
}

describe('early stopping on 27 combinations with known learning curves', () => {
  it('holds the premises: the best is found late, trails the fast starters at step 1, and leads from step 3 on', () => {
    const finals = curves.map((curve) => curve.at(-1) as number);
    expect(finals.indexOf(Math.max(...finals))).toBe(BEST);
    expect(new Set(finals).size).toBe(27);
    const aheadAt = (step: number, among: readonly number[][]) => among.filter((curve) => (curve[step - 1] as number) > (curves[BEST]?.[step - 1] as number)).length;
    expect(aheadAt(1, curves)).toBe(7);
    // ASHA's premise at rung 1: among the trials that reach it before the best, fewer than a third are ahead.
    expect(aheadAt(1, curves.slice(0, BEST))).toBeLessThan(Math.floor((BEST + 1) / 3));
    for (let step = 3; step <= EPOCHS; step += 1) expect(aheadAt(step, curves)).toBe(0);
  });

  const baseline = simulate(undefined);

  it('without stopping trains 27 x 9 epochs', () => {
    expect(baseline.epochs).toBe(27 * EPOCHS);
    expect(bestTrial(baseline.trials, metric)?.id).toBe(String(BEST + 1));
  });

  it.each([
    ['asha({ maxStep: 9 })', 2.5, asha({ maxStep: EPOCHS })],
    ['median()', 1.25, median()],
  ] as const)('%s trains at least %sx fewer epochs and still ends with the true best', (_label, factor, rule) => {
    const { trials, epochs } = simulate(rule);
    expect(baseline.epochs / epochs).toBeGreaterThanOrEqual(factor);
    expect(bestTrial(trials, metric)?.id).toBe(String(BEST + 1));
    expect(trials[BEST]?.stoppedEarly).toBeUndefined();
    // Every combination decided exactly once.
    expect(new Set(trials.map((trial) => combinationKey(trial.parameters))).size).toBe(27);
    expect(trials.every((trial) => trial.state === 'SUCCEEDED')).toBe(true);
    expect(trials.filter((trial) => trial.stoppedEarly).length).toBeGreaterThan(0);
  });
});
