import { setTimeout as sleepFor } from 'node:timers/promises';
import { HptuneError } from '@hptune/trial';

/**
 * How a remote call is retried: plain configuration, as the Google Cloud Storage Node client takes it.
 * Every field has a default in {@link DEFAULT_RETRY_OPTIONS}; pass only what you change.
 * @see https://cloud.google.com/storage/docs/retry-strategy
 */
export interface RetryOptions {
  /** Delay before the first retry, in milliseconds. @default 1000 */
  readonly initialDelayMs: number;
  /** Factor the delay grows by after each retry. @default 2 */
  readonly multiplier: number;
  /** Upper bound of one delay, in milliseconds. @default 64000 */
  readonly maxDelayMs: number;
  /** No retry starts after this much time since the first attempt, in milliseconds. @default 600000 */
  readonly totalTimeoutMs: number;
  /** Attempts in all, the first one included (1 disables retries). @default 4 */
  readonly maxAttempts: number;
  /** Decides whether an error is transient. @default {@link isRetryableError} */
  readonly isRetryable: (error: unknown) => boolean;
}

/**
 * The retry defaults: 1 s, doubling, capped at 64 s, 4 attempts, 10 minutes in all,
 * the same numbers the Cloud Storage Node client ships with.
 */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  initialDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 64_000,
  totalTimeoutMs: 600_000,
  maxAttempts: 4,
  isRetryable: isRetryableError,
});

/** HTTP statuses that say "try again": request timeout, too many requests, and server errors. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Node and fetch error codes of a connection that broke or never answered. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Messages of transport failures that some libraries raise without a code. */
const RETRYABLE_MESSAGE = /socket hang up|network timeout|request timed? ?out|timeout of \d+ms exceeded|unexpected connection closure|premature close|other side closed|fetch failed/i;

/**
 * The HTTP status an error carries, if any: `code` (Cloud client ApiError), `status`,
 * `statusCode` or `response.status`.
 */
export function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  for (const candidate of [record.code, record.status, record.statusCode]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
    if (typeof candidate === 'string' && /^[1-5]\d\d$/.test(candidate)) return Number(candidate);
  }
  const response = record.response;
  if (typeof response === 'object' && response !== null) {
    const status = (response as Record<string, unknown>).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

/**
 * The default retry predicate: true for 408, 429 and 5xx answers (but 501), broken or refused
 * connections (ECONNRESET, ETIMEDOUT, "socket hang up", ...) and timeouts, looking through
 * `cause` chains and the `errors` arrays Google clients attach.
 */
export function isRetryableError(error: unknown): boolean {
  return isRetryableAt(error, 0);
}

function isRetryableAt(error: unknown, depth: number): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  if (error instanceof RetryError) return false;
  const status = errorStatus(error);
  if (status !== undefined) return RETRYABLE_STATUSES.has(status);
  const record = error as Record<string, unknown>;
  for (const code of [record.code, record.errno, record.type]) {
    if (typeof code === 'string' && (RETRYABLE_CODES.has(code.toUpperCase()) || code === 'request-timeout')) return true;
  }
  if (record.name === 'TimeoutError' || record.name === 'AbortError') return true;
  if (typeof record.message === 'string' && RETRYABLE_MESSAGE.test(record.message)) return true;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      if (isRetryableAt(inner, depth + 1)) return true;
      if (typeof inner === 'object' && inner !== null) {
        const reason = (inner as Record<string, unknown>).reason;
        if (typeof reason === 'string' && RETRYABLE_CODES.has(reason.toUpperCase())) return true;
      }
    }
  }
  return isRetryableAt(record.cause, depth + 1);
}

/**
 * The delay before retry number `retry` (1 for the first retry), in milliseconds:
 * `initialDelayMs * multiplier^(retry-1)` capped at `maxDelayMs`, then jittered into its upper half
 * so that many clients failing together do not retry together.
 */
export function retryDelayMs(retry: number, options: Pick<RetryOptions, 'initialDelayMs' | 'multiplier' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** Math.max(0, retry - 1));
  return Math.round(base / 2 + (base / 2) * random());
}

/** Why {@link withRetry} gave up. */
export type RetryGiveUpReason =
  /** The error is not transient (e.g. 403, 404, 400): retrying cannot help. */
  | 'not-retryable'
  /** The call is not idempotent, so a transient error was not retried. */
  | 'not-idempotent'
  /** `maxAttempts` were spent on transient errors. */
  | 'attempts-exhausted'
  /** The next delay would have passed `totalTimeoutMs`. */
  | 'timeout'
  /** The caller's abort signal fired. */
  | 'aborted';

/**
 * A remote call that failed for good: says what was tried, how often, for how long, and why it stopped;
 * the last error is its `cause`.
 */
export class RetryError extends HptuneError {
  /** What was being done, e.g. `upload gs://bucket/run/events.out.tfevents...`. */
  readonly operation: string;
  /** Attempts made, the first one included. */
  readonly attempts: number;
  /** Time from the first attempt to giving up, in milliseconds. */
  readonly elapsedMs: number;
  /** Why no further attempt was made. */
  readonly reason: RetryGiveUpReason;
  /** The HTTP status of the last error, when it had one. */
  readonly status: number | undefined;
  /** The last error. */
  override readonly cause: unknown;

  constructor(details: { operation: string; attempts: number; elapsedMs: number; reason: RetryGiveUpReason; cause: unknown }) {
    const status = errorStatus(details.cause);
    const last = describeError(details.cause);
    const tries = `${details.attempts} attempt${details.attempts === 1 ? '' : 's'} in ${Math.round(details.elapsedMs)} ms`;
    const why: Record<RetryGiveUpReason, string> = {
      'not-retryable': 'the error is not transient',
      'not-idempotent': 'the call is not safe to repeat',
      'attempts-exhausted': 'retries are used up',
      timeout: 'the total retry timeout was reached',
      aborted: 'it was cancelled',
    };
    super(
      details.reason === 'not-retryable' ? 'REMOTE_CALL_FAILED' : 'RETRIES_EXHAUSTED',
      `${details.operation} failed after ${tries}; ${why[details.reason]}: ${last}`,
      { cause: details.cause },
    );
    this.operation = details.operation;
    this.attempts = details.attempts;
    this.elapsedMs = details.elapsedMs;
    this.reason = details.reason;
    this.status = status;
    this.cause = details.cause;
  }
}

/** One line for an error: its status or code and its message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = errorStatus(error);
    const code = (error as { code?: unknown }).code;
    const tag = status !== undefined ? `HTTP ${status}` : typeof code === 'string' ? code : error.name;
    return `${tag}: ${error.message}`;
  }
  return String(error);
}

/** The clock {@link withRetry} waits with; tests pass a fake one. */
export interface RetryClock {
  /** Milliseconds since some fixed point. */
  now(): number;
  /** Resolves after `ms` milliseconds (or rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const systemClock: RetryClock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await sleepFor(ms, undefined, signal === undefined ? undefined : { signal });
  },
};

/** Options of one {@link withRetry} call. */
export interface RetryCallOptions {
  /** What is being done, for messages, e.g. `compose gs://b/o`. */
  operation: string;
  /**
   * Whether repeating the call is harmless (a read, or a write guarded by a precondition such as
   * `ifGenerationMatch`). Decided per call: a non-idempotent call is tried once.
   */
  idempotent: boolean;
  /** Overrides of {@link DEFAULT_RETRY_OPTIONS}. */
  retry?: Partial<RetryOptions>;
  /** Stops waiting and retrying when it aborts. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?: (event: { attempt: number; delayMs: number; error: unknown }) => void;
  /** The clock to wait with. @default the system clock */
  clock?: RetryClock;
  /** The jitter source, uniform in [0, 1). @default Math.random */
  random?: () => number;
}

/** Fills the defaults into partial retry options and checks them. */
export function resolveRetryOptions(retry: Partial<RetryOptions> = {}): RetryOptions {
  const resolved: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(retry) };
  const checks: Array<[keyof RetryOptions, boolean, string]> = [
    ['initialDelayMs', resolved.initialDelayMs >= 0 && Number.isFinite(resolved.initialDelayMs), 'a finite number of milliseconds >= 0'],
    ['multiplier', resolved.multiplier >= 1 && Number.isFinite(resolved.multiplier), 'a finite number >= 1'],
    ['maxDelayMs', resolved.maxDelayMs >= 0, 'a number of milliseconds >= 0'],
    ['totalTimeoutMs', resolved.totalTimeoutMs >= 0, 'a number of milliseconds >= 0'],
    ['maxAttempts', Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 1, 'a whole number >= 1'],
  ];
  for (const [field, ok, expected] of checks) {
    if (!ok) {
      throw new HptuneError('INVALID_ARGUMENT', `retry.${field} ${JSON.stringify(resolved[field])} must be ${expected}; pass e.g. ${JSON.stringify(DEFAULT_RETRY_OPTIONS[field])}`, { exitCode: 2 });
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Runs `call` until it succeeds, retrying transient errors with jittered exponential backoff.
 * `call` receives the attempt number (1 for the first). Throws a {@link RetryError} whose `cause` is
 * the last error when it gives up.
 */
export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryCallOptions): Promise<T> {
  const retry = resolveRetryOptions(options.retry);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted === true) {
      throw new RetryError({ operation: options.operation, attempts: attempt - 1, elapsedMs: clock.now() - started, reason: 'aborted', cause: options.signal.reason });
    }
    try {
      return await call(attempt);
    } catch (error) {
      const elapsedMs = clock.now() - started;
      const giveUp = (reason: RetryGiveUpReason): RetryError => new RetryError({ operation: options.operation, attempts: attempt, elapsedMs, reason, cause: error });
      if (!retry.isRetryable(error)) throw giveUp('not-retryable');
      if (!options.idempotent) throw giveUp('not-idempotent');
      if (attempt >= retry.maxAttempts) throw giveUp('attempts-exhausted');
      const delayMs = retryDelayMs(attempt, retry, random);
      if (elapsedMs + delayMs > retry.totalTimeoutMs) throw giveUp('timeout');
      options.onRetry?.({ attempt, delayMs, error });
      try {
        await clock.sleep(delayMs, options.signal);
      } catch {
        throw giveUp('aborted');
      }
    }
  }
}
