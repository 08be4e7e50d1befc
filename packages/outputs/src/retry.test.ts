import { describe, expect, it } from 'vitest';
import { HptuneError } from '@hptune/trial';
import {
  DEFAULT_RETRY_OPTIONS,
  RetryError,
  errorStatus,
  isRetryableError,
  retryDelayMs,
  withRetry,
  type RetryClock,
} from './retry.js';

/** A clock that never waits: sleeping moves time forward and records the delay. */
function fakeClock(): RetryClock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function httpError(status: number): Error {
  return Object.assign(new Error(`status ${status}`), { code: status });
}

function systemError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('DEFAULT_RETRY_OPTIONS', () => {
  it('matches the Cloud Storage client defaults and cannot be changed by accident', () => {
    expect(DEFAULT_RETRY_OPTIONS).toMatchObject({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 64_000, totalTimeoutMs: 600_000, maxAttempts: 4 });
    expect(Object.isFrozen(DEFAULT_RETRY_OPTIONS)).toBe(true);
  });
});

describe('isRetryableError', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryableError(httpError(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 412, 501])('does not retry HTTP %i', (status) => {
    expect(isRetryableError(httpError(status))).toBe(false);
  });

  it('reads the status from gaxios-style response objects and numeric strings', () => {
    expect(isRetryableError(Object.assign(new Error('x'), { response: { status: 503 } }))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('x'), { code: '429' }))).toBe(true);
    expect(errorStatus(Object.assign(new Error('x'), { statusCode: 404 }))).toBe(404);
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN'])('retries connection errors (%s)', (code) => {
    expect(isRetryableError(systemError(code))).toBe(true);
  });

  it('retries "socket hang up", timeouts and causes deep in a chain', () => {
    expect(isRetryableError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('network timeout at: http://x'), { type: 'request-timeout' }))).toBe(true);
    expect(isRetryableError(new Error('wrapped', { cause: systemError('ECONNRESET') }))).toBe(true);
    expect(isRetryableError({ message: 'x', errors: [{ reason: 'econnreset' }] })).toBe(true);
  });

  it('does not retry programming errors or our own give-ups', () => {
    expect(isRetryableError(new TypeError('x is not a function'))).toBe(false);
    expect(isRetryableError('ECONNRESET')).toBe(false);
    const gaveUp = new RetryError({ operation: 'op', attempts: 4, elapsedMs: 10, reason: 'attempts-exhausted', cause: httpError(503) });
    expect(isRetryableError(gaveUp)).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const options = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000 };

  it('grows exponentially, capped by maxDelayMs, jittered into the upper half', () => {
    expect([1, 2, 3, 4, 5, 9].map((retry) => retryDelayMs(retry, options, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5, 9].map((retry) => retryDelayMs(retry, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('withRetry', () => {
  it('retries transient errors of an idempotent call until it succeeds, waiting longer each time', async () => {
    const clock = fakeClock();
    const errors = [httpError(503), systemError('ECONNRESET'), httpError(429)];
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        const error = errors.shift();
        if (error) throw error;
        return 'landed';
      },
      { operation: 'upload x', idempotent: true, retry: { initialDelayMs: 10 }, clock, random: () => 0.5 },
    );
    expect(result).toBe('landed');
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([8, 15, 30]);
  });

  it('gives up after maxAttempts with the attempts and the last error as cause', async () => {
    const clock = fakeClock();
    const last = httpError(503);
    const error = await withRetry(async () => Promise.reject(last), { operation: 'list gs://b/p', idempotent: true, retry: { maxAttempts: 3 }, clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryError);
    expect(error).toBeInstanceOf(HptuneError);
    const retryError = error as RetryError;
    expect(retryError).toMatchObject({ attempts: 3, reason: 'attempts-exhausted', status: 503, code: 'RETRIES_EXHAUSTED' });
    expect(retryError.cause).toBe(last);
    expect(retryError.message).toContain('list gs://b/p failed after 3 attempts');
    expect(retryError.message).toContain('HTTP 503');
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw httpError(403);
      },
      { operation: 'get', idempotent: true, clock: fakeClock() },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ reason: 'not-retryable', status: 403, code: 'REMOTE_CALL_FAILED', attempts: 1 });
  });

  it('tries a non-idempotent call once, even on a transient error', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw httpError(503);
      },
      { operation: 'append', idempotent: false, clock: fakeClock() },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toMatchObject({ reason: 'not-idempotent' });
  });

  it('stops before a wait would pass the total timeout', async () => {
    const clock = fakeClock();
    const error = await withRetry(async () => Promise.reject(httpError(500)), {
      operation: 'op',
      idempotent: true,
      retry: { initialDelayMs: 100, multiplier: 10, maxAttempts: 10, totalTimeoutMs: 5_000, maxDelayMs: 100_000 },
      clock,
      random: () => 0.999,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'timeout', attempts: 3 });
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
  });

  it('honours a replaced predicate', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('custom flake');
        return calls;
      },
      { operation: 'op', idempotent: true, retry: { isRetryable: (e) => e instanceof Error && e.message === 'custom flake' }, clock: fakeClock() },
    );
    expect(result).toBe(3);
  });

  it('stops when aborted while waiting', async () => {
    const controller = new AbortController();
    const promise = withRetry(async () => Promise.reject(httpError(503)), { operation: 'op', idempotent: true, retry: { initialDelayMs: 60_000 }, signal: controller.signal });
    controller.abort();
    await expect(promise).rejects.toMatchObject({ reason: 'aborted' });
  });

  it('rejects nonsensical options naming the field', async () => {
    await expect(withRetry(async () => 1, { operation: 'op', idempotent: true, retry: { maxAttempts: 0 } })).rejects.toThrow(/retry.maxAttempts 0 must be a whole number >= 1/);
  });
});
