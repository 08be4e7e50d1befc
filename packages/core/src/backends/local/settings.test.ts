import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { validateTrainer } from './settings.js';

function refusal(trainer: unknown): ValidationError {
  try {
    validateTrainer(trainer);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('the trainer was accepted');
}

describe('validateTrainer', () => {
  it('refuses a NUL character anywhere the operating system would refuse it, naming the field', () => {
    const node = process.execPath;
    expect(refusal({ command: node, args: ['train.js', 'a\u0000b'] }).field).toBe('trainer.args[1]');
    expect(refusal({ command: node, args: [], env: { MODE: 'fast\u0000' } }).field).toBe('trainer.env.MODE');
    expect(refusal({ command: node, args: [], env: { 'BAD\u0000NAME': 'x' } }).field).toBe('trainer.env');
    expect(refusal({ command: `${node}\u0000`, args: [] }).message).toContain('holds a NUL character');
  });

  it('names the environment variable whose value is not a string, shown as JSON', () => {
    const error = refusal({ command: process.execPath, args: [], env: { MODE: { fast: true } } });
    expect(error.message).toBe('trainer.env.MODE {"fast":true} is not a string; give each environment variable a string value, e.g. { NAME: "value" }');
  });
});
