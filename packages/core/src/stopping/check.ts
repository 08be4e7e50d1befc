import { ValidationError } from '../errors.js';

/** A rule's whole-number setting, checked: at least `min`, or `fallback` when unset. */
export function wholeNumber(field: string, value: unknown, min: number, fallback: number, fix: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError({ field, value, problem: `is not a whole number of at least ${min}`, fix });
  }
  return value;
}

/** Refuses settings a rule does not take, so a misspelt option is not silently ignored. */
export function onlyKnown(rule: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({ field: rule, value: options, problem: 'takes an options object', fix: `call ${rule}({ ... }) or ${rule}()` });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError({ field: `${rule}.${key}`, value: (options as Record<string, unknown>)[key], problem: 'is not a setting of this rule', fix: `use ${known.join(', ')}` });
    }
  }
}
