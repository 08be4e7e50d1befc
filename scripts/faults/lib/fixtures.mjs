// The protocol fixtures of @hptune/testing (TypeScript) compiled for the campaign, next to that
// package's dependencies so their imports resolve.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './env.mjs';

/** `{ startGcsFixture, startMetadataFixture }`, compiled with tsup into packages/testing/node_modules/.cache. */
export async function loadFixtures() {
  const { build } = await import('tsup');
  const testing = join(ROOT, 'packages', 'testing');
  const outDir = join(testing, 'node_modules', '.cache', 'hptune-faults');
  await build({
    entry: { gcs: join(testing, 'src', 'gcs', 'gcs-server.ts'), metadata: join(testing, 'src', 'gce-metadata', 'metadata-server.ts') },
    outDir,
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    skipNodeModulesBundle: true,
  });
  const gcs = await import(pathToFileURL(join(outDir, 'gcs.mjs')).href);
  const metadata = await import(pathToFileURL(join(outDir, 'metadata.mjs')).href);
  return { ...gcs, ...metadata };
}
