import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStudyStore } from './sqlite.js';

// better-sqlite3 opens its native addon in the first `new Database`; a build for another Node
// version fails there with ERR_DLOPEN_FAILED, which this stand-in reproduces.
vi.mock('../load-dependency.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../load-dependency.js')>()),
  loadDependency: () =>
    class {
      constructor() {
        throw Object.assign(new Error('better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 127'), { code: 'ERR_DLOPEN_FAILED' });
      }
    },
}));

describe('openSqliteStudyStore when better-sqlite3 cannot open its addon', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the module and the fix instead of blaming the store file', () => {
    const file = join((dir = mkdtempSync(join(tmpdir(), 'hptune-sqlite-addon-'))), 'hptune.db');
    expect(() => openSqliteStudyStore({ file })).toThrow(
      expect.objectContaining({
        code: 'DEPENDENCY_UNLOADABLE',
        message: expect.stringMatching(/^cannot load better-sqlite3, which the study store needs: better_sqlite3\.node was compiled against .*npm rebuild better-sqlite3/),
      }),
    );
  });
});
