import { ValidationError } from '@hptune/core';

/** A commander argument parser for a whole number of at least `min`, failing with a ValidationError naming the flag. */
export function integerFlag(flag: string, min: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new ValidationError({
        field: flag,
        value: raw,
        problem: `must be a whole number of at least ${min}`,
        fix: `pass e.g. ${flag} ${Math.max(min, 1)}`,
      });
    }
    return value;
  };
}

/** A commander argument parser for a positive number (seconds, rates). */
export function positiveNumberFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
      throw new ValidationError({ field: flag, value: raw, problem: 'must be a positive number', fix: `pass e.g. ${flag} 0.001` });
    }
    return value;
  };
}

/** A commander argument parser that accepts one of `choices`. */
export function choiceFlag<const C extends string>(flag: string, choices: readonly C[]): (raw: string) => C {
  return (raw) => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new ValidationError({ field: flag, value: raw, problem: `is not one of ${choices.join(', ')}`, fix: `pass ${flag} ${choices[0]}` });
    }
    return raw as C;
  };
}
