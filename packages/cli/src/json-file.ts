import { readFileSync } from 'node:fs';
import { searchSpaceFromJSON, ValidationError, type SearchSpace } from '@hptune/core';

/**
 * Reads and parses a JSON file the user named with `flag`. An unreadable file or bad JSON is a
 * `ValidationError` naming the flag, the file and (for bad JSON) the line and column.
 */
export function readJsonFile(path: string, flag: string, fix: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new ValidationError({ field: flag, value: path, problem: reason, fix }, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(
      { field: flag, value: path, problem: `is not valid JSON (${jsonErrorPlace(text, error as Error)})`, fix: 'fix the JSON syntax there (no comments or trailing commas)' },
      { cause: error },
    );
  }
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
  const data = readJsonFile(path, '--space', 'pass a search space JSON file: { "version": 1, "parameters": { ... } }');
  // Named as the user typed it: the flag and its file.
  return spaceFromJson(data, `--space ${path}`);
}
