import { describe, expect, test } from 'vitest';
import { API_CHANGED_MESSAGE, computeApiReports, diffApiReports, formatApiReport, readApiReports } from '../scripts/api-report.mjs';

describe('the API report', () => {
  test('every entry exports exactly the names checked in under packages/core/api/', () => {
    const diff = diffApiReports(computeApiReports(), readApiReports());
    expect(diff, `${API_CHANGED_MESSAGE}\n${diff.join('\n')}`).toEqual([]);
  });

  test('names an added, a removed and a changed export', () => {
    const checkedIn = new Map([['./blob', formatApiReport('./blob', [['BlobStore', 'interface'], ['RetryError', 'class'], ['parseDestination', 'function']])]]);
    const computed = new Map([['./blob', [['BlobStore', 'interface'], ['RetryError', 'class (type only)'], ['withRetry', 'function']]]]);
    expect(diffApiReports(computed, checkedIn).sort()).toEqual(['+ ./blob RetryError (class (type only))', '+ ./blob withRetry (function)', '- ./blob RetryError (class)', '- ./blob parseDestination (function)']);
  });
});
