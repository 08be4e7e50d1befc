import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@hptune/core';
import { describe, expect, it } from 'vitest';
import { pythonExecutable } from '../test/python.js';
import { readStudyFile } from './study-file.js';

const SCHEMA = fileURLToPath(new URL('../schema/study.schema.json', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/python-trainer/study.json', import.meta.url));
const PYTHON = pythonExecutable();
/** Whether this machine has a JSON Schema validator to check the shipped schema with (Python's jsonschema). */
const HAS_VALIDATOR = PYTHON !== undefined && spawnSync(PYTHON, ['-c', 'import jsonschema'], { stdio: 'ignore' }).status === 0;
const SPACE = { version: 1, parameters: { lr: { kind: 'double', min: 0.001, max: 0.1, scale: 'log' } } };

function studyFile(content: unknown, name = 'study.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'hptune-study-file-'));
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

function errorOf(file: string): ValidationError {
  try {
    readStudyFile(file);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('readStudyFile', () => {
  it('reads every field; the trainer runs in the file\'s folder, a space path is relative to it', () => {
    const file = studyFile({
      $schema: './node_modules/@hptune/cli/schema/study.schema.json',
      name: 'full',
      space: 'spaces/space.json',
      metric: { id: 'loss', goal: 'minimize' },
      algorithm: 'random',
      maxTrials: 4,
      parallelTrials: 2,
      maxFailedTrials: 1,
      trialTimeoutSeconds: 90.5,
      seed: 3,
      earlyStopping: 'none',
      trainer: { command: 'python3', args: ['task.py', '--epochs=2'], env: { MODE: 'fast' } },
    });
    const folder = join(file, '..');
    mkdirSync(join(folder, 'spaces'));
    writeFileSync(join(folder, 'spaces', 'space.json'), JSON.stringify(SPACE));
    const read = readStudyFile(file);
    expect(read).toEqual({
      file,
      name: 'full',
      space: { parameters: { lr: { kind: 'double', min: 0.001, max: 0.1, scale: 'log' } } },
      metric: { id: 'loss', goal: 'minimize' },
      algorithm: 'random',
      maxTrials: 4,
      parallelTrials: 2,
      maxFailedTrials: 1,
      trialTimeoutSeconds: 90.5,
      seed: 3,
      earlyStopping: 'none',
      trainer: { command: 'python3', args: ['task.py', '--epochs=2'], env: { MODE: 'fast' }, cwd: folder },
    });
  });

  it('reads an early-stopping rule with its settings, as a study stores it', () => {
    expect(readStudyFile(studyFile({ earlyStopping: { kind: 'asha', maxStep: 9, reductionFactor: 3 } })).earlyStopping).toEqual({ kind: 'asha', maxStep: 9, reductionFactor: 3 });
  });

  it('reads the python-trainer example', () => {
    expect(readStudyFile(EXAMPLE)).toMatchObject({ name: 'python-softmax', algorithm: 'random', trainer: { command: 'python3', cwd: join(EXAMPLE, '..') } });
  });

  it.each<[string, unknown, string]>([
    ['bad JSON, with the line and column', '{\n  "name": "x",\n  "seed": 1,\n}', 'is not valid JSON (line 4, column 1'],
    ['not an object', '[1]', 'FILE: (top level) [1] is not a JSON object'],
    ['an unknown field', { name: 'x', maxTrial: 3 }, 'FILE: maxTrial 3 is not a field of a study file; use only name, space, metric'],
    ['a count below 1', { maxTrials: 0 }, 'FILE: maxTrials 0 is not a whole number of at least 1; give e.g. "maxTrials": 20'],
    ['a fractional seed', { seed: 1.5 }, 'FILE: seed 1.5 is not a whole number'],
    ['a negative timeout', { trialTimeoutSeconds: -1 }, 'FILE: trialTimeoutSeconds -1 is not a positive number of seconds'],
    ['a metric without id', { metric: { goal: 'maximize' } }, 'FILE: metric.id (missing) is required'],
    ['a bad goal', { metric: { id: 'a', goal: 'max' } }, 'FILE: metric.goal "max" is not a goal; give "maximize" or "minimize"'],
    ['an unknown metric field', { metric: { id: 'a', direction: 'up' } }, 'FILE: metric.direction "up" is not a field of metric'],
    ['a bad rule', { earlyStopping: 'pbt' }, 'FILE: earlyStopping "pbt" is not an early-stopping rule; give one of "none", "median", "asha", "hyperband", "decay-curve"'],
    ['a bad rule kind', { earlyStopping: { kind: 'pbt', maxStep: 9 } }, 'FILE: earlyStopping.kind "pbt" is not an early-stopping rule'],
    ['a trainer without command', { trainer: { args: [] } }, 'FILE: trainer.command (missing) is required'],
    ['a number among the args', { trainer: { command: 'python3', args: ['task.py', 3] } }, 'FILE: trainer.args[1] 3 is not a string; write it as a string, e.g. "3"'],
    ['args as one string', { trainer: { command: 'python3', args: 'task.py --x' } }, 'FILE: trainer.args "task.py --x" is not a list'],
    ['a number in env', { trainer: { command: 'python3', env: { THREADS: 4 } } }, 'FILE: trainer.env.THREADS 4 is not a string'],
    ['an object in env, shown as JSON', { trainer: { command: 'python3', env: { MODE: { fast: true } } } }, 'FILE: trainer.env.MODE {"fast":true} is not a string; write it as a string, e.g. "value"'],
    ['a flag written as a field', { '--max-trial-count': 20 }, 'FILE: --max-trial-count 20 is not a field of a study file; the study file\'s field for it is "maxTrials", e.g. "maxTrials": 20'],
    ['a flag in camelCase written as a field', { maxParallelTrialCount: 2 }, 'FILE: maxParallelTrialCount 2 is not a field of a study file; the study file\'s field for it is "parallelTrials"'],
    ['a bad space field, with its path', { space: { version: 1, parameters: { lr: { kind: 'double', min: 1, max: 0 } } } }, 'FILE: space.parameters.lr'],
    ['a space of the wrong version', { space: { version: 2, parameters: {} } }, 'FILE: space.version 2 is not a search-space format'],
    ['a space that is a number', { space: 3 }, 'FILE: space 3 is neither a search space nor the path of one'],
    ['a space file that is missing', { space: 'nope.json' }, 'FILE: space "FOLDER/nope.json" does not exist'],
  ])('refuses %s, naming the file, the JSON path and the fix', (_what, content, message) => {
    const file = studyFile(content);
    const error = errorOf(file);
    expect(error.message).toContain(message.replace('FILE', file).replace('FOLDER', join(file, '..')));
    expect(error.exitCode).toBe(2);
  });

  it('a missing file names --config', () => {
    expect(errorOf('/nonexistent/study.json').message).toBe('--config "/nonexistent/study.json" does not exist; pass a study file (JSON), e.g. one `hptune study show <name> --config` printed');
  });

  it('the JSON Schema shipped in the package describes exactly the fields the reader takes', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as { properties: Record<string, { properties?: Record<string, unknown>; oneOf?: { enum?: string[] }[] }>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['$schema', 'name', 'space', 'metric', 'algorithm', 'maxTrials', 'parallelTrials', 'maxFailedTrials', 'trialTimeoutSeconds', 'seed', 'earlyStopping', 'trainer'].sort(),
    );
    expect(Object.keys(schema.properties.trainer?.properties ?? {})).toEqual(['command', 'args', 'env', 'cwd']);
    expect(Object.keys(schema.properties.metric?.properties ?? {})).toEqual(['id', 'goal']);
    expect(schema.properties.earlyStopping?.oneOf?.[0]?.enum).toEqual(['none', 'median', 'asha', 'hyperband', 'decay-curve']);
    // Every rule runs locally: the description once said only "none" did.
    expect(JSON.stringify(schema.properties.earlyStopping)).not.toMatch(/only "none"/i);
    // Each field the schema names is one the reader takes: a file with all of them reads.
    const unknown = errorOf(studyFile({ notAField: 1 }));
    expect(unknown.message).toContain(Object.keys(schema.properties).filter((key) => key !== '$schema').join(', '));
  });

  it.skipIf(!HAS_VALIDATOR)('the schema is valid JSON Schema 2020-12 and judges files as the reader does (checked with Python jsonschema)', () => {
    const good = readFileSync(EXAMPLE, 'utf8');
    const bad = JSON.stringify({ name: 'x', maxTrials: 0, trainer: { command: 'python3', args: ['task.py', 3] } });
    const script = [
      'import json, sys, jsonschema',
      'schema = json.load(open(sys.argv[1]))',
      'jsonschema.Draft202012Validator.check_schema(schema)',
      'validator = jsonschema.Draft202012Validator(schema)',
      'print(json.dumps([sorted(e.json_path for e in validator.iter_errors(json.loads(text))) for text in sys.argv[2:]]))',
    ].join('\n');
    const run = spawnSync(PYTHON as string, ['-c', script, SCHEMA, good, bad], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([[], ['$.maxTrials', '$.trainer.args[1]']]);
    expect(() => readStudyFile(EXAMPLE)).not.toThrow();
    expect(errorOf(studyFile(bad)).field).toMatch(/: maxTrials$/);
  });
});
