import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@hptune/trial';
import { describe, expect, it } from 'vitest';
import { prepareTrialOutputs, resolveTrialPaths } from './contract.js';

describe('prepareTrialOutputs', () => {
  it('creates the model directory and the metric file\'s directory, leaving nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
    const paths = resolveTrialPaths({ outputDir: dir, env: {} });
    prepareTrialOutputs(paths);
    expect(readdirSync(join(dir, 'model'))).toEqual([]);
    expect(readdirSync(join(dir, 'hypertune'))).toEqual([]);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  it('rejects a model directory under a file, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
    writeFileSync(join(dir, 'file'), '');
    const paths = resolveTrialPaths({ outputDir: dir, env: { AIP_MODEL_DIR: join(dir, 'file', 'model') } });
    expect(() => prepareTrialOutputs(paths)).toThrow(ValidationError);
    expect(() => prepareTrialOutputs(paths)).toThrow(/^AIP_MODEL_DIR \(model directory\) ".*file\/model" cannot be written \(E(NOTDIR|EXIST)\); point AIP_MODEL_DIR at a writable location$/);
  });

  it('rejects a metric file that is a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
    mkdirSync(join(dir, 'hypertune', 'output.metrics'), { recursive: true });
    expect(() => prepareTrialOutputs(resolveTrialPaths({ outputDir: dir, env: {} }))).toThrow('--output-dir (metric file) "' + join(dir, 'hypertune', 'output.metrics') + '" is a directory');
  });

  it.skipIf(process.getuid?.() === 0)('rejects a read-only metric directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o500);
    const paths = resolveTrialPaths({ outputDir: dir, env: { CLOUD_ML_HP_METRIC_FILE: join(dir, 'ro', 'metrics') } });
    expect(() => prepareTrialOutputs(paths)).toThrow('CLOUD_ML_HP_METRIC_FILE (metric file\'s directory)');
  });

  it('rejects a metric file under a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
    writeFileSync(join(dir, 'file'), '');
    const paths = resolveTrialPaths({ outputDir: dir, env: { CLOUD_ML_HP_METRIC_FILE: join(dir, 'file', 'metrics') } });
    expect(() => prepareTrialOutputs(paths)).toThrow('CLOUD_ML_HP_METRIC_FILE (metric file\'s directory)');
  });
});
