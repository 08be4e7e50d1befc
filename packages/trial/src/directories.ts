import { accessSync, constants, mkdirSync, statSync, statfsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Linux's virtual filesystems, which hold no user files, by their `statfs` magic number
 * (`linux/magic.h`). Node 20's recursive `mkdir` loops forever under `/proc`, so a path on one
 * of these is refused before anything is created.
 */
const VIRTUAL_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0xde5e81e4, 'efivarfs'],
  [0x62656570, 'configfs'],
]);

/** What is wrong with a folder that should hold files, and what to do instead. */
export interface DirectoryProblem {
  readonly problem: string;
  readonly fix: string;
}

/** Error codes of a path that does not exist (or has a file where a folder should be). */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The folders from `dir` up to (not including) the first that exists, outermost first, and that first one. */
function missingLevels(dir: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    try {
      statSync(current);
      return { existing: current, missing: missing.reverse() };
    } catch (error) {
      const parent = dirname(current);
      if (!isMissing(error) || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
}

/**
 * Says why files cannot be written in `dir` (or in the folders that would be created for it):
 * a file where a folder should be, a Linux virtual filesystem (`/proc`, `/sys`), or a folder
 * this user may not write. `undefined` when none of these holds.
 */
export function directoryProblem(dir: string): DirectoryProblem | undefined {
  const fix = 'give a folder on a disk that you can write to, such as "./hptune"';
  let existing: string;
  try {
    ({ existing } = missingLevels(dir));
  } catch (error) {
    return { problem: `cannot be checked (${(error as Error).message})`, fix };
  }
  const stats = statSync(existing);
  if (!stats.isDirectory()) {
    return { problem: existing === resolve(dir) ? 'is a file, not a folder' : `is inside ${existing}, which is a file, not a folder`, fix };
  }
  if (process.platform === 'linux') {
    const kind = VIRTUAL_FILESYSTEMS.get(statfsSync(existing).type);
    if (kind) return { problem: `is on ${existing}, the kernel's virtual ${kind} filesystem, which holds no files`, fix };
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    const user = process.getuid ? ` (user id ${process.getuid()})` : '';
    return { problem: `is not writable: ${existing} does not let this user${user} create files`, fix: `${fix}, or change the permissions of ${existing}` };
  }
  return undefined;
}

/**
 * Creates `dir` and its missing parents, one level at a time, each tried once: unlike Node's
 * recursive `mkdirSync`, which spins forever on a path under `/proc` in Node 20, this always
 * returns or throws. A folder that already exists is fine.
 * @throws the file system's error (`ENOTDIR`, `EACCES`, `EROFS`, `ENOENT`...) for the level that failed.
 */
export function makeDirectory(dir: string): void {
  for (const level of missingLevels(dir).missing) {
    try {
      // Explicit mode (still narrowed by the umask): never world-writable, even under umask 000.
      mkdirSync(level, 0o755);
    } catch (error) {
      // Another process made it meanwhile: fine when it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}

/** {@link makeDirectory}, without blocking the event loop. */
export async function makeDirectoryAsync(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    try {
      await stat(current);
      break;
    } catch (error) {
      const parent = dirname(current);
      if (!isMissing(error) || parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level, 0o755);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(level)).isDirectory()) throw error;
    }
  }
}
