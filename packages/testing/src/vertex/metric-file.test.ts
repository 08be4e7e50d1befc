import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetricFileReports } from './metric-file.js';

const dir = mkdtempSync(join(tmpdir(), 'hptune-testing-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readMetricFileReports', () => {
  it('reads cloudml-hypertune lines: values as strings, one tag a line, blank lines skipped', () => {
    const path = join(dir, 'output.metrics');
    writeFileSync(path, '{"accuracy": "0.5", "global_step": "1", "timestamp": 1700000000.5, "trial": "3"}\n\n{"checkpoint_path": "gs://b/c", "global_step": "2", "loss": "0.25", "timestamp": 1700000001, "trial": "3"}\n');
    expect(readMetricFileReports(path)).toEqual([
      { tag: 'accuracy', value: 0.5, globalStep: 1, timestamp: 1700000000.5 },
      { tag: 'loss', value: 0.25, globalStep: 2, timestamp: 1700000001 },
    ]);
  });

  it('answers [] for a trial that has not written yet', () => {
    expect(readMetricFileReports(join(dir, 'missing'))).toEqual([]);
  });

  it('rejects a line with two tags or a non-numeric value, naming the line', () => {
    const twoTags = join(dir, 'two-tags');
    writeFileSync(twoTags, '{"accuracy": "0.5", "timestamp": 1}\n{"accuracy": "0.5", "loss": "1", "timestamp": 1}\n');
    expect(() => readMetricFileReports(twoTags)).toThrow(`${twoTags} line 2 has 2 metric tags, not one`);
    const notNumeric = join(dir, 'not-numeric');
    writeFileSync(notNumeric, '{"accuracy": "high", "timestamp": 1}\n');
    expect(() => readMetricFileReports(notNumeric)).toThrow(`${notNumeric} line 1 has a non-numeric value`);
  });
});
