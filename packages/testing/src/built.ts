import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The repository root (this file is packages/testing/src/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The built LeNet-5 trainer's entry point (`packages/trainer/dist/bin.js`, what the image's
 * `hptune-train` runs), checked to exist with the builds it imports (`@hptune/trial`,
 * `@hptune/outputs`) beside it. Tests never build: the root `pnpm test` builds first.
 * @throws Error saying "run pnpm build first" when a build is missing.
 */
export function builtTrainerBin(): string {
  builtFile(join(REPO_ROOT, 'packages/trial/dist/index.js'));
  builtFile(join(REPO_ROOT, 'packages/outputs/dist/tensorboard.js'));
  return builtFile(join(REPO_ROOT, 'packages/trainer/dist/bin.js'));
}
