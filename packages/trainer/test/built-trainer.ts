import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFile } from '@hptune/testing/built';

/** The repository root (this file is packages/trainer/test/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The built trainer's entry point (`dist/bin.js`, what the image's `hptune-train` runs), checked
 * to exist with core's build beside it, which it imports. Tests never build: the root `pnpm test`
 * builds first.
 * @throws Error saying "run pnpm build first" when either build is missing.
 */
export function builtTrainerBin(): string {
  builtFile(join(REPO_ROOT, 'packages/core/dist/index.js'));
  return builtFile(join(REPO_ROOT, 'packages/trainer/dist/bin.js'));
}
