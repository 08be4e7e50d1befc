import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HptuneError, ValidationError } from './errors.js';
import { createMetricReporter, readMetricFile } from './metrics.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'hptune-hypertune-'));

describe('metric reporter (cloudml-hypertune format)', () => {
  it('writes one JSON object per line with sorted keys and string values, as cloudml-hypertune does', () => {
    const metricFile = join(scratch(), 'nested', 'output.metrics');
    const reporter = createMetricReporter({ metricFile, trialId: '7' });
    reporter.report({ tag: 'accuracy', value: 0.9812, globalStep: 1 });
    const [line] = readFileSync(metricFile, 'utf8').trim().split('\n');
    expect(line).toMatch(/^\{"accuracy": "0\.9812", "global_step": "1", "timestamp": \d+(\.\d+)?, "trial": "7"\}$/);
  });

  it('keeps only the last 100 reports, oldest first', () => {
    const metricFile = join(scratch(), 'output.metrics');
    const reporter = createMetricReporter({ metricFile });
    for (let step = 0; step < 130; step++) reporter.report({ tag: 'loss', value: step / 10, globalStep: step });
    const reports = readMetricFile(metricFile);
    expect(reports).toHaveLength(100);
    expect(reports[0]?.globalStep).toBe(30);
    expect(reports.at(-1)).toMatchObject({ tag: 'loss', value: 12.9, globalStep: 129, trial: '0' });
  });

  it('rejects a non-finite value or a reserved tag before writing anything', () => {
    const metricFile = join(scratch(), 'output.metrics');
    const reporter = createMetricReporter({ metricFile });
    expect(() => reporter.report({ tag: 'accuracy', value: Number.NaN })).toThrow(ValidationError);
    expect(() => reporter.report({ tag: 'trial', value: 1 })).toThrow(/reserved|none of/);
    expect(readMetricFile(metricFile)).toEqual([]);
  });

  it('reads a file written by Python cloudml-hypertune', () => {
    const metricFile = join(scratch(), 'output.metrics');
    writeFileSync(
      metricFile,
      '{"accuracy": "0.5", "global_step": "0", "timestamp": 1700000000.5, "trial": "3"}\n' +
        '{"accuracy": "0.75", "checkpoint_path": "gs://b/ckpt", "global_step": "2", "timestamp": 1700000001.25, "trial": "3"}\n',
    );
    expect(readMetricFile(metricFile)).toEqual([
      { tag: 'accuracy', value: 0.5, globalStep: 0, timestamp: 1700000000.5, trial: '3' },
      { tag: 'accuracy', value: 0.75, globalStep: 2, timestamp: 1700000001.25, trial: '3', checkpointPath: 'gs://b/ckpt' },
    ]);
  });

  it('names the file and line of a malformed report', () => {
    const metricFile = join(scratch(), 'output.metrics');
    writeFileSync(metricFile, '{"accuracy": "0.5", "global_step": "0", "timestamp": 1, "trial": "0"}\nnot json\n');
    expect(() => readMetricFile(metricFile)).toThrow(HptuneError);
    expect(() => readMetricFile(metricFile)).toThrow(`metric file ${metricFile} line 2 is not JSON`);
  });
});

describe('ValidationError messages', () => {
  it('show a non-finite number as itself, not as JSON null', () => {
    const reporter = createMetricReporter({ metricFile: join(scratch(), 'output.metrics') });
    expect(() => reporter.report({ tag: 'accuracy', value: Number.NaN })).toThrow('value NaN is not a finite number');
  });

  it('refuses values, steps and timestamps that only Number() would call numbers, and steps past 2^53', () => {
    const metricFile = join(scratch(), 'output.metrics');
    const line = (fields: Record<string, unknown>) => JSON.stringify({ accuracy: '0.5', global_step: '1', timestamp: 1, trial: '0', ...fields });
    for (const [fields, problem] of [
      [{ accuracy: true }, 'non-numeric value'],
      [{ accuracy: null }, 'non-numeric value'],
      [{ accuracy: '' }, 'non-numeric value'],
      [{ accuracy: [1] }, 'non-numeric value'],
      [{ accuracy: '0x10' }, 'non-numeric value'],
      [{ global_step: null }, 'global_step'],
      [{ global_step: '' }, 'global_step'],
      [{ global_step: 1e300 }, 'global_step'],
      [{ global_step: '9007199254740993' }, 'global_step'],
      [{ timestamp: null }, 'timestamp'],
    ] as const) {
      writeFileSync(metricFile, line(fields) + '\n');
      expect(() => readMetricFile(metricFile), JSON.stringify(fields)).toThrow(problem);
    }
    writeFileSync(metricFile, line({ accuracy: 1e-5, global_step: 9007199254740991 }) + '\n');
    expect(readMetricFile(metricFile)[0]).toMatchObject({ value: 1e-5, globalStep: 9007199254740991 });
  });
});
