/**
 * The longest delay Node's `setTimeout` honours, in milliseconds (2^31 - 1, about 24.8 days): a
 * longer one overflows, Node warns (`TimeoutOverflowWarning`) and fires it after 1 ms.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A timer started by {@link setLongTimeout}. */
export interface LongTimer {
  /** Stops the timer; the callback will not run. Calling it again does nothing. */
  clear(): void;
}

/**
 * Runs `callback` once after `delayMs` milliseconds, however long: a delay above
 * {@link MAX_TIMER_DELAY_MS} is waited for as a chain of shorter timers, so a trial timeout of
 * 30 days waits 30 days. `Infinity` never fires; a negative or NaN delay fires at once (after 0 ms).
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  let remaining = Number.isNaN(delayMs) ? 0 : Math.max(0, delayMs);
  const arm = (): void => {
    if (remaining === Infinity) return;
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    remaining -= step;
    timer = setTimeout(remaining > 0 ? arm : callback, step);
  };
  arm();
  return {
    clear() {
      clearTimeout(timer);
      timer = undefined;
      remaining = 0;
    },
  };
}
