/**
 * Static checks of the trainer image (no Docker engine here): the entrypoint is the package's own
 * bin, what the Dockerfile copies is what the documented pack steps make and the .dockerignore
 * lets in, the base image is the CUDA that tfjs-node-gpu 4.22 needs, and trials run as non-root.
 * Also the rules hadolint would apply to this file (pinned tags, exec-form entrypoint, apt hygiene).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const TRAINER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const dockerfile = readFileSync(join(TRAINER_DIR, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(TRAINER_DIR, '.dockerignore'), 'utf8');
const trainerPackage = JSON.parse(readFileSync(join(TRAINER_DIR, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const corePackage = JSON.parse(readFileSync(join(TRAINER_DIR, '../core/package.json'), 'utf8')) as { name: string; version: string };

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** Index of the build stage it belongs to (0 for ARGs before the first FROM). */
  readonly stage: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  let stage = 0;
  return joined
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
      if (keyword.toUpperCase() === 'FROM') stage++;
      return { keyword: keyword.toUpperCase(), args: args.trim(), stage };
    });
}

const all = instructions(dockerfile);
const lastStage = Math.max(...all.map((instruction) => instruction.stage));
const final = all.filter((instruction) => instruction.stage === lastStage);
const argDefaults = Object.fromEntries(
  all.filter((i) => i.keyword === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=') as [string, string]),
);
const stageNames = all.filter((i) => i.keyword === 'FROM').map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1]).filter(Boolean);

/** Whether Docker sends `path` (relative to the context) given .dockerignore: the last matching pattern decides, parents included. */
function sentToDocker(path: string): boolean {
  const patterns = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const toRegex = (glob: string) => new RegExp(`^${glob.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
  const segments = path.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regex = toRegex(negated ? pattern.slice(1) : pattern);
    if (candidates.some((candidate) => regex.test(candidate))) included = negated;
  }
  return included;
}

/** The tarball name `pnpm pack` gives a package: `@scope/name` -> `scope-name-<version>.tgz`. */
function packName(pkg: { name: string; version: string }): string {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

describe('packages/trainer/Dockerfile', () => {
  it('runs the trainer package’s own bin as its entrypoint, in exec form', () => {
    const entrypoints = final.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    const command = JSON.parse(entrypoints[0]?.args ?? '') as string[];
    expect(command).toEqual(['hptune-train']);
    const bin = trainerPackage.bin['hptune-train'];
    expect(bin).toBe('./dist/bin.js');
    // tsup builds dist/bin.js from src/bin.ts; the image finds it on PATH through node_modules/.bin.
    expect(existsSync(join(TRAINER_DIR, 'src/bin.ts'))).toBe(true);
    expect(readFileSync(join(TRAINER_DIR, 'tsup.config.ts'), 'utf8')).toMatch(/bin:\s*'src\/bin\.ts'/);
    expect(final.some((i) => i.keyword === 'ENV' && /PATH=\/app\/node_modules\/\.bin:\$PATH/.test(i.args))).toBe(true);
  });

  it('is based on CUDA 11.2 with cuDNN 8 (libtensorflow 2.9 of tfjs-node-gpu 4.22) and a Node the trainer supports', () => {
    expect(argDefaults.CUDA_IMAGE).toMatch(/^nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-ubuntu\d+\.\d+$/);
    expect(final[0]?.args).toBe('${CUDA_IMAGE}');
    const nodeMajor = Number(/^node:(\d+)-/.exec(argDefaults.NODE_IMAGE ?? '')?.[1]);
    const minimum = Number(/>=\s*(\d+)/.exec(trainerPackage.engines.node)?.[1]);
    expect(nodeMajor).toBeGreaterThanOrEqual(minimum);
    expect([20, 22, 24]).toContain(nodeMajor);
    const gpuVersion = /@tensorflow\/tfjs-node-gpu@(\S+)/.exec(dockerfile)?.[1];
    expect(gpuVersion).toBe(trainerPackage.peerDependencies['@tensorflow/tfjs-node-gpu']);
    expect(gpuVersion).toBe(trainerPackage.dependencies['@tensorflow/tfjs']);
  });

  it('runs trials as a non-root user', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]?.args).not.toMatch(/^(root|0)(:|$)/);
    const userIndex = final.findIndex((i) => i.keyword === 'USER');
    expect(userIndex).toBeLessThan(final.findIndex((i) => i.keyword === 'ENTRYPOINT'));
    expect(final.some((i) => i.keyword === 'RUN' && i.args.includes(`useradd`) && i.args.includes(users[0]?.args ?? '?'))).toBe(true);
  });

  it('copies only what the documented pack steps make and .dockerignore lets in', () => {
    const copies = all.filter((i) => i.keyword === 'COPY');
    for (const copy of copies.filter((i) => i.args.startsWith('--from='))) {
      expect(stageNames).toContain(/^--from=(\S+)/.exec(copy.args)?.[1]);
    }
    const fromContext = copies.filter((i) => !i.args.startsWith('--from='));
    expect(fromContext.map((i) => i.args)).toEqual(['dist/pack/ /tmp/pack/']);
    // The header's pack steps write there, and the install line takes those tarballs.
    expect(dockerfile).toContain('--pack-destination dist/pack');
    expect(dockerfile).toContain('--pack-destination ../trainer/dist/pack');
    for (const pkg of [corePackage, trainerPackage]) {
      const tarball = packName(pkg);
      const glob = `/tmp/pack/${packName({ ...pkg, version: '*' })}`;
      expect(dockerfile).toContain(glob);
      expect(sentToDocker(`dist/pack/${tarball}`)).toBe(true);
    }
    for (const kept of ['src/bin.ts', 'node_modules/@tensorflow/tfjs/package.json', 'dist/bin.js', 'package.json']) {
      expect(sentToDocker(kept)).toBe(false);
    }
  });

  it('follows the rules hadolint checks: pinned images, clean apt installs', () => {
    for (const image of [argDefaults.CUDA_IMAGE, argDefaults.NODE_IMAGE]) {
      expect(image).toMatch(/:[^:]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
    for (const run of all.filter((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))) {
      expect(run.args).toContain('--no-install-recommends');
      expect(run.args).toContain('-y');
      expect(run.args).toContain('apt-get update');
      expect(run.args).toContain('rm -rf /var/lib/apt/lists/*');
    }
    expect(all.some((i) => i.keyword === 'RUN' && /\bcd\s/.test(i.args))).toBe(false);
    expect(all.some((i) => i.keyword === 'RUN' && /\bsudo\b/.test(i.args))).toBe(false);
  });
});
