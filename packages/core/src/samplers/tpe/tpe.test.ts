import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../errors.js';
import { categorical, discrete, double, integer, searchSpace } from '../../space/builder.js';
import type { SearchSpace, TrialParameters } from '../../space/types.js';
import type { FrozenTrial, MetricSpec, TrialState } from '../../study/types.js';
import { createRandomSampler } from '../random.js';
import type { Sampler } from '../types.js';
import { createTpeSampler } from './sampler.js';

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
function study(sampler: Sampler, count: number, metric: MetricSpec, evaluate: (parameters: TrialParameters) => number | undefined): FrozenTrial[] {
  const trials: FrozenTrial[] = [];
  for (let n = 1; n <= count; n += 1) {
    const parameters = sampler.suggest(trials) as TrialParameters;
    const value = evaluate(parameters);
    trials.push(value === undefined ? trial(n, parameters, 'INFEASIBLE') : trial(n, parameters, 'SUCCEEDED', metric, value));
  }
  return trials;
}

const bowlSpace = searchSpace({ x: double(-5, 5), y: double(-5, 5) });
const bowl = (parameters: TrialParameters): number => ((parameters['x'] as number) - 1) ** 2 + ((parameters['y'] as number) + 2) ** 2;

function bestValue(trials: readonly FrozenTrial[], metric: MetricSpec): number {
  const values = trials.map((t) => t.finalMeasurement?.metrics[metric.id]).filter((value): value is number => value !== undefined);
  return metric.goal === 'minimize' ? Math.min(...values) : Math.max(...values);
}

describe('createTpeSampler', () => {
  test.each([
    ['minimizing', minimize, bowl],
    ['maximizing', maximize, (parameters: TrialParameters) => -bowl(parameters)],
  ] as const)('beats random search on a bowl when %s, on 20 seeds out of 20 (a sign test: p < 1e-6 were they equal)', (_goal, metric, evaluate) => {
    let wins = 0;
    const ratios: number[] = [];
    for (let seed = 0; seed < 20; seed += 1) {
      const tpe = Math.abs(bestValue(study(createTpeSampler({ space: bowlSpace, metric, seed }), 40, metric, evaluate), metric));
      const random = Math.abs(bestValue(study(createRandomSampler({ space: bowlSpace, seed }), 40, metric, evaluate), metric));
      if (tpe < random) wins += 1;
      ratios.push(tpe / random);
    }
    expect(wins).toBe(20);
    expect(ratios.sort((a, b) => a - b)[10]).toBeLessThan(0.2);
  });

  test('suggests what the random sampler would until 10 trials have finished', () => {
    const tpe = createTpeSampler({ space: bowlSpace, metric: minimize, seed: 4 });
    const random = createRandomSampler({ space: bowlSpace, seed: 4 });
    const trials = study(tpe, 10, minimize, bowl);
    trials.forEach((t, index) => expect(t.parameters).toEqual(random.suggest(trials.slice(0, index))));
    expect(tpe.suggest(trials)).not.toEqual(random.suggest(trials));
  });

  test('learns to avoid where trials fail: failed trials count as bad', () => {
    const space = searchSpace({ x: double(0, 1) });
    // Half the range crashes (as random search finds out half the time); the best is at 0.7.
    const evaluate = (parameters: TrialParameters) => ((parameters['x'] as number) < 0.5 ? undefined : Math.abs((parameters['x'] as number) - 0.7));
    for (const seed of [1, 2, 3]) {
      const trials = study(createTpeSampler({ space, metric: minimize, seed }), 60, minimize, evaluate);
      const modelled = trials.slice(20);
      expect(modelled.filter((t) => t.state === 'INFEASIBLE').length).toBeLessThan(modelled.length / 5);
      expect(bestValue(trials, minimize)).toBeLessThan(0.01);
    }
  });

  test('steers parallel workers apart: running trials count as bad (a constant liar)', () => {
    const space = searchSpace({ a: categorical(['p', 'q', 'r', 's']), b: categorical(['p', 'q', 'r', 's']) });
    const evaluate = (parameters: TrialParameters) => (parameters['a'] === 'p' ? 0 : 1) + (parameters['b'] === 'q' ? 0 : 1);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const finished = study(createTpeSampler({ space, metric: minimize, seed }), 30, minimize, evaluate);
      const sampler = createTpeSampler({ space, metric: minimize, seed });
      // Eight workers ask in turn while the others' trials still run.
      const running: FrozenTrial[] = [];
      for (let worker = 0; worker < 8; worker += 1) {
        running.push(trial(finished.length + worker + 1, sampler.suggest([...finished, ...running]) as TrialParameters, 'ACTIVE'));
      }
      const distinct = new Set(running.map((t) => `${t.parameters['a']}/${t.parameters['b']}`));
      expect(distinct.size).toBeGreaterThanOrEqual(3);
      // Blind to the running trials, every worker would get the same suggestion.
      expect(sampler.suggest(finished)).toEqual(sampler.suggest(finished));
    }
  });

  test('handles every kind and scale, conditional children only when active, within bounds', () => {
    const space = searchSpace({
      rate: double(1e-5, 1, { scale: 'log' }),
      keep: double(0.5, 0.999, { scale: 'reverse-log' }),
      units: integer(8, 1024, { scale: 'log' }),
      steps: integer(10, 1000, { scale: 'reverse-log' }),
      batch: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
      kind: categorical(['conv', 'dense'], { when: [{ parentValues: ['conv'], parameters: { kernel: discrete([3, 5, 7]) } }] }),
    });
    // Best near rate 1e-3, keep 0.99, units 128, steps 900, batch 64, conv with kernel 5.
    const evaluate = (p: TrialParameters) =>
      (Math.log10(p['rate'] as number) + 3) ** 2 +
      Math.abs(Math.log10(1.5 - (p['keep'] as number)) - Math.log10(0.51)) * 10 +
      (Math.log2(p['units'] as number) - 7) ** 2 +
      Math.abs((p['steps'] as number) - 900) / 100 +
      (Math.log2(p['batch'] as number) - 6) ** 2 +
      (p['kind'] === 'conv' ? Math.abs((p['kernel'] as number) - 5) : 3);
    const trials = study(createTpeSampler({ space, metric: minimize, seed: 3 }), 80, minimize, evaluate);
    const random = study(createRandomSampler({ space, seed: 3 }), 80, minimize, evaluate);
    expect(bestValue(trials, minimize)).toBeLessThan(bestValue(random, minimize));
    for (const { parameters } of trials) expect('kernel' in parameters).toBe(parameters['kind'] === 'conv');
    const late = trials.slice(-20);
    expect(late.filter((t) => t.parameters['kind'] === 'conv').length).toBeGreaterThan(12);
    expect(late.filter((t) => (t.parameters['units'] as number) >= 64 && (t.parameters['units'] as number) <= 256).length).toBeGreaterThan(10);
  });

  test('is deterministic for a seed and its trials, whatever it was asked before', () => {
    const trials = study(createTpeSampler({ space: bowlSpace, metric: minimize, seed: 2 }), 25, minimize, bowl);
    const fresh = createTpeSampler({ space: bowlSpace, metric: minimize, seed: 2 });
    expect(fresh.suggest(trials)).toEqual(createTpeSampler({ space: bowlSpace, metric: minimize, seed: 2 }).suggest(trials));
    expect(fresh.suggest(trials)).not.toEqual(createTpeSampler({ space: bowlSpace, metric: minimize, seed: 3 }).suggest(trials));
  });

  test('refuses bad options before anything runs', () => {
    const space: SearchSpace = bowlSpace;
    expect(() => createTpeSampler({ space, metric: minimize, seed: 1, startupTrials: -1 })).toThrow(ValidationError);
    expect(() => createTpeSampler({ space, metric: minimize, seed: 1, candidates: 0 })).toThrow(/candidates 0 is not a whole number of at least 1/);
  });
});
