import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStudyStoreConformance } from './conformance.js';
import { createMemoryStudyStore } from './memory.js';
import { openSqliteStudyStore } from './sqlite.js';

describeStudyStoreConformance('memory', () => ({ store: createMemoryStudyStore(), cleanup: () => {} }));
describeStudyStoreConformance('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hptune-store-'));
  const store = openSqliteStudyStore({ file: join(dir, 'hptune.db') });
  return { store, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});
