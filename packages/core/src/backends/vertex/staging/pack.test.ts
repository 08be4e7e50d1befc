import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../errors.js';
import { checkTrainerPackage, packPackage, packWithLocalDependencies } from './pack.js';

let workDir: string;
beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'hptune-pack-'));
});
afterEach(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Writes a package: its package.json and its other files (path -> text; a path ending in `*` is made executable). */
function writePackage(dir: string, manifest: Record<string, unknown>, files: Readonly<Record<string, string>> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name.replace(/\*$/, ''));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    if (name.endsWith('*')) chmodSync(path, 0o755);
  }
  return dir;
}

/** Extracts a tarball with the system tar; returns the folder and every file in it, `/`-separated, sorted. */
function extract(tarball: string): { readonly dir: string; readonly files: string[] } {
  const dir = mkdtempSync(join(workDir, 'extracted-'));
  const result = spawnSync('tar', ['-xpzf', tarball, '-C', dir], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return { dir, files: files.sort() };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The ValidationError `run` throws (sync or async), checked to be about `trainerPackageDir`. */
async function validationError(run: () => unknown): Promise<ValidationError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.field).toBe('trainerPackageDir');
  expect(error.exitCode).toBe(2);
  return error;
}

/** The trainer-like package of most tests, with its local dependencies installed as plain folders. */
function acmeTrainer(): string {
  const dir = join(workDir, 'trainer');
  writePackage(
    dir,
    {
      name: '@acme/trainer',
      version: '0.4.2',
      type: 'module',
      files: ['dist'],
      bin: { 'acme-train': 'dist/bin.js' },
      dependencies: { '@acme/core': 'workspace:*', '@acme/util': 'workspace:^', 'left-pad': '^1.3.0' },
      devDependencies: { vitest: '^4.0.0', '@acme/test-kit': 'workspace:*' },
    },
    {
      'README.md': '# trainer\n',
      LICENSE: 'Apache-2.0\n',
      'src/index.ts': 'export {};\n',
      'dist/bin.js': '#!/usr/bin/env node\nconsole.log("training");\n',
      'dist/index.js': 'export {};\n',
      'dist/node_modules/x.js': 'module.exports = 1;\n',
    },
  );
  writePackage(join(dir, 'node_modules/@acme/core'), { name: '@acme/core', version: '2.3.4' });
  writePackage(join(dir, 'node_modules/@acme/util'), { name: '@acme/util', version: '1.0.0' });
  return dir;
}

describe('packPackage', () => {
  it('ships package.json, README, LICENSE and what "files" lists, with workspace specs published and devDependencies dropped', async () => {
    const packed = await packPackage(acmeTrainer(), join(workDir, 'out'));
    expect(packed).toMatchObject({ name: '@acme/trainer', version: '0.4.2', fileName: 'acme-trainer-0.4.2.tgz', bin: { 'acme-train': 'dist/bin.js' } });
    expect(packed.path).toBe(join(workDir, 'out', 'acme-trainer-0.4.2.tgz'));
    expect(packed.size).toBe(statSync(packed.path).size);
    expect(packed.sha256).toBe(sha256(packed.path));

    const { dir, files } = extract(packed.path);
    expect(files).toEqual(['package/LICENSE', 'package/README.md', 'package/dist/bin.js', 'package/dist/index.js', 'package/package.json']);
    const manifest = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toEqual({ '@acme/core': '2.3.4', '@acme/util': '^1.0.0', 'left-pad': '^1.3.0' });
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest.bin).toEqual({ 'acme-train': 'dist/bin.js' });
    expect(statSync(join(dir, 'package/dist/bin.js')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'package/dist/index.js')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, 'package/dist/bin.js'), 'utf8')).toBe('#!/usr/bin/env node\nconsole.log("training");\n');
  });

  it('gives the same bytes, hence the same SHA-256, when packed twice', async () => {
    const dir = acmeTrainer();
    const first = await packPackage(dir, join(workDir, 'out-1'));
    const second = await packPackage(dir, join(workDir, 'out-2'));
    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.compare(readFileSync(first.path), readFileSync(second.path))).toBe(0);
  });

  it('publishes file: and link: dependencies, and ranges, as npm can read them', async () => {
    const dir = writePackage(
      join(workDir, 'app'),
      {
        name: 'app',
        version: '1.0.0',
        files: ['dist'],
        dependencies: { tool: 'file:packages/tool', helper: 'link:../helper', ranged: 'workspace:~', pinned: 'workspace:^0.9.0' },
      },
      { 'dist/index.js': '' },
    );
    for (const [name, version] of [['tool', '3.1.0'], ['helper', '0.2.0'], ['ranged', '5.0.1'], ['pinned', '0.9.7']] as const) {
      writePackage(join(dir, 'node_modules', name), { name, version });
    }
    const { dir: out } = extract((await packPackage(dir, workDir)).path);
    const manifest = JSON.parse(readFileSync(join(out, 'package/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // `packages/tool` left as is would be read by npm as the GitHub repository packages/tool.
    expect(manifest.dependencies).toEqual({ tool: '3.1.0', helper: '0.2.0', ranged: '~5.0.1', pinned: '^0.9.0' });
  });

  it('ships the command and main files, and takes a "/"-anchored "files" entry, as npm does', async () => {
    const dir = writePackage(
      join(workDir, 'tool'),
      { name: 'tool', version: '1.0.0', main: 'lib/main.js', files: ['/lib/util.js'], bin: { tool: './cli.js' } },
      { 'cli.js': '#!/usr/bin/env node\n', 'lib/main.js': '', 'lib/util.js': '', 'lib/secret.js': '' },
    );
    const { dir: out, files } = extract((await packPackage(dir, workDir)).path);
    expect(files).toEqual(['package/cli.js', 'package/lib/main.js', 'package/lib/util.js', 'package/package.json']);
    expect(statSync(join(out, 'package/cli.js')).mode & 0o777).toBe(0o755);
  });

  it('is accepted by real npm: installed offline from the tarball, its command runs', async () => {
    const dir = writePackage(
      join(workDir, 'greeter'),
      { name: '@acme/greeter', version: '1.2.3', files: ['dist'], bin: { 'acme-greet': 'dist/greet.js' } },
      { 'dist/greet.js': '#!/usr/bin/env node\nconsole.log(`hello from the tarball, ${process.argv.slice(2).join(" ")}`);\n' },
    );
    const installDir = join(workDir, 'install');
    mkdirSync(installDir);
    const packed = await packPackage(dir, installDir);
    const npm = spawnSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-update-notifier', '--cache', join(workDir, 'npm-cache'), `./${packed.fileName}`],
      { cwd: installDir, encoding: 'utf8', timeout: 60_000 },
    );
    expect(npm.error).toBeUndefined();
    expect(npm.stderr).not.toMatch(/ERR!/);
    expect(npm.status).toBe(0);
    const installed = JSON.parse(readFileSync(join(installDir, 'node_modules/@acme/greeter/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe('1.2.3');
    const run = spawnSync(join(installDir, 'node_modules/.bin/acme-greet'), ['trial', '7'], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('hello from the tarball, trial 7\n');
  });
});

describe('packWithLocalDependencies', () => {
  /** A → B → C through workspace: specs; B also depends back on A. Each installed as pnpm links them. */
  function chain(): string {
    const a = writePackage(join(workDir, 'a'), { name: 'a', version: '1.0.0', files: ['dist'], dependencies: { b: 'workspace:*' } }, { 'dist/a.js': '' });
    const b = writePackage(join(workDir, 'b'), { name: 'b', version: '2.0.0', files: ['dist'], dependencies: { c: 'workspace:^', a: 'workspace:*' } }, { 'dist/b.js': '' });
    const c = writePackage(join(workDir, 'c'), { name: 'c', version: '3.0.0', files: ['dist'], dependencies: { 'left-pad': '^1.3.0' } }, { 'dist/c.js': '' });
    const link = (from: string, to: string, name: string): void => {
      mkdirSync(join(from, 'node_modules'), { recursive: true });
      symlinkSync(to, join(from, 'node_modules', name), 'dir');
    };
    link(a, b, 'b');
    link(b, c, 'c');
    link(b, a, 'a');
    return a;
  }

  it('packs dependencies first, each package once, through a cycle', async () => {
    const out = join(workDir, 'out');
    const packed = await packWithLocalDependencies(chain(), out);
    expect(packed.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['c@3.0.0', 'b@2.0.0', 'a@1.0.0']);
    expect(readdirSync(out).sort()).toEqual(['a-1.0.0.tgz', 'b-2.0.0.tgz', 'c-3.0.0.tgz']);
    const { dir } = extract(packed[1]?.path ?? '');
    const manifest = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({ c: '^3.0.0', a: '1.0.0' });
  });
});

describe('errors a user can act on', () => {
  it('names a folder without package.json', async () => {
    const dir = join(workDir, 'empty');
    mkdirSync(dir);
    const error = await validationError(() => packPackage(dir, workDir));
    expect(error.value).toBe(dir);
    expect(error.message).toMatch(/has no package\.json; pass the folder of the trainer package/);
    await validationError(() => checkTrainerPackage(dir));
  });

  it('asks for a "files" list, and for names rather than patterns', async () => {
    const none = writePackage(join(workDir, 'none'), { name: 'none', version: '1.0.0' });
    expect((await validationError(() => packPackage(none, workDir))).message).toMatch(/has no "files" list.*"files": \["dist"\]/);
    const glob = writePackage(join(workDir, 'glob'), { name: 'glob', version: '1.0.0', files: ['dist/*.js'] }, { 'dist/a.js': '' });
    expect((await validationError(() => packPackage(glob, workDir))).message).toMatch(/lists "dist\/\*\.js" in "files", a pattern.*list files and folders by name/);
  });

  it('says to build when "dist" or a command file is missing', async () => {
    const unbuilt = writePackage(join(workDir, 'unbuilt'), { name: 'unbuilt', version: '1.0.0', files: ['dist'] });
    expect((await validationError(() => packPackage(unbuilt, workDir))).message).toMatch(/lists "dist" in "files", which does not exist.*run `pnpm build`/);
    const noBin = writePackage(join(workDir, 'no-bin'), { name: 'no-bin', version: '1.0.0', files: ['dist'], bin: { go: 'dist/go.js' } }, { 'dist/index.js': '' });
    expect((await validationError(() => packPackage(noBin, workDir))).message).toMatch(/has no dist\/go\.js, the file of its "go" command.*run `pnpm build`/);
    expect((await validationError(() => checkTrainerPackage(noBin))).message).toMatch(/dist\/go\.js/);
  });

  it('checkTrainerPackage wants exactly one command', async () => {
    const zero = writePackage(join(workDir, 'zero'), { name: 'zero', version: '1.0.0', files: ['dist'] }, { 'dist/index.js': '' });
    expect((await validationError(() => checkTrainerPackage(zero))).message).toMatch(/is zero, which has no command in "bin".*hptune-train/);
    const two = writePackage(join(workDir, 'two'), { name: 'two', version: '1.0.0', files: ['dist'], bin: { one: 'dist/1.js', other: 'dist/2.js' } }, { 'dist/1.js': '', 'dist/2.js': '' });
    expect((await validationError(() => checkTrainerPackage(two))).message).toMatch(/has 2 commands \(one, other\).*needs exactly one/);
    const one = writePackage(join(workDir, 'one'), { name: '@acme/one', version: '1.0.0', files: ['dist'], bin: 'dist/1.js' }, { 'dist/1.js': '' });
    expect(checkTrainerPackage(one)).toEqual({ name: '@acme/one', version: '1.0.0', command: 'one' });
  });

  it('says to install when a workspace dependency is not in node_modules', async () => {
    const dir = acmeTrainer();
    rmSync(join(dir, 'node_modules/@acme/util'), { recursive: true });
    const packError = await validationError(() => packPackage(dir, join(workDir, 'out')));
    expect(packError.message).toMatch(/depends on @acme\/util through a workspace or file link that is not installed.*run `pnpm install`/);
    await validationError(() => packWithLocalDependencies(dir, join(workDir, 'out')));
    expect(existsSync(join(workDir, 'out', 'acme-trainer-0.4.2.tgz'))).toBe(false);
  });

  it('refuses a package.json that is not an object, and a local dependency without a version', async () => {
    const listed = join(workDir, 'null');
    mkdirSync(listed);
    writeFileSync(join(listed, 'package.json'), 'null');
    expect((await validationError(() => packPackage(listed, workDir))).message).toMatch(/not a JSON object; fix the package\.json/);
    const dir = acmeTrainer();
    writePackage(join(dir, 'node_modules/@acme/core'), { name: '@acme/core' });
    const error = await validationError(() => packPackage(dir, workDir));
    expect(error.value).toBe(realpathSync(join(dir, 'node_modules/@acme/core')));
    expect(error.message).toMatch(/without a "version".*give the package a version/);
  });
});
