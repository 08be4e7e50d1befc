import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every hptune package builds with: ESM for Node 20+,
 * `.d.ts` with maps, dependencies left external so tfjs finds its wasm files at run time.
 */
export function hptuneBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    ...overrides,
  });
}
