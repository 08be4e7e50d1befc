import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, setLongTimeout } from './long-timer.js';

const DAY_MS = 24 * 3600 * 1000;

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole of a delay beyond what one Node timer holds (30 days), firing once', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY_MS);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY_MS - MAX_TIMER_DELAY_MS - 2);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * DAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('fires a short delay as setTimeout does, and never once cleared (also mid-chain)', () => {
    const short = vi.fn();
    setLongTimeout(short, 50);
    vi.advanceTimersByTime(50);
    expect(short).toHaveBeenCalledTimes(1);

    const cleared = vi.fn();
    const timer = setLongTimeout(cleared, 40 * DAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 5);
    timer.clear();
    vi.advanceTimersByTime(80 * DAY_MS);
    expect(cleared).not.toHaveBeenCalled();
  });

  it('never fires for Infinity', () => {
    const never = vi.fn();
    setLongTimeout(never, Infinity);
    vi.advanceTimersByTime(1000 * DAY_MS);
    expect(never).not.toHaveBeenCalled();
  });
});
