import { describe, expect, it } from 'vitest';
import { parameterImportance, type ImportanceSample } from './importance.js';
import type { ReportParameter } from './types.js';

const a: ReportParameter = { id: 'a', kind: 'numeric', scale: 'linear' };
const b: ReportParameter = { id: 'b', kind: 'categorical', values: ['x', 'y', 'z'] };

/** Every combination of a in {0, 1, 2} and b in {x, y, z}, valued by `value`. */
function grid(value: (a: number, b: number) => number): ImportanceSample[] {
  return [0, 1, 2].flatMap((av) => [0, 1, 2].map((bv) => ({ parameters: { a: av, b: ['x', 'y', 'z'][bv] as string }, value: value(av, bv) })));
}

describe('parameterImportance', () => {
  it('gives all the importance to the parameter that sets the metric, none to one that does not', () => {
    const result = parameterImportance([a, b], grid((av) => av));
    expect(result.note).toBeNull();
    expect(result.importance).toEqual([
      { id: 'a', share: 1, explained: 1, trials: 9, groups: 3 },
      { id: 'b', share: 0, explained: 0, trials: 9, groups: 3 },
    ]);
  });

  it('is epsilon squared of a one-way ANOVA: on a grid with value 3a + b, a explains (54 - 2 * 1) / 60', () => {
    // SS_total 60; for a: SS_between 54, MS_within 6 / 6 = 1. For b: SS_between 6 < 2 * MS_within 9, so 0.
    const [first, second] = parameterImportance([a, b], grid((av, bv) => 3 * av + bv)).importance;
    expect(first?.id).toBe('a');
    expect(first?.explained).toBeCloseTo(52 / 60, 12);
    expect(second).toMatchObject({ id: 'b', explained: 0, share: 0 });
  });

  it('shares add up to 1 when several parameters matter, in order of importance', () => {
    // Replicates damp the small-sample correction, so both effects show.
    const samples = [...grid((av, bv) => 3 * av + bv), ...grid((av, bv) => 3 * av + bv + 0.1), ...grid((av, bv) => 3 * av + bv - 0.1)];
    const result = parameterImportance([b, a], samples);
    expect(result.importance.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(result.importance.reduce((sum, entry) => sum + entry.share, 0)).toBeCloseTo(1, 12);
    expect(result.importance[1]?.share).toBeGreaterThan(0.01);
  });

  it('cuts a continuous parameter into quantile bins', () => {
    const x: ReportParameter = { id: 'x', kind: 'numeric', scale: 'log' };
    const samples = Array.from({ length: 100 }, (_, index) => ({ parameters: { x: (index + 1) / 1000 }, value: index % 2 === 0 ? index : index + 0.5 }));
    const [entry] = parameterImportance([x], samples).importance;
    expect(entry).toMatchObject({ id: 'x', groups: 10, trials: 100 });
    expect(entry?.explained).toBeGreaterThan(0.95);
  });

  it('counts only the trials that took a conditional parameter', () => {
    const samples = grid((av) => av).map((sample, index) => (index % 3 === 0 ? { ...sample, parameters: { a: sample.parameters.a as number } } : sample));
    const entry = parameterImportance([a, b], samples).importance.find((candidate) => candidate.id === 'b');
    expect(entry?.trials).toBe(6);
  });

  it('says why there is no importance: too few trials, or no variance', () => {
    expect(parameterImportance([a], grid((av) => av).slice(0, 2))).toEqual({ importance: [], note: 'needs at least 3 finished trials with a value (has 2)' });
    expect(parameterImportance([a], grid(() => 0.5)).note).toMatch(/same value/);
  });
});
