import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HptuneError } from '../../errors.js';
import type { LeaseOwner } from '../../study-store/types.js';
import { checkLeaseTakeover, currentLeaseOwner, processLiveness } from './liveness.js';

/** A pid that certainly ran and certainly ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

const lease = (owner: LeaseOwner) => ({ ...owner, acquiredAt: '2026-12-02T00:00:00.000Z' });

describe('whether a study coordinator is gone', () => {
  it('sees this process alive, an ended pid dead, and another host as unknown', () => {
    const here = currentLeaseOwner();
    expect(processLiveness(here)).toBe('alive');
    expect(processLiveness({ ...here, pid: deadPid() })).toBe('dead');
    expect(processLiveness({ ...here, hostname: 'elsewhere.invalid' })).toBe('unknown');
  });

  it.runIf(process.platform === 'linux')('treats a reused pid (another start time) as a dead holder', () => {
    expect(processLiveness({ ...currentLeaseOwner(), processStart: '1' })).toBe('dead');
  });

  it('refuses a live coordinator naming its pid and how to stop it; takes over a dead one; forces another host only when asked', () => {
    const owner = currentLeaseOwner();
    let refusal: unknown;
    try {
      checkLeaseTakeover('seed', lease(currentLeaseOwner()), owner, false);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(HptuneError);
    expect((refusal as HptuneError).code).toBe('STUDY_LOCKED');
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    expect((refusal as Error).message).toContain('kill');
    expect(checkLeaseTakeover('seed', lease({ ...currentLeaseOwner(), pid: deadPid() }), owner, false)).toBe(true);
    const remote = lease({ ...currentLeaseOwner(), hostname: 'elsewhere.invalid' });
    expect(() => checkLeaseTakeover('seed', remote, owner, false)).toThrow(/forceUnlock/);
    expect(checkLeaseTakeover('seed', remote, owner, true)).toBe(true);
    // forceUnlock is for a holder that cannot be shown dead: never a live coordinator on this host.
    expect(() => checkLeaseTakeover('seed', lease(currentLeaseOwner()), owner, true)).toThrow(/live coordinator on this host \(pid \d+.*forceUnlock only takes over from a coordinator on another host/);
    expect(checkLeaseTakeover('seed', lease(owner), owner, false)).toBe(false);
  });
});
