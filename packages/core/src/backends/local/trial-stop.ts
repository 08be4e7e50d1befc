import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setLongTimeout, type LongTimer } from './long-timer.js';

/** Why hptune asked a trial's trainer to stop. */
export type StopKind = 'timeout' | 'cancelled' | 'early-stopped';

/** A stop hptune asked of a trainer. */
export interface StopRequest {
  readonly kind: StopKind;
  readonly reason: string;
}

/** Options of {@link createTrialStopper}. */
export interface TrialStopperOptions {
  /** Whether the trainer still runs, so that a stop can be asked of it. */
  readonly isRunning: () => boolean;
  /** Sends `signal` to the trainer's process group; a trainer already gone is not an error. */
  readonly signalGroup: (signal: NodeJS.Signals) => void;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly gracePeriodSeconds: number;
  /** Called once, when the first stop is asked. */
  readonly onStopping: () => void;
}

/**
 * How hptune stops a trainer, whether this coordinator started it or adopted it from a dead one:
 * the first request sends SIGTERM to its process group and SIGKILL after the grace period; later
 * requests, and requests once it has exited, do nothing.
 */
export interface TrialStopper {
  /** The first stop asked, if any: how the trial's end is judged. */
  readonly requested: StopRequest | undefined;
  /** Whether the grace period ran out and SIGKILL was sent. */
  readonly killedAfterGrace: boolean;
  request(kind: StopKind, reason: string): void;
  /** Once the trainer has exited: ends the grace period, and kills what a stopped trainer left in its group. */
  settle(): void;
}

/** Creates the {@link TrialStopper} of one trainer. */
export function createTrialStopper(options: TrialStopperOptions): TrialStopper {
  let requested: StopRequest | undefined;
  let killedAfterGrace = false;
  let graceTimer: LongTimer | undefined;
  return {
    get requested() {
      return requested;
    },
    get killedAfterGrace() {
      return killedAfterGrace;
    },
    request(kind, reason) {
      if (requested || !options.isRunning()) return;
      requested = { kind, reason };
      options.onStopping();
      options.signalGroup('SIGTERM');
      graceTimer = setLongTimeout(() => {
        killedAfterGrace = true;
        options.signalGroup('SIGKILL');
      }, options.gracePeriodSeconds * 1000);
    },
    settle() {
      graceTimer?.clear();
      if (requested) options.signalGroup('SIGKILL');
    },
  };
}

/**
 * Whether any process of the process group `pgid` still runs (zombies, which have exited and wait
 * only for their parent to collect them, do not count). Where there is no `/proc`, any member counts.
 */
export function processGroupRuns(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: a member runs under another user; it still runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name in parentheses: state, ppid, pgrp.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

/** How {@link endProcessGroup} left a trial's process group. */
export type ProcessGroupEnd = 'already-empty' | 'terminated' | 'killed';

/**
 * Ends what is left of a trial's process group once its trainer has exited, as the end of a
 * Vertex AI trial's container would: processes the trainer started and left behind (a data
 * loader, a server that ignores SIGTERM) get SIGTERM, then SIGKILL after `gracePeriodSeconds`.
 * Resolves once nothing of the group runs (checked every `pollMs`).
 */
export async function endProcessGroup(pgid: number, gracePeriodSeconds: number, pollMs = 50): Promise<ProcessGroupEnd> {
  if (!processGroupRuns(pgid)) return 'already-empty';
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pgid, name);
    } catch {
      // The group emptied meanwhile.
    }
  };
  signal('SIGTERM');
  const deadline = performance.now() + gracePeriodSeconds * 1000;
  while (performance.now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - performance.now())));
    if (!processGroupRuns(pgid)) return 'terminated';
  }
  signal('SIGKILL');
  // SIGKILL cannot be ignored; wait (bounded) for the kernel to take the processes down.
  for (let tries = 0; tries < 100 && processGroupRuns(pgid); tries++) await sleep(pollMs);
  return 'killed';
}
