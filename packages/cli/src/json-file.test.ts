import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_FILE_BYTES, MAX_JSON_FILE_DEPTH, readSpaceFile } from './json-file.js';

function spaceFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hptune-space-file-')), 'space.json');
  writeFileSync(file, text);
  return file;
}

function messageOf(file: string): string {
  try {
    readSpaceFile(file);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${file} was accepted`);
}

describe('readSpaceFile (--space <file>)', () => {
  it('reads a space written by searchSpaceToJSON, scale defaulting to linear', () => {
    const file = spaceFile(JSON.stringify({ version: 1, parameters: { batch_size: { kind: 'discrete', values: [16, 32] } } }));
    expect(readSpaceFile(file)).toEqual({ parameters: { batch_size: { kind: 'discrete', values: [16, 32], scale: 'linear' } } });
  });

  it.each<[string, string, string]>([
    ['a missing file', '', '--space "MISSING" does not exist; pass a search space JSON file'],
    ['bad JSON, by line and column', '{\n  "version": 1,\n  "parameters": {,}\n}', '--space "FILE" is not valid JSON (line 3, column 18'],
    ['a bad field, by its JSON path in the file', JSON.stringify({ version: 1, parameters: { opt: { kind: 'categorical', values: ['a', 3] } } }), 'FILE: parameters.opt.values'],
    ['a whole file that is no space, shortened', JSON.stringify(Array.from({ length: 40 }, (_, index) => index)), 'FILE "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,..." is not a search space object'],
  ])('refuses %s', (what, text, message) => {
    const file = what === 'a missing file' ? '/nonexistent/space.json' : spaceFile(text);
    expect(messageOf(file)).toContain(message.replace('FILE', file).replace('MISSING', file));
  });

  it('reads regular files only, of at most 8 MiB, never waiting on a FIFO or reading a device', () => {
    const folder = mkdtempSync(join(tmpdir(), 'hptune-space-kinds-'));
    const fifo = join(folder, 'space.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(messageOf(fifo)).toBe(`--space ${JSON.stringify(fifo)} is a FIFO (named pipe), not a regular file; pass a search space JSON file: { "version": 1, "parameters": { ... } }`);
    expect(messageOf('/dev/zero')).toContain('--space "/dev/zero" is a device, not a regular file');
    expect(messageOf(folder)).toContain('is a folder, not a regular file');
    const large = join(folder, 'large.json');
    writeFileSync(large, '{');
    truncateSync(large, MAX_JSON_FILE_BYTES + 1);
    expect(messageOf(large)).toContain(`is ${MAX_JSON_FILE_BYTES + 1} bytes, more than the ${MAX_JSON_FILE_BYTES} bytes (8 MiB) hptune reads`);
  });

  it('refuses JSON nested deeper than a space can be, before anything walks it', () => {
    const file = spaceFile(`{"version":1,"parameters":{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`);
    expect(messageOf(file)).toContain(`nests objects or arrays more than ${MAX_JSON_FILE_DEPTH} levels deep`);
  });
});
