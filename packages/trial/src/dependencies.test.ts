import { describe, expect, it } from 'vitest';
import { HptuneError } from './errors.js';
import { createDependencyLoader, dependencyLoadError, isNativeAddonLoadError } from './dependencies.js';

// Resolved from this package, whose only dependency here is the private test fixtures package.
const loadDependency = createDependencyLoader(import.meta.url);

describe('createDependencyLoader', () => {
  it('returns the module, resolved from the package that made the loader, the same object on every call', () => {
    const first = loadDependency<{ name: string }>('@hptune/testing/package.json', 'a test');
    expect(first.name).toBe('@hptune/testing');
    expect(loadDependency('@hptune/testing/package.json', 'a test')).toBe(first);
  });

  it('names the package, what needs it and the fix when it will not load', () => {
    let thrown: unknown;
    try {
      loadDependency('hptune-no-such-package', 'the test suite');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HptuneError);
    expect(thrown).toMatchObject({
      code: 'DEPENDENCY_UNLOADABLE',
      cause: expect.any(Error),
      message:
        "cannot load hptune-no-such-package, which the test suite needs: Cannot find module 'hptune-no-such-package'; " +
        'reinstall the dependencies (pnpm install, or npm rebuild hptune-no-such-package), which a native module also needs after switching Node versions',
    });
  });

  it('tells a native addon that failed to open from other errors', () => {
    const dlopenFailure = Object.assign(new Error('was compiled against a different Node.js version'), { code: 'ERR_DLOPEN_FAILED' });
    expect(isNativeAddonLoadError(dlopenFailure)).toBe(true);
    expect(isNativeAddonLoadError(new Error('SQLITE_CANTOPEN'))).toBe(false);
    expect(isNativeAddonLoadError(undefined)).toBe(false);
    expect(dependencyLoadError('better-sqlite3', 'the study store', dlopenFailure).message).toContain('better-sqlite3, which the study store needs: was compiled against');
  });
});
