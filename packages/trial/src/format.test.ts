import { describe, expect, it } from 'vitest';
import { formatDuration, formatMetricValue, formatParameterValue, formatParameters } from './format.js';

describe('the one formatting of durations, parameters and metric values', () => {
  it('prints durations compactly at every scale', () => {
    expect([0.85, 4.2, 42, 185, 3720, undefined, -1].map(formatDuration)).toEqual(['850ms', '4.2s', '42s', '3m05s', '1h02m', '-', '-']);
  });

  it('prints metric values with 4 significant digits', () => {
    expect([0.98123, 0.95, 2.302585, 1e-7, undefined].map(formatMetricValue)).toEqual(['0.9812', '0.9500', '2.303', '1.000e-7', '-']);
  });

  it('prints parameters as id=value, doubles with at most 4 significant digits, whole numbers and names in full', () => {
    expect(formatParameterValue(0.0031622776601683794)).toBe('0.003162');
    expect(formatParameters({ activation: 'relu', batch_size: 64, learning_rate: 0.0031622776601683794 })).toBe('activation=relu batch_size=64 learning_rate=0.003162');
  });
});
