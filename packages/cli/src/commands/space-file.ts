import { readFileSync } from 'node:fs';
import { searchSpaceFromJSON, type SearchSpace } from '@hptune/core';
import { ValidationError } from '@hptune/core/errors';

/**
 * Reads the search space of `--space <file>` (JSON written by `searchSpaceToJSON`). Every problem,
 * the file's or the space's, is a ValidationError naming `--space` and the file, so the user
 * knows which input to fix.
 */
export function readSpaceFile(path: string): SearchSpace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ValidationError({ field: '--space', value: path, problem: `cannot be read (${reason})`, fix: 'pass a JSON file written by searchSpaceToJSON' }, { cause: error });
  }
  try {
    return searchSpaceFromJSON(text);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The inner value can be the whole file: name the field and the problem only.
    throw new ValidationError({ field: '--space', value: path, problem: `does not hold a usable search space: ${error.field} ${error.problem}`, fix: error.fix }, { cause: error });
  }
}
