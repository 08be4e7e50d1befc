import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStudyStore } from '../../study-store/sqlite.js';
import type { StudyDefinition } from '../../study/definition.js';
import { listStudies, openStudy } from './open.js';
import { storeFileIn } from './settings.js';

const root = mkdtempSync(join(tmpdir(), 'hptune-open-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const definition = (name: string): StudyDefinition => ({
  name,
  space: { version: 1, parameters: { x: { kind: 'discrete', values: [1, 2, 3], scale: 'linear' } } },
  metric: { id: 'accuracy', goal: 'maximize' },
  algorithm: 'grid',
  maxTrials: 3,
  parallelTrials: 1,
  seed: 1,
  trainer: { command: 'node', args: ['train.js'] },
  backend: 'local',
});

/** A finished study of three trials, 2,000 measurements each, written straight to the store. */
function storeStudy(studyDir: string, name: string): void {
  const store = openSqliteStudyStore({ file: storeFileIn(studyDir) });
  const token = `token-${name}`;
  try {
    store.createStudy(definition(name), { token, pid: process.pid, hostname: 'here' });
    for (const x of [1, 2, 3]) {
      const { id } = store.createTrial(name, { parameters: { x } }, token);
      store.startTrial(name, id, { startTime: '2026-12-06T20:00:00.000Z' }, token);
      const curve = Array.from({ length: 2000 }, (_, index) => ({ step: index + 1, metrics: { accuracy: (x * (index + 1)) / 10_000 }, elapsedSeconds: index }));
      store.addMeasurements(name, id, curve, token);
      store.finishTrial(name, id, { state: 'SUCCEEDED', finalMeasurement: curve.at(-1) as (typeof curve)[number], endTime: '2026-12-06T20:01:00.000Z' }, token);
    }
    store.setStudyState(name, 'COMPLETED', token);
    store.releaseLease(name, token);
  } finally {
    store.close();
  }
}

describe('listing stored studies', () => {
  it('reads no measurement: counts and the best trial come from the trials alone', () => {
    const studyDir = join(root, 'studies');
    storeStudy(studyDir, 'first');
    storeStudy(studyDir, 'second');
    const [first, second] = listStudies({ studyDir });
    expect(first).toMatchObject({ study: { name: 'first' }, status: 'COMPLETED', counts: { total: 3, succeeded: 3, failed: 0 }, best: { id: '3', parameters: { x: 3 }, finalMeasurement: { step: 2000 } } });
    expect(second?.study.name).toBe('second');
    expect(first?.best && 'measurements' in first.best).toBe(false);

    // A measurement that could not be read would fail any read of it: the list never meets it, openStudy does.
    const db = new Database(storeFileIn(studyDir));
    db.prepare(`UPDATE measurements SET metrics = 'not json' WHERE study = 'first' AND seq = 1000`).run();
    db.close();
    expect(listStudies({ studyDir }).map((entry) => [entry.study.name, entry.counts.succeeded, entry.best?.id])).toEqual([
      ['first', 3, '3'],
      ['second', 3, '3'],
    ]);
    expect(() => openStudy('first', { studyDir })).toThrow(SyntaxError);
  });
});
