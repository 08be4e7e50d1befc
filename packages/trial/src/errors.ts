/**
 * The base of every error hptune throws on purpose. Check with `instanceof`, branch on `code`.
 *
 * `exitCode` is what the CLI exits with: 2 for input that was rejected before anything ran,
 * 1 for a failure at run time.
 */
export class HptuneError extends Error {
  /** A stable, machine-readable identifier such as `INVALID_ARGUMENT` or `TRIAL_FAILED`. */
  readonly code: string;
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** What a {@link ValidationError} says: the field, the value it had, what is wrong and how to fix it. */
export interface ValidationProblem {
  /** The option, flag or path that holds the bad value, e.g. `batchSize` or `--batch-size`. */
  field: string;
  /** The value as it was given. */
  value: unknown;
  /** What is wrong with it, e.g. `must be a positive integer`. */
  problem: string;
  /** What to do instead, e.g. `pass a whole number such as 64`. */
  fix: string;
}

/**
 * Input rejected before anything ran (no trial started, nothing written, nothing billed).
 * The CLI exits with code 2.
 */
export class ValidationError extends HptuneError {
  /** The option, flag or path that holds the bad value. */
  readonly field: string;
  /** The rejected value. */
  readonly value: unknown;
  /** What is wrong with it. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;

  constructor(problem: ValidationProblem, options: { code?: string; cause?: unknown } = {}) {
    super(
      options.code ?? 'INVALID_ARGUMENT',
      // A switch (`--quick`) given has the value true, which says nothing the flag's name does not.
      `${problem.field}${problem.field.startsWith('--') && problem.value === true ? '' : ` ${formatValue(problem.value)}`} ${problem.problem}; ${problem.fix}`,
      { exitCode: 2, cause: options.cause },
    );
    this.field = problem.field;
    this.value = problem.value;
    this.problem = problem.problem;
    this.fix = problem.fix;
  }
}

/** The most characters of a rejected value a message shows; a longer one is cut, ending in `...`. */
const MAX_SHOWN_VALUE_LENGTH = 1000;

/**
 * Formats a rejected value for a message: strings quoted, the rest as JSON, cut to
 * {@link MAX_SHOWN_VALUE_LENGTH} characters. A value JSON cannot write (a cycle, nesting too deep
 * for the stack, a BigInt) is named by its type, never by `String()`, which prints `[object Object]`.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  // JSON has no NaN or Infinity (it would print null): say what the caller passed.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
    return typeof value === 'function' ? '(a function)' : Array.isArray(value) ? '(an array JSON cannot write)' : `(${typeof value === 'object' ? 'an object' : typeof value} JSON cannot write)`;
  }
  return text.length > MAX_SHOWN_VALUE_LENGTH ? `${text.slice(0, MAX_SHOWN_VALUE_LENGTH - 3)}...` : text;
}
