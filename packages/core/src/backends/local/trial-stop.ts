/** Why hptune asked a trial's trainer to stop. */
export type StopKind = 'timeout' | 'cancelled' | 'early-stopped';

/** A stop hptune asked of a trainer. */
export interface StopRequest {
  readonly kind: StopKind;
  readonly reason: string;
  /** For `early-stopped`: the step whose measurement the rule rejected. */
  readonly atStep?: number;
}

/** Options of {@link createTrialStopper}. */
export interface TrialStopperOptions {
  /** Whether the trainer still runs, so that a stop can be asked of it. */
  readonly isRunning: () => boolean;
  /** Sends `signal` to the trainer's process group; a trainer already gone is not an error. */
  readonly signalGroup: (signal: NodeJS.Signals) => void;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly gracePeriodSeconds: number;
  /** Called once, when the first stop is asked, before the trainer is signalled. */
  readonly onStopping: (request: StopRequest) => void;
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
  /** Asks the trainer to stop; `atStep` for an early stop (see {@link StopRequest.atStep}). */
  request(kind: StopKind, reason: string, atStep?: number): void;
  /** Once the trainer has exited: ends the grace period, and kills what a stopped trainer left in its group. */
  settle(): void;
}

/** Creates the {@link TrialStopper} of one trainer. */
export function createTrialStopper(options: TrialStopperOptions): TrialStopper {
  let requested: StopRequest | undefined;
  let killedAfterGrace = false;
  let graceTimer: NodeJS.Timeout | undefined;
  return {
    get requested() {
      return requested;
    },
    get killedAfterGrace() {
      return killedAfterGrace;
    },
    request(kind, reason, atStep) {
      if (requested || !options.isRunning()) return;
      requested = { kind, reason, ...(atStep === undefined ? {} : { atStep }) };
      options.onStopping(requested);
      options.signalGroup('SIGTERM');
      graceTimer = setTimeout(() => {
        killedAfterGrace = true;
        options.signalGroup('SIGKILL');
      }, options.gracePeriodSeconds * 1000);
    },
    settle() {
      clearTimeout(graceTimer);
      if (requested) options.signalGroup('SIGKILL');
    },
  };
}
