import { HptuneError, ValidationError } from '@hptune/core';
import { describe, expect, it } from 'vitest';
import { LAUNCH_FLAGS, SHARED_FLAGS, toCommandWording, toFlagWording, withFlagNames } from './flag-names.js';

describe('library errors worded with the command\'s flags', () => {
  it('renames the field and every option named in the problem and the fix, whole names only', () => {
    const error = new ValidationError({
      field: 'backend.acceleratorType',
      value: 'NVIDIA_L4',
      problem: 'does not match g2-standard-8 with acceleratorCount 2',
      fix: 'pass acceleratorType NVIDIA_L4 acceleratorCount 1 (see containerUri, not containerUriPrefix)',
    });
    return withFlagNames(LAUNCH_FLAGS, () => Promise.reject(error)).catch((caught: unknown) => {
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).message).toBe(
        '--accelerator-type "NVIDIA_L4" does not match g2-standard-8 with --accelerator-count 2; pass --accelerator-type NVIDIA_L4 --accelerator-count 1 (see --container-uri, not containerUriPrefix)',
      );
      expect((caught as ValidationError).code).toBe(error.code);
      expect((caught as ValidationError).exitCode).toBe(2);
    });
  });

  it('names the command where the library names resumeStudy, and flags every command shares', () => {
    expect(toCommandWording('cancelled; resumeStudy("seed-2") finishes it')).toBe('cancelled; hptune study resume seed-2 finishes it');
    expect(toCommandWording('if it is gone, resumeStudy("a_b", { forceUnlock: true }) takes it over')).toBe('if it is gone, hptune study resume a_b --force-unlock takes it over');
    expect(toFlagWording('then resume with a higher maxFailedTrials', SHARED_FLAGS)).toBe('then resume with a higher --max-failed-trial-count');
    expect(toFlagWording('trialTimeoutSeconds differs between commands', SHARED_FLAGS)).toBe('trialTimeoutSeconds differs between commands');
  });

  it('never rewords quoted text: a value the user gave, or a field of their file', () => {
    expect(toFlagWording('no study "maxTrials" in ./hptune; raise maxTrials', SHARED_FLAGS)).toBe('no study "maxTrials" in ./hptune; raise --max-trial-count');
    expect(toFlagWording('give e.g. "maxTrials": 20 or "a \\"maxTrials\\" b"', SHARED_FLAGS)).toBe('give e.g. "maxTrials": 20 or "a \\"maxTrials\\" b"');
  });

  it('leaves names the command has no flag for, and errors that are not validation errors', async () => {
    expect(toFlagWording('maxTrials.x and seed stay; maxTrials goes', LAUNCH_FLAGS)).toBe('maxTrials.x and seed stay; --max-trial-count goes');
    expect(toFlagWording('is not a Google Cloud project id; pass the project id', LAUNCH_FLAGS)).toBe('is not a Google Cloud project id; pass the project id');
    const other = new HptuneError('STUDY_LOCKED', 'maxTrials is not a flag here');
    await expect(withFlagNames(LAUNCH_FLAGS, () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('library calls in advice, worded for a command-line or study-file user', () => {
  it('turns resumeStudy and deleteStudy into commands, and the space builder into space-file JSON', () => {
    expect(toCommandWording('delete it first with deleteStudy("seed")')).toBe('delete it first with hptune study delete seed');
    expect(toCommandWording('list the values to try with discrete([...]) (or integer(min, max)), or use the random algorithm')).toBe(
      'list the values to try with { "kind": "discrete", "values": [...] } in the space file (or { "kind": "integer", "min": min, "max": max }), or use the random algorithm',
    );
  });
});
