import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { HptuneError } from '../../errors.js';
import type { LeaseOwner, StudyLease, TrialProcess } from '../../study-store/types.js';

/** Whether a process recorded in the store still runs: `unknown` when it ran on another host. */
export type ProcessLiveness = 'alive' | 'dead' | 'unknown';

/** The lease owner for a coordinator running in this process, with a fresh token. */
export function currentLeaseOwner(): LeaseOwner {
  const processStart = processStartOf(process.pid);
  return {
    token: randomUUID(),
    pid: process.pid,
    hostname: hostname(),
    ...(processStart === undefined ? {} : { processStart }),
  };
}

/**
 * The start time the kernel gives a process (Linux: field 22 of `/proc/<pid>/stat`, clock ticks
 * since boot); `undefined` where there is no `/proc` or the process is gone.
 */
export function processStartOf(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The fields of `/proc/<pid>/stat` from the third (the state) on; `undefined` without `/proc` or the process. */
function procStat(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last `)`.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether the process that held a lease or ran a trial still runs. */
export function processLiveness(recorded: TrialProcess): ProcessLiveness {
  if (recorded.hostname !== hostname()) return 'unknown';
  try {
    process.kill(recorded.pid, 0);
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else; it may be our holder under another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const stat = procStat(recorded.pid);
  // A zombie has exited; only its parent has not collected it yet.
  if (stat?.[0] === 'Z') return 'dead';
  if (recorded.processStart !== undefined) {
    const now = stat?.[19];
    // The pid runs, but it is a different process that reused the number.
    if (now !== undefined && now !== recorded.processStart) return 'dead';
  }
  return 'alive';
}

/**
 * Decides whether `owner` may take `held`: returns `true` for a takeover (holder dead, or `force`
 * for a holder on another host that cannot be shown dead), `false` when `owner` already holds it,
 * and throws `STUDY_LOCKED` otherwise: `force` never takes a study from a coordinator seen running
 * on this host, as two coordinators would then run its trials twice.
 */
export function checkLeaseTakeover(study: string, held: StudyLease, owner: LeaseOwner, force: boolean): boolean {
  if (held.token === owner.token) return false;
  const liveness = processLiveness(held);
  if (liveness === 'dead' || (force && liveness === 'unknown')) return true;
  if (force) {
    throw new HptuneError(
      'STUDY_LOCKED',
      `study ${JSON.stringify(study)} is being run by a live coordinator on this host (pid ${held.pid}, since ${held.acquiredAt}); forceUnlock only takes over from a coordinator on another host that cannot be shown dead: wait for it to finish, or stop it (kill ${held.pid}) and resume the study`,
    );
  }
  const holder = `pid ${held.pid} on host ${JSON.stringify(held.hostname)}, since ${held.acquiredAt}`;
  const fix =
    liveness === 'alive'
      ? `wait for it to finish, or stop it (kill ${held.pid}) and resume the study; hptune takes over a study whose coordinator is gone`
      : `resume it on ${held.hostname}; if that coordinator is gone, resumeStudy(${JSON.stringify(study)}, { forceUnlock: true }) takes it over`;
  throw new HptuneError('STUDY_LOCKED', `study ${JSON.stringify(study)} is being run by another coordinator (${holder}); ${fix}`);
}
