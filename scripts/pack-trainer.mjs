#!/usr/bin/env node
// `pnpm image:context`: the trainer image's build context, packages/trainer/pack/*.tgz.
//
//   node scripts/pack-trainer.mjs [outDir]     (default packages/trainer/pack)
//
// Packs @hptune/trainer and the local packages it depends on (@hptune/trial, @hptune/outputs) with
// the packer staged Vertex trials use (core's), so the image installs exactly what `npm install`
// users get. The old tarballs in outDir go first: the Dockerfile globs hptune-trainer-*.tgz, and a
// stale version beside the new one would be installed too. Needs the packages built (`pnpm
// image:context` builds core, for the packer, and the trainer with its dependencies).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'packages/trainer/pack'));
const coreEntry = join(root, 'packages/core/dist/vertex.js');

try {
  let core;
  try {
    core = await import(pathToFileURL(coreEntry).href);
  } catch (error) {
    throw new Error(`cannot load ${relative(root, coreEntry)} (${error.message}); build first: pnpm --filter @hptune/core --filter @hptune/trainer build`);
  }
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) {
    if (name.endsWith('.tgz')) rmSync(join(outDir, name));
  }
  const packed = await core.packWithLocalDependencies(join(root, 'packages/trainer'), outDir);
  for (const pkg of packed) {
    const shown = relative(process.cwd(), pkg.path);
    const where = shown.startsWith('..') ? pkg.path : shown;
    process.stdout.write(`${pkg.name} ${pkg.version}  ${(pkg.size / 1024).toFixed(1)} KiB  sha256 ${pkg.sha256.slice(0, 12)}  ${where}\n`);
  }
} catch (error) {
  process.stderr.write(`pack-trainer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
