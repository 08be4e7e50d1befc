import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { FrozenTrial, MetricSpec } from '../study/types.js';
import { asha, ashaRungs } from './asha.js';
import { decayCurve } from './decay-curve.js';
import { crc32, hyperband, hyperbandBracketOf, hyperbandBrackets } from './hyperband.js';
import { stoppingRuleFromSpec, validateStoppingRule } from './index.js';
import { median } from './median.js';

const accuracy: MetricSpec = { id: 'accuracy', goal: 'maximize' };
const loss: MetricSpec = { id: 'loss', goal: 'minimize' };

function trial(id: number, values: readonly number[], options: { done?: boolean; stoppedEarly?: boolean; metric?: MetricSpec; firstStep?: number } = {}): FrozenTrial {
  const metric = options.metric ?? accuracy;
  const measurements = values.map((value, index) => ({ step: (options.firstStep ?? 1) + index, metrics: { [metric.id]: value }, elapsedSeconds: index }));
  return {
    id: String(id),
    state: options.done ? 'SUCCEEDED' : 'ACTIVE',
    parameters: { x: id },
    measurements,
    ...(options.done ? { finalMeasurement: measurements.at(-1) } : {}),
    ...(options.stoppedEarly ? { stoppedEarly: true } : {}),
  };
}

describe('median', () => {
  const finished = [0.5, 0.6, 0.7, 0.8, 0.9].map((start, index) => trial(index + 1, [start, start + 0.05, start + 0.1], { done: true }));

  it('stops a trial whose best value so far is below the median of the finished trials at that step', () => {
    const rule = median();
    // Medians: step 1 0.7, step 2 0.75.
    expect(rule.decide({ trial: trial(9, [0.69]), others: finished, metric: accuracy })).toMatchObject({ stop: true });
    expect(rule.decide({ trial: trial(9, [0.7]), others: finished, metric: accuracy }).stop).toBe(false);
    // Its best so far (0.8 at step 1) counts, not its newest value.
    expect(rule.decide({ trial: trial(9, [0.8, 0.7]), others: finished, metric: accuracy }).stop).toBe(false);
  });

  it('waits for startupTrials finished trials, ignores trials stopped early, and judges from warmupSteps on', () => {
    const stopped = finished.map((other) => ({ ...other, stoppedEarly: true }));
    expect(median().decide({ trial: trial(9, [0.1]), others: [...finished.slice(0, 4), ...stopped], metric: accuracy }).stop).toBe(false);
    expect(median({ startupTrials: 4 }).decide({ trial: trial(9, [0.1]), others: finished.slice(0, 4), metric: accuracy }).stop).toBe(true);
    expect(median({ warmupSteps: 2 }).decide({ trial: trial(9, [0.1]), others: finished, metric: accuracy }).stop).toBe(false);
    expect(median({ warmupSteps: 2 }).decide({ trial: trial(9, [0.1, 0.1]), others: finished, metric: accuracy }).stop).toBe(true);
    // No finished trial reported step 4: nothing to compare with.
    expect(median().decide({ trial: trial(9, [0.1], { firstStep: 4 }), others: finished, metric: accuracy }).stop).toBe(false);
  });

  it('turns round for a metric to minimize', () => {
    const losses = [0.5, 0.6, 0.7, 0.8, 0.9].map((value, index) => trial(index + 1, [value], { done: true, metric: loss }));
    expect(median().decide({ trial: trial(9, [0.71], { metric: loss }), others: losses, metric: loss }).stop).toBe(true);
    expect(median().decide({ trial: trial(9, [0.69], { metric: loss }), others: losses, metric: loss }).stop).toBe(false);
  });
});

describe('asha', () => {
  it('puts rungs at minStep * reductionFactor^k below maxStep', () => {
    expect(ashaRungs(asha({ maxStep: 9 }).spec as never)).toEqual([1, 3]);
    expect(ashaRungs({ minStep: 2, maxStep: 40, reductionFactor: 2 })).toEqual([2, 4, 8, 16, 32]);
    expect(asha({ maxStep: 9 }).spec).toEqual({ kind: 'asha', minStep: 1, maxStep: 9, reductionFactor: 3 });
  });

  it('lets the first trial at a rung go on, then only the best third of those that reached it', () => {
    const rule = asha({ maxStep: 9 });
    expect(rule.decide({ trial: trial(1, [0.2]), others: [], metric: accuracy }).stop).toBe(false);
    const others = [0.5, 0.4, 0.3, 0.2, 0.1].map((value, index) => trial(index + 1, [value], { done: true, stoppedEarly: true }));
    // Six at rung 1 with this one: the best 2 go on.
    expect(rule.decide({ trial: trial(9, [0.45]), others, metric: accuracy }).stop).toBe(false);
    expect(rule.decide({ trial: trial(9, [0.39]), others, metric: accuracy })).toMatchObject({ stop: true, reason: expect.stringContaining('rung 1') });
    // Judged once per rung: step 2 is no rung, so a trial that passed rung 1 runs on.
    expect(rule.decide({ trial: trial(9, [0.45, 0.0]), others, metric: accuracy }).stop).toBe(false);
  });

  it('judges at the highest rung a trial skipped to, with the others\' values on reaching it', () => {
    const rule = asha({ maxStep: 9 });
    const others = [trial(1, [0.1, 0.2, 0.9], { done: true }), trial(2, [0.1, 0.2, 0.8], { done: true })];
    expect(rule.decide({ trial: trial(9, [0.85], { firstStep: 3 }), others, metric: accuracy }).stop).toBe(true);
    expect(rule.decide({ trial: trial(9, [0.95], { firstStep: 3 }), others, metric: accuracy }).stop).toBe(false);
  });

  it('refuses settings that make no rungs or are not whole numbers', () => {
    expect(() => asha({ maxStep: 1 })).toThrow(ValidationError);
    expect(() => asha({ maxStep: 9, reductionFactor: 1 })).toThrow(/asha.reductionFactor/);
    expect(() => asha({ maxStep: 9, minStep: 0.5 })).toThrow(/asha.minStep/);
    expect(() => asha({} as never)).toThrow(/asha.maxStep/);
    expect(() => asha({ maxStep: 9, rungs: 3 } as never)).toThrow(/asha.rungs/);
  });
});

describe('hyperband', () => {
  it('builds the brackets of Li et al.: first rungs minStep * reductionFactor^b, budgets largest for the most aggressive', () => {
    expect(hyperbandBrackets({ minStep: 1, maxStep: 9, reductionFactor: 3 })).toEqual([
      { rungs: [1, 3], budget: 9 },
      { rungs: [3], budget: 5 },
      { rungs: [], budget: 3 },
    ]);
    expect(hyperbandBrackets({ minStep: 1, maxStep: 27, reductionFactor: 3 }).map((bracket) => bracket.budget)).toEqual([27, 12, 6, 4]);
    expect(hyperbandBrackets({ minStep: 2, maxStep: 40, reductionFactor: 2 }).map((bracket) => bracket.rungs[0])).toEqual([2, 4, 8, 16, 32]);
  });

  it("puts trials in brackets by CRC-32 of study name and trial number, as Optuna 3.1's HyperbandPruner does", () => {
    expect(crc32('')).toBe(0);
    expect(crc32('seed-hyperband_3')).toBe(799570566);
    // From HyperbandPruner._get_bracket_id for trial numbers 0..26 (hptune's trials "1".."27").
    const expected: Record<string, readonly number[]> = {
      'seed-hyperband 1 9 3': [0, 1, 1, 1, 1, 0, 2, 0, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0, 0, 2, 0, 0, 2, 1, 0, 1, 0],
      'hb 1 27 3': [0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 3, 0, 3, 2, 0, 0, 1, 1, 0, 3, 1, 0, 1, 2, 0, 0, 0],
      'other 2 40 2': [2, 2, 4, 0, 2, 4, 0, 2, 0, 2, 0, 3, 1, 1, 4, 2, 0, 0, 0, 2, 0, 1, 2, 0, 2, 1, 0],
    };
    for (const [key, brackets] of Object.entries(expected)) {
      const [name, minStep, maxStep, reductionFactor] = key.split(' ') as [string, string, string, string];
      const built = hyperbandBrackets({ minStep: Number(minStep), maxStep: Number(maxStep), reductionFactor: Number(reductionFactor) });
      expect(Array.from({ length: 27 }, (_, index) => hyperbandBracketOf(built, name, String(index + 1)))).toEqual(brackets);
    }
  });

  it('judges a trial as successive halving within its own bracket only, and never in the bracket without rungs', () => {
    const rule = hyperband({ maxStep: 9 });
    const studyName = 'seed-hyperband';
    // Trials 1, 6, 8 are in bracket 0 (rungs 1, 3); 2 and 3 in bracket 1 (rung 3); 7 in bracket 2 (no rungs).
    const bracket0 = [trial(1, [0.9]), trial(6, [0.8])];
    const bracket1 = [trial(2, [0.1, 0.2, 0.99]), trial(3, [0.1, 0.2, 0.98])];
    const others = [...bracket0, ...bracket1];
    // Trial 8 at rung 1 of bracket 0: 3 there, the best 1 goes on; trials of bracket 1 do not count.
    expect(rule.decide({ trial: trial(8, [0.85]), others, metric: accuracy, studyName })).toMatchObject({ stop: true, reason: expect.stringContaining('bracket 0') });
    expect(rule.decide({ trial: trial(8, [0.95]), others, metric: accuracy, studyName }).stop).toBe(false);
    // Trial 4 (bracket 1) is not judged at step 1, only at 3, against trials 2 and 3.
    expect(rule.decide({ trial: trial(4, [0.0]), others, metric: accuracy, studyName }).stop).toBe(false);
    expect(rule.decide({ trial: trial(4, [0.0, 0.0, 0.5]), others, metric: accuracy, studyName }).stop).toBe(true);
    // Trial 7 (bracket 2) runs to its end, however bad.
    expect(rule.decide({ trial: trial(7, [0.0, 0.0, 0.0]), others, metric: accuracy, studyName }).stop).toBe(false);
  });

  it('refuses settings that make no rungs or are not whole numbers, naming the field', () => {
    expect(() => hyperband({ maxStep: 1 })).toThrow(/hyperband.maxStep/);
    expect(() => hyperband({ maxStep: 9, reductionFactor: 1 })).toThrow(/hyperband.reductionFactor/);
    expect(() => hyperband({} as never)).toThrow(/hyperband.maxStep/);
    expect(() => hyperband({ maxStep: 9, brackets: 3 } as never)).toThrow(/hyperband.brackets/);
  });
});

describe('decayCurve', () => {
  const finished = [trial(1, [0.5, 0.6, 0.9], { done: true }), trial(2, [0.4, 0.6, 0.7], { done: true }), trial(3, [0.3, 0.5, 0.6], { done: true })];

  it('stops a trial whose value plus the largest gain any finished trial made from that step cannot beat the best', () => {
    const rule = decayCurve();
    // Largest gain from step 1: 0.4 (trial 1), best final 0.9.
    expect(rule.decide({ trial: trial(9, [0.49]), others: finished, metric: accuracy })).toMatchObject({ stop: true });
    expect(rule.decide({ trial: trial(9, [0.5]), others: finished, metric: accuracy }).stop).toBe(false);
    // At the last step nothing is left to save.
    expect(rule.decide({ trial: trial(9, [0.5, 0.5, 0.1]), others: finished, metric: accuracy }).stop).toBe(false);
    expect(decayCurve({ startupTrials: 4 }).decide({ trial: trial(9, [0.1]), others: finished, metric: accuracy }).stop).toBe(false);
  });
});

describe('stored rules', () => {
  it('are rebuilt from their JSON spec, and a spec hptune does not know is refused with the fix', () => {
    for (const rule of [median({ startupTrials: 2 }), asha({ minStep: 2, maxStep: 20, reductionFactor: 2 }), hyperband({ maxStep: 27 }), decayCurve()]) {
      expect(stoppingRuleFromSpec(JSON.parse(JSON.stringify(rule.spec))).spec).toEqual(rule.spec);
    }
    expect(() => stoppingRuleFromSpec({ kind: 'patience' })).toThrow(/resumeStudy\(name, \{ earlyStopping: myRule \}\)/);
  });

  it('accept a rule written outside hptune when its spec is JSON with a kind', () => {
    const decide = () => ({ stop: false as const });
    expect(validateStoppingRule({ spec: { kind: 'patience', steps: 3 }, decide }).spec.kind).toBe('patience');
    expect(() => validateStoppingRule({ spec: { kind: 'patience', since: new Date() }, decide })).toThrow(/earlyStopping.spec/);
    expect(() => validateStoppingRule('asha')).toThrow(/earlyStopping/);
  });
});
