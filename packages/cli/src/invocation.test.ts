import { describe, expect, it } from 'vitest';
import { invocationOf, speakAsInvoked } from './invocation.js';

describe('hints in the words the user typed', () => {
  it('tells pnpm, npx, an npm script and a plain install apart from what package managers set', () => {
    // `pnpm hptune` in this repository runs the linked binary: pnpm sets its user agent, no script.
    expect(invocationOf({ npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' })).toBe('pnpm hptune');
    expect(invocationOf({ npm_lifecycle_event: 'hptune', npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' })).toBe('pnpm hptune');
    expect(invocationOf({ npm_lifecycle_event: 'hptune', npm_config_user_agent: 'npm/11.6.2 node/v20.20.0 linux x64' })).toBe('npm run hptune --');
    expect(invocationOf({ npm_lifecycle_event: 'npx', npm_config_user_agent: 'npm/11.6.2 node/v20.20.0 linux x64' })).toBe('npx hptune');
    expect(invocationOf({})).toBe('hptune');
    // A script of another name (a test run) says nothing about how a person would type it.
    expect(invocationOf({ npm_lifecycle_event: 'test', npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' })).toBe('hptune');
  });

  it('rewrites command lines in a hint, not the program name that starts a message', () => {
    const pnpm = { npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64' };
    expect(speakAsInvoked('hptune: study seed cancelled; continue it with: hptune study resume seed', pnpm)).toBe(
      'hptune: study seed cancelled; continue it with: pnpm hptune study resume seed',
    );
    expect(speakAsInvoked('see @hptune/cli and hptune-train --help, or hptune jobs list', pnpm)).toBe('see @hptune/cli and hptune-train --help, or pnpm hptune jobs list');
    expect(speakAsInvoked('hptune study list', {})).toBe('hptune study list');
  });
});
