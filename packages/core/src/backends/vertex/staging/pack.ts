import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import { ValidationError } from '../../../errors.js';
import { createTarball, type TarballEntry } from './tarball.js';

/** A package packed into a `.tgz`, as `npm install` takes it. */
export interface PackedPackage {
  /** The package name, e.g. `@hptune/trainer`. */
  readonly name: string;
  readonly version: string;
  /** The tarball's file name, `npm pack`'s: `hptune-trainer-0.1.0.tgz`. */
  readonly fileName: string;
  /** The tarball's path on this machine. */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Its SHA-256, hex: trials check what they download against it. */
  readonly sha256: string;
  /** The package's commands (`bin`), name to path inside the package. */
  readonly bin: Readonly<Record<string, string>>;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  files?: unknown;
  bin?: unknown;
  [field: string]: unknown;
}

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;
/** Spellings of a dependency that lives beside the package rather than on a registry. */
const LOCAL_SPEC = /^(workspace|file|link):/;
/** Files npm puts in every package, whatever `files` says. */
const ALWAYS_INCLUDED = /^(readme|license|licence)(\..*)?$/i;
const NEVER_INCLUDED = new Set(['node_modules', '.git']);

function invalid(dir: string, problem: string, fix: string): never {
  throw new ValidationError({ field: 'trainerPackageDir', value: dir, problem, fix });
}

function readPackageJson(dir: string): PackageJson {
  const path = join(dir, 'package.json');
  if (!existsSync(path)) invalid(dir, 'has no package.json', 'pass the folder of the trainer package, e.g. the one holding @hptune/trainer\'s package.json');
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return invalid(dir, `has a package.json that is not JSON (${(error as Error).message})`, 'fix the package.json');
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    invalid(dir, 'has a package.json that is not a JSON object', 'fix the package.json');
  }
  return manifest as PackageJson;
}

/** The `bin` field as a name-to-path record (a string `bin` is named after the package). */
function binOf(manifest: PackageJson, name: string): Record<string, string> {
  if (typeof manifest.bin === 'string') return { [name.replace(/^@[^/]+\//, '')]: manifest.bin };
  if (manifest.bin && typeof manifest.bin === 'object') {
    return Object.fromEntries(Object.entries(manifest.bin as Record<string, unknown>).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
  }
  return {};
}

function walk(root: string, dir: string, into: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (NEVER_INCLUDED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, path, into);
    else if (entry.isFile()) into.push(relative(root, path).split(sep).join('/'));
  }
}

/**
 * The files `files` names (folders whole), plus what npm always ships: package.json, README,
 * LICENSE, the `main` file and the `bin` files. Sorted, `/`-separated.
 */
function packageFiles(dir: string, manifest: PackageJson, bin: Readonly<Record<string, string>>): string[] {
  const { files } = manifest;
  if (!Array.isArray(files) || files.some((entry) => typeof entry !== 'string')) {
    invalid(dir, 'has no "files" list in its package.json', 'list what the package ships, e.g. "files": ["dist"]');
  }
  const found = new Set<string>();
  for (const entry of files as string[]) {
    if (/[*?[\]{}!]/.test(entry)) invalid(dir, `lists "${entry}" in "files", a pattern hptune does not expand`, 'list files and folders by name, e.g. "dist"');
    // A leading `/` anchors the entry at the package's root, as in .gitignore (`"/dist"`).
    const path = resolve(dir, entry.replace(/^\/+/, ''));
    if (!path.startsWith(resolve(dir) + sep)) invalid(dir, `lists "${entry}" in "files", outside the package`, 'list paths inside the package');
    if (!existsSync(path)) invalid(dir, `lists "${entry}" in "files", which does not exist (is the package built?)`, 'run `pnpm build` first');
    if (statSync(path).isDirectory()) {
      const inside: string[] = [];
      walk(dir, path, inside);
      for (const file of inside) found.add(file);
    } else {
      found.add(relative(dir, path).split(sep).join('/'));
    }
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && ALWAYS_INCLUDED.test(entry.name)) found.add(entry.name);
  }
  // npm ships these whatever `files` says; a command left out would install as a dangling link.
  const main = typeof manifest.main === 'string' ? [manifest.main] : [];
  for (const file of [...main, ...Object.values(bin)]) {
    const path = resolve(dir, file);
    if (path.startsWith(resolve(dir) + sep) && existsSync(path) && statSync(path).isFile()) found.add(relative(dir, path).split(sep).join('/'));
  }
  found.delete('package.json');
  return ['package.json', ...[...found].sort()];
}

/** A package's manifest with its name, version and commands, each command's file checked to exist. */
function readBuiltPackage(dir: string): { manifest: PackageJson; name: string; version: string; bin: Record<string, string> } {
  const manifest = readPackageJson(dir);
  const { name, version } = manifest;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    invalid(dir, 'has a package.json without "name" and "version"', 'give the package a name and a version');
  }
  const bin = binOf(manifest, name);
  for (const [command, path] of Object.entries(bin)) {
    if (!existsSync(join(dir, path))) invalid(dir, `has no ${path}, the file of its "${command}" command (is the package built?)`, 'run `pnpm build` first');
  }
  return { manifest, name, version, bin };
}

/** A trainer package as staging needs it. */
export interface TrainerPackageInfo {
  readonly name: string;
  readonly version: string;
  /** Its one command, which each trial runs, e.g. `hptune-train`. */
  readonly command: string;
}

/**
 * Checks, without writing anything, that `dir` is a built package with exactly one command (the
 * trial's program): what `--dry-run` can tell before staging.
 * @throws ValidationError (`trainerPackageDir`) naming what is missing.
 */
export function checkTrainerPackage(dir: string): TrainerPackageInfo {
  const { name, version, bin } = readBuiltPackage(dir);
  const commands = Object.keys(bin);
  if (commands.length !== 1) {
    invalid(
      dir,
      `is ${name}, which has ${commands.length === 0 ? 'no command' : `${commands.length} commands (${commands.join(', ')})`} in "bin"; a staged trainer needs exactly one, the trial's program`,
      'pass the folder of @hptune/trainer (its command is hptune-train)',
    );
  }
  return { name, version, command: commands[0] as string };
}

/** The version a local dependency has, read from the copy the package resolves (its `node_modules`). */
function localDependencyDir(dir: string, name: string): string {
  const path = join(dir, 'node_modules', ...name.split('/'));
  if (!existsSync(join(path, 'package.json'))) {
    invalid(dir, `depends on ${name} through a workspace or file link that is not installed beside it`, 'run `pnpm install` in the repository first');
  }
  return realpathSync(path);
}

/**
 * `workspace:*` -> `1.2.3`, `workspace:^` -> `^1.2.3`, `workspace:~` -> `~1.2.3`, `workspace:<range>` -> `<range>`;
 * `file:<path>` and `link:<path>` -> `1.2.3` (a path kept as is would read as a GitHub `owner/repo`).
 */
function publishedSpec(spec: string, version: string): string {
  if (!spec.startsWith('workspace:')) return version;
  const range = spec.slice('workspace:'.length);
  if (range === '*' || range === '' || /^(\.|\/)/.test(range)) return version;
  if (range === '^' || range === '~') return `${range}${version}`;
  return range;
}

function readVersion(dir: string): string {
  const version = readPackageJson(dir).version;
  if (typeof version !== 'string' || version === '') invalid(dir, 'has a package.json without a "version", so a package depending on it cannot name it', 'give the package a version');
  return version;
}

/**
 * Packs the package in `dir` into `<outDir>/<npm pack's file name>`, as `npm pack` would, with the
 * differences a staged trainer needs: dependencies spelled `workspace:`, `file:` or `link:` get the
 * version of the copy installed beside the package (pnpm's publish rule), and the bytes are
 * reproducible (fixed times and owners, sorted entries), so the same build has the same SHA-256.
 * Only what `files` lists ships (plus package.json, README and LICENSE); folders are taken whole.
 * @throws ValidationError (`trainerPackageDir`) for a folder that is not a built package.
 */
export async function packPackage(dir: string, outDir: string): Promise<PackedPackage> {
  const { manifest, name, version, bin } = readBuiltPackage(dir);
  const rewritten: PackageJson = { ...manifest };
  for (const field of DEPENDENCY_FIELDS) {
    const specs = manifest[field];
    if (!specs || typeof specs !== 'object') continue;
    rewritten[field] = Object.fromEntries(
      Object.entries(specs as Record<string, string>).map(([dependency, spec]) =>
        LOCAL_SPEC.test(spec) && field !== 'devDependencies' ? [dependency, publishedSpec(spec, readVersion(localDependencyDir(dir, dependency)))] : [dependency, spec],
      ),
    );
  }
  if (rewritten.devDependencies) delete rewritten.devDependencies; // never installed from a tarball, and may name unpublished workspace packages

  const binPaths = new Set(Object.values(bin).map((path) => posix.normalize(path)));
  const entries: TarballEntry[] = packageFiles(dir, manifest, bin).map((file) => ({
    path: `package/${file}`,
    data: file === 'package.json' ? Buffer.from(JSON.stringify(rewritten, null, 2) + '\n') : readFileSync(join(dir, file)),
    mode: binPaths.has(file) || (statSync(join(dir, file)).mode & 0o111) !== 0 ? 0o755 : 0o644,
  }));
  const tarball = createTarball(entries);
  const fileName = `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, fileName);
  await writeFile(path, tarball);
  return { name, version, fileName, path, size: tarball.length, sha256: createHash('sha256').update(tarball).digest('hex'), bin };
}

/**
 * Packs the package in `dir` and, first, every dependency it reaches through `workspace:`, `file:`
 * or `link:` (recursively): what `npm install` needs to install it without those packages on a
 * registry. Dependencies come before the packages that need them; each package once.
 * @throws ValidationError (`trainerPackageDir`) for a folder that is not a built package.
 */
export async function packWithLocalDependencies(dir: string, outDir: string): Promise<PackedPackage[]> {
  const packed = new Map<string, PackedPackage>();
  const seen = new Set<string>();
  const visit = async (packageDir: string): Promise<void> => {
    if (seen.has(packageDir)) return; // a cycle of local links, or a package two others need
    seen.add(packageDir);
    const manifest = readPackageJson(packageDir);
    for (const field of ['dependencies', 'optionalDependencies'] as const) {
      const specs = manifest[field];
      if (!specs || typeof specs !== 'object') continue;
      for (const [dependency, spec] of Object.entries(specs as Record<string, string>)) {
        if (LOCAL_SPEC.test(spec)) await visit(localDependencyDir(packageDir, dependency));
      }
    }
    const result = await packPackage(packageDir, outDir);
    if (!packed.has(result.name)) packed.set(result.name, result);
  };
  await visit(realpathSync(dir));
  return [...packed.values()];
}
