import { describe, expect, it } from 'vitest';
import { ValidationError, formatValue } from './errors.js';

describe('formatValue', () => {
  it('shows strings quoted and the rest as JSON, a long value cut', () => {
    expect(formatValue('a b')).toBe('"a b"');
    expect(formatValue({ fast: true })).toBe('{"fast":true}');
    expect(formatValue(Number.NaN)).toBe('NaN');
    const shown = formatValue('x'.repeat(10_000));
    expect(shown).toHaveLength(1000);
    expect(shown.endsWith('...')).toBe(true);
  });

  it('never throws or prints [object Object] for what JSON cannot write: a cycle, nesting deeper than the stack', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(formatValue(cycle)).toBe('(an object JSON cannot write)');
    let deep: unknown[] = [];
    for (let level = 0; level < 200_000; level++) deep = [deep];
    expect(formatValue(deep)).toBe('(an array JSON cannot write)');
    expect(new ValidationError({ field: 'values', value: deep, problem: 'is wrong', fix: 'fix it' }).message).toBe('values (an array JSON cannot write) is wrong; fix it');
  });
});
