import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../errors.js';
import { categorical, discrete, double, integer, searchSpace } from '../../space/builder.js';
import { validateParameters } from '../../space/parameters.js';
import type { TrialParameters } from '../../space/types.js';
import type { FrozenTrial, MetricSpec, TrialState } from '../../study/types.js';
import { createRandomSampler } from '../random.js';
import type { Sampler } from '../types.js';
import { createTpeSampler } from '../tpe/sampler.js';
import { GP_PRIOR_MEAN, createGpSampler, defaultGpStartupTrials, selectSubset } from './sampler.js';

const minimize: MetricSpec = { id: 'loss', goal: 'minimize' };
const maximize: MetricSpec = { id: 'score', goal: 'maximize' };

function trial(id: number, parameters: TrialParameters, state: TrialState, metric?: MetricSpec, value?: number): FrozenTrial {
  if (state !== 'SUCCEEDED' || metric === undefined || value === undefined) {
    return { id: String(id), state, parameters, measurements: [], ...(state === 'INFEASIBLE' ? { failure: { kind: 'exit-code', reason: 'exited with code 1' } } : {}) };
  }
  const measurement = { step: 1, metrics: { [metric.id]: value }, elapsedSeconds: 1 };
  return { id: String(id), state, parameters, measurements: [measurement], finalMeasurement: measurement };
}

/** A study of `count` sequential trials; `evaluate` returns the metric, or undefined for a failed trial. */
function study(sampler: Sampler, count: number, metric: MetricSpec, evaluate: (parameters: TrialParameters) => number | undefined, before: readonly FrozenTrial[] = []): FrozenTrial[] {
  const trials = [...before];
  while (trials.length < count) {
    const parameters = sampler.suggest(trials) as TrialParameters;
    const value = evaluate(parameters);
    const id = trials.length + 1;
    trials.push(value === undefined ? trial(id, parameters, 'INFEASIBLE') : trial(id, parameters, 'SUCCEEDED', metric, value));
  }
  return trials;
}

const bowlSpace = searchSpace({ x: double(-5, 5), y: double(-5, 5) });
const bowl = (parameters: TrialParameters): number => ((parameters['x'] as number) - 1) ** 2 + ((parameters['y'] as number) + 2) ** 2;
const best = (trials: readonly FrozenTrial[], metric: MetricSpec): number => {
  const values = trials.flatMap((t) => (t.finalMeasurement === undefined ? [] : [t.finalMeasurement.metrics[metric.id] as number]));
  return metric.goal === 'minimize' ? Math.min(...values) : Math.max(...values);
};

/** Every kind and scale, no conditions: the space the GP itself models (a conditional one goes to TPE). */
const everyKindSpace = searchSpace({
  learning_rate: double(1e-5, 1e-1, { scale: 'log' }),
  momentum: double(0.5, 0.999, { scale: 'reverse-log' }),
  units: integer(8, 512, { scale: 'log' }),
  layers: integer(1, 4),
  steps: integer(1, 100_000),
  batch_size: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
  warmup: discrete([0, 100, 1000]),
  optimizer: categorical(['sgd', 'adam', 'rmsprop']),
});
const everyKindObjective = (p: TrialParameters): number =>
  (Math.log10(p['learning_rate'] as number) + 3) ** 2 +
  (p['optimizer'] === 'adam' ? 0 : 1) +
  Math.abs((p['layers'] as number) - 3) +
  (Math.log2(p['units'] as number) - 7) ** 2 / 4 +
  ((p['steps'] as number) - 30_000) ** 2 / 1e9 +
  (1 - (p['momentum'] as number)) * 5 +
  (p['batch_size'] === 64 ? 0 : 0.5) +
  (p['warmup'] === 100 ? 0 : 0.3);

describe('createGpSampler', () => {
  test.each([
    ['minimizing', minimize, bowl],
    ['maximizing', maximize, (parameters: TrialParameters) => -bowl(parameters)],
  ] as const)('beats random search and TPE on a bowl when %s, on 10 seeds out of 10', (_goal, metric, evaluate) => {
    for (let seed = 0; seed < 10; seed += 1) {
      const gp = Math.abs(best(study(createGpSampler({ space: bowlSpace, metric, seed }), 25, metric, evaluate), metric));
      const random = Math.abs(best(study(createRandomSampler({ space: bowlSpace, seed }), 25, metric, evaluate), metric));
      const tpe = Math.abs(best(study(createTpeSampler({ space: bowlSpace, metric, seed }), 25, metric, evaluate), metric));
      expect(gp).toBeLessThan(random);
      expect(gp).toBeLessThan(tpe);
      expect(gp).toBeLessThan(1e-3);
    }
  });

  test('starts with a design fixed by the seed: the first trials do not depend on the values reported', () => {
    const count = defaultGpStartupTrials(2);
    expect(count).toBe(5);
    const first = study(createGpSampler({ space: bowlSpace, metric: minimize, seed: 8 }), count, minimize, bowl);
    const second = study(createGpSampler({ space: bowlSpace, metric: minimize, seed: 8 }), count, minimize, () => 1);
    const otherSeed = study(createGpSampler({ space: bowlSpace, metric: minimize, seed: 9 }), count, minimize, bowl);
    expect(second.map((t) => t.parameters)).toEqual(first.map((t) => t.parameters));
    expect(otherSeed.map((t) => t.parameters)).not.toEqual(first.map((t) => t.parameters));
    // A scrambled Halton design is stratified: x is the base-2 coordinate, so the first four points take one quarter of x each.
    expect(new Set(first.slice(0, 4).map((t) => Math.floor(((t.parameters['x'] as number) + 5) / 2.5))).size).toBe(4);
    expect(defaultGpStartupTrials(9)).toBe(10);
  });

  test('is deterministic for a seed past the design, and a resumed study continues the same sequence', () => {
    const straight = study(createGpSampler({ space: everyKindSpace, metric: minimize, seed: 5 }), 24, minimize, everyKindObjective);
    const again = study(createGpSampler({ space: everyKindSpace, metric: minimize, seed: 5 }), 24, minimize, everyKindObjective);
    const resumed = study(createGpSampler({ space: everyKindSpace, metric: minimize, seed: 5 }), 24, minimize, everyKindObjective, straight.slice(0, 15));
    expect(again.map((t) => t.parameters)).toEqual(straight.map((t) => t.parameters));
    expect(resumed.map((t) => t.parameters)).toEqual(straight.map((t) => t.parameters));
  });

  test('models every kind and scale: valid values, better than random search on at least 6 seeds of 8 and in the median', () => {
    const gp: number[] = [];
    const random: number[] = [];
    for (let seed = 0; seed < 8; seed += 1) {
      const trials = study(createGpSampler({ space: everyKindSpace, metric: minimize, seed }), 30, minimize, everyKindObjective);
      for (const { parameters } of trials) validateParameters(everyKindSpace, parameters);
      gp.push(best(trials, minimize));
      random.push(best(study(createRandomSampler({ space: everyKindSpace, seed }), 30, minimize, everyKindObjective), minimize));
    }
    expect(gp.filter((value, seed) => value < (random[seed] as number)).length).toBeGreaterThanOrEqual(6);
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length / 2] as number;
    expect(median(gp)).toBeLessThan(median(random));
  });

  test('in 10 dimensions it does not spend trials at the corners of the cube (the prior mean is pessimistic)', { timeout: 120_000 }, () => {
    // The rotated ellipsoid: sum of squared prefix sums, minimum 0 at the centre. With a prior mean
    // at the average value (0), seeds 0-2 sent 7 of their 90 model-chosen trials to a corner.
    expect(GP_PRIOR_MEAN).toBeGreaterThan(0);
    const space = searchSpace(Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`x${index}`, double(-1, 1)])));
    const ellipsoid = (parameters: TrialParameters): number => {
      let prefix = 0;
      return Object.values(parameters).reduce<number>((total, value) => total + (prefix += value as number) ** 2, 0);
    };
    let corners = 0;
    for (let seed = 0; seed < 3; seed += 1) {
      const trials = study(createGpSampler({ space, metric: minimize, seed }), 40, minimize, ellipsoid);
      corners += trials.slice(defaultGpStartupTrials(10)).filter((t) => Object.values(t.parameters).filter((value) => Math.abs(value as number) > 0.99).length >= 5).length;
    }
    expect(corners).toBe(0);
  });

  test('concurrent suggestions differ: a running trial is counted as the worst value (a constant liar)', () => {
    const finished = study(createGpSampler({ space: bowlSpace, metric: minimize, seed: 2 }), 15, minimize, bowl);
    const sampler = createGpSampler({ space: bowlSpace, metric: minimize, seed: 2 });
    const first = sampler.suggest(finished) as TrialParameters;
    const pending = [...finished, trial(16, first, 'ACTIVE')];
    const second = sampler.suggest(pending) as TrialParameters;
    const third = sampler.suggest([...pending, trial(17, second, 'REQUESTED')]) as TrialParameters;
    const distance = (a: TrialParameters, b: TrialParameters): number => Math.hypot((a['x'] as number) - (b['x'] as number), (a['y'] as number) - (b['y'] as number));
    expect(distance(first, second)).toBeGreaterThan(0.05);
    expect(distance(first, third)).toBeGreaterThan(0.05);
    expect(distance(second, third)).toBeGreaterThan(0.05);
    // Without the liar (the running trials left out) the sampler would suggest the first point again.
    const blind = createGpSampler({ space: bowlSpace, metric: minimize, seed: 2 });
    const withoutLiar = blind.suggest(finished) as TrialParameters;
    expect(distance(withoutLiar, first)).toBe(0);
  });

  test('moves away from where trials fail: failed trials count as the worst value observed', () => {
    // Trials with x > 0 crash; the best of the rest is 1, at (0, -2) (the bowl's minimum, (1, -2), crashes).
    const crashing = (p: TrialParameters): number | undefined => ((p['x'] as number) > 0 ? undefined : bowl(p));
    for (let seed = 0; seed < 5; seed += 1) {
      const gp = study(createGpSampler({ space: bowlSpace, metric: minimize, seed }), 30, minimize, crashing);
      const random = study(createRandomSampler({ space: bowlSpace, seed }), 30, minimize, crashing);
      const failures = (trials: readonly FrozenTrial[]): number => trials.slice(15).filter((t) => t.state === 'INFEASIBLE').length;
      // Random search crashes in about half of its last 15 trials; the GP learns to stay on the feasible side.
      expect(failures(gp)).toBeLessThanOrEqual(4);
      expect(failures(gp)).toBeLessThan(failures(random));
      expect(best(gp, minimize)).toBeLessThan(best(random, minimize));
    }
  });

  test('a conditional space is delegated to TPE (same suggestions), under the name gp', () => {
    const space = searchSpace({
      optimizer: categorical(['sgd', 'adam'], { when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99) } }] }),
      learning_rate: double(1e-4, 1, { scale: 'log' }),
    });
    const objective = (p: TrialParameters): number => (Math.log10(p['learning_rate'] as number) + 2) ** 2 + (p['optimizer'] === 'sgd' ? 1 - (p['momentum'] as number) : 0.5);
    const gp = createGpSampler({ space, metric: minimize, seed: 3 });
    expect(gp.algorithm).toBe('gp');
    const viaGp = study(gp, 20, minimize, objective);
    const viaTpe = study(createTpeSampler({ space, metric: minimize, seed: 3 }), 20, minimize, objective);
    expect(viaGp.map((t) => t.parameters)).toEqual(viaTpe.map((t) => t.parameters));
  });

  test('past the cap the model keeps the best half and the most recent of the rest', () => {
    const observations = Array.from({ length: 10 }, (_, order) => ({ point: new Float64Array(1), value: order === 7 ? undefined : [5, 1, 9, 2, 8, 7, 3, 0, 6, 4][order] as number, order }));
    const kept = selectSubset(observations, 6).map((observation) => observation.order);
    // best three by value: orders 1 (1), 3 (2), 6 (3); then the latest of the rest: 9, 8, 7.
    expect(kept).toEqual([1, 3, 6, 7, 8, 9]);
    expect(selectSubset(observations, 20)).toHaveLength(10);
  });

  test('rejects bad options with a ValidationError naming the field', () => {
    expect(() => createGpSampler({ space: bowlSpace, metric: minimize, seed: 1, candidates: 0 })).toThrow(ValidationError);
    expect(() => createGpSampler({ space: bowlSpace, metric: minimize, seed: 1, startupTrials: 1.5 })).toThrow(/startupTrials/);
    expect(() => createGpSampler({ space: searchSpace({}), metric: minimize, seed: 1 })).toThrow(ValidationError);
  });
});
