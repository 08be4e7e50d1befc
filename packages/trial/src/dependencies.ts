import { createRequire } from 'node:module';
import { HptuneError } from './errors.js';

/** Loads a CommonJS dependency on first use; see {@link createDependencyLoader}. */
export type DependencyLoader = <T>(name: string, purpose: string) => T;

/**
 * Makes a loader that requires a CommonJS dependency the first time a caller needs it rather than
 * when the package is imported: better-sqlite3, @node-rs/crc32 and pngjs cost tens of milliseconds
 * each, and two of them are native addons, which `hptune --help` has no use for. Synchronous,
 * because the APIs that use them (the study store, record checksums, PNG encoding) are; `require`
 * caches the module.
 *
 * @param from - the importing package's module URL (`import.meta.url`): the dependency is resolved
 *   from there, so each package finds its own dependencies.
 * @returns `loadDependency(name, purpose)`, which throws HptuneError `DEPENDENCY_UNLOADABLE` naming
 *   the package, what needs it (`purpose`, e.g. `the study store`) and the fix when it cannot load
 *   (missing, or a native addon built for another Node version).
 */
export function createDependencyLoader(from: string | URL): DependencyLoader {
  const requireFrom = createRequire(from);
  return <T>(name: string, purpose: string): T => {
    try {
      return requireFrom(name) as T;
    } catch (error) {
      throw dependencyLoadError(name, purpose, error);
    }
  };
}

/**
 * The error for a dependency that would not load, for callers that catch a native addon's
 * failure later than the `require` (better-sqlite3 opens its addon in the first `new Database`).
 */
export function dependencyLoadError(name: string, purpose: string, cause: unknown): HptuneError {
  // The first line only: `require` appends its require stack, which `cause` still holds.
  const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
  return new HptuneError(
    'DEPENDENCY_UNLOADABLE',
    `cannot load ${name}, which ${purpose} needs: ${reason}; reinstall the dependencies (pnpm install, or npm rebuild ${name}), which a native module also needs after switching Node versions`,
    { cause },
  );
}

/** Whether `error` is Node's failure to open a native addon (missing file, other Node ABI, other platform). */
export function isNativeAddonLoadError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_DLOPEN_FAILED';
}
