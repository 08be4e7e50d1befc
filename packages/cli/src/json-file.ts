import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { searchSpaceFromJSON, ValidationError, type SearchSpace } from '@hptune/core';
import { markWorded } from './flag-names.js';

/** The largest JSON file `--space` and `--config` read, in bytes (8 MiB: a space at every limit of hptune's fits). */
export const MAX_JSON_FILE_BYTES = 8 * 1024 * 1024;

/** How deeply a `--space` or `--config` file may nest objects and arrays. */
export const MAX_JSON_FILE_DEPTH = 64;

/**
 * Reads and parses a JSON file the user named with `flag`: a regular file of at most
 * {@link MAX_JSON_FILE_BYTES}, nested at most {@link MAX_JSON_FILE_DEPTH} deep. A device
 * (`/dev/zero`), a FIFO, a folder, a file too large or too deep, an unreadable file or bad JSON is
 * a `ValidationError` naming the flag, the file and (for bad JSON) the line and column; none is
 * waited on or read whole.
 */
export function readJsonFile(path: string, flag: string, fix: string): unknown {
  const text = readBoundedFile(path, flag, fix);
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(
      { field: flag, value: path, problem: `is not valid JSON (${jsonErrorPlace(text, error as Error)})`, fix: 'fix the JSON syntax there (no comments or trailing commas)' },
      { cause: error },
    );
  }
  if (nestedDeeperThan(data, MAX_JSON_FILE_DEPTH)) {
    throw new ValidationError({ field: flag, value: path, problem: `nests objects or arrays more than ${MAX_JSON_FILE_DEPTH} levels deep`, fix: 'flatten it: a search space nests conditions at most 10 levels' });
  }
  return data;
}

/** The text of a regular file of at most {@link MAX_JSON_FILE_BYTES}, refused before a byte is read otherwise. */
function readBoundedFile(path: string, flag: string, fix: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait forever (it is refused just below).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new ValidationError({ field: flag, value: path, problem: reason, fix }, { cause: error });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a regular file';
      throw new ValidationError({ field: flag, value: path, problem: `is ${what}, not a regular file`, fix });
    }
    if (stat.size > MAX_JSON_FILE_BYTES) {
      throw new ValidationError({ field: flag, value: path, problem: `is ${stat.size} bytes, more than the ${MAX_JSON_FILE_BYTES} bytes (8 MiB) hptune reads`, fix: 'give a smaller file; a search space of hptune\'s largest size fits' });
    }
    // Read at most one byte past the limit: a file that grows while read is still bounded.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_JSON_FILE_BYTES) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    if (length > MAX_JSON_FILE_BYTES) {
      throw new ValidationError({ field: flag, value: path, problem: `grew past the ${MAX_JSON_FILE_BYTES} bytes (8 MiB) hptune reads while it was read`, fix: 'give a smaller file that nothing writes to' });
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError({ field: flag, value: path, problem: `cannot be read (${(error as Error).message})`, fix }, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/** Whether `value` nests objects and arrays more than `limit` deep, found without recursion. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** "line 3, column 7: Unexpected token }" from JSON.parse's "... at position 42". */
function jsonErrorPlace(text: string, error: Error): string {
  const detail = error.message.replace(/^JSON\.parse: /, '');
  const match = /position (\d+)/.exec(detail);
  if (!match) return detail;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${detail.replace(/ in JSON at position \d+.*$/, '').replace(/,? ?"[^"]*"? is not valid JSON$/, '')}`;
}

/**
 * Reads a search space from parsed JSON. A bad field's error names the file and the JSON path of
 * the field in it, e.g. `space.json: parameters.batch_size.values[2]`, or, for a space at `path`
 * inside a study file, `study.json: space.parameters.lr.min`.
 */
export function spaceFromJson(data: unknown, file: string, path = ''): SearchSpace {
  try {
    return searchSpaceFromJSON(data);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const jsonPath = [path, error.field === 'searchSpace' ? '' : error.field].filter((part) => part !== '').join('.');
    const field = jsonPath === '' ? file : `${file}: ${jsonPath}`;
    throw new ValidationError({ field, value: shortened(error.value), problem: error.problem, fix: error.fix }, { code: error.code, cause: error });
  }
}

/** A rejected value as it is, or its JSON cut to 60 characters when it is longer (a whole file, say). */
function shortened(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json !== undefined && json.length > 60 ? `${json.slice(0, 57)}...` : value;
}

/** `--space <file>`: a search space JSON file, as `searchSpaceToJSON` writes it. */
export function readSpaceFile(path: string): SearchSpace {
  try {
    const data = readJsonFile(path, '--space', 'pass a search space JSON file: { "version": 1, "parameters": { ... } }');
    // Named as the user typed it: the flag and its file.
    return spaceFromJson(data, `--space ${path}`);
  } catch (error) {
    // Worded for the file (its JSON paths), not reworded as flags.
    throw error instanceof ValidationError ? markWorded(error) : error;
  }
}
