// Bundles modules of the trainer's src/ with tsup into node_modules/.cache/<cacheName> (so their
// bare imports resolve from the package) and imports them: what the scripts here use to run the
// source as it is, with no package build.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles `entries` (output name -> path under the package root) and returns each one's module,
 * by output name. TensorFlow.js and other hptune packages stay external: one copy of each.
 */
export async function bundleSource(cacheName, entries) {
  const { build } = await import('tsup');
  const outDir = join(packageRoot, 'node_modules', '.cache', cacheName);
  mkdirSync(outDir, { recursive: true });
  await build({
    entry: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(packageRoot, path)])),
    splitting: true,
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    external: [/^@tensorflow\//, /^@hptune\//],
  });
  const names = Object.keys(entries);
  const modules = await Promise.all(names.map((name) => import(pathToFileURL(join(outDir, `${name}.js`)).href)));
  return Object.fromEntries(names.map((name, index) => [name, modules[index]]));
}
