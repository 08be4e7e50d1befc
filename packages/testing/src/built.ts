import { existsSync } from 'node:fs';

/**
 * Checks that a file a build makes exists, for tests that run a package's built output (a
 * `dist/bin.js`) as users do. Tests never build: the root `pnpm test` builds every package first.
 * @param path - absolute path of the built file.
 * @returns `path`.
 * @throws Error naming the file and the fix (`pnpm build`) when it does not exist.
 */
export function builtFile(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run pnpm build first (the root pnpm test builds before testing)`);
  return path;
}
