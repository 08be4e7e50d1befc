import { describe, expect, test } from 'vitest';
import { API_CHANGED_MESSAGE, computeApiReports, diffApiReports, formatApiReport, readApiReports } from '../../../scripts/api-report.mjs';

// The reports cover every published package (scripts/api-report.mjs); `pnpm lint` runs the same
// check. It lives here because core's exports are the ones that move most.
describe('the API reports', () => {
  test('every entry of every published package exports exactly the names checked in under its api/ folder', () => {
    const diff = diffApiReports(computeApiReports(), readApiReports());
    expect(diff, `${API_CHANGED_MESSAGE}\n${diff.join('\n')}`).toEqual([]);
  });

  test('names an added, a removed and a changed export', () => {
    const checkedIn = new Map([['@hptune/core/blob', formatApiReport('@hptune/core/blob', [['BlobStore', 'interface'], ['RetryError', 'class'], ['parseDestination', 'function']])]]);
    const computed = new Map([['@hptune/core/blob', [['BlobStore', 'interface'], ['RetryError', 'class (type only)'], ['withRetry', 'function']]]]);
    expect(diffApiReports(computed, checkedIn).sort()).toEqual([
      '+ @hptune/core/blob RetryError (class (type only))',
      '+ @hptune/core/blob withRetry (function)',
      '- @hptune/core/blob RetryError (class)',
      '- @hptune/core/blob parseDestination (function)',
    ]);
  });

  test('a new entry with no report checked in is named', () => {
    expect(diffApiReports(new Map([['@hptune/trial', [['reportMetric', 'function']]]]), new Map())).toEqual(['@hptune/trial: no report checked in (run pnpm api:update)']);
  });
});
