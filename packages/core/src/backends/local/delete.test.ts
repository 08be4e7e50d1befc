import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HptuneError } from '../../errors.js';
import { launchStudy } from '../../launch.js';
import { discrete, searchSpace } from '../../space/builder.js';
import { local } from './backend.js';
import { deleteStudy } from './delete.js';
import { listStudies, openStudy } from './open.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-delete-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const space = searchSpace({ x: discrete([1, 2]) });
const trainer = { command: process.execPath, args: [FAKE_TRAINER, '--epochs=1', '--sleep-ms=0'] };
const backend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 });
const metric = { id: 'accuracy', goal: 'maximize' } as const;

function codeOf(body: () => unknown): string | undefined {
  try {
    body();
  } catch (error) {
    return error instanceof HptuneError ? error.code : String(error);
  }
  return undefined;
}

describe('deleteStudy', () => {
  it('removes a finished study from the store and its folder, after which its name runs again', async () => {
    const studyDir = join(root, 'finished');
    const options = { name: 'grid', space, metric, algorithm: 'grid', parallelTrials: 1, trainer, studyDir, backend } as const;
    await (await launchStudy({ ...options })).wait();
    await launchStudy({ ...options }).then(
      () => expect.unreachable('a second launch of a finished study'),
      (error: HptuneError) => {
        expect(error.code).toBe('STUDY_EXISTS');
        // A finished study has nothing to resume: the advice is another name or deleting it.
        expect(error.message).toContain('is COMPLETED; choose another name, or delete it first with deleteStudy("grid")');
        expect(error.message).not.toContain('resumeStudy');
      },
    );
    const directory = openStudy('grid', { studyDir }).study.directory;
    expect(existsSync(join(directory, '1', 'stdout.log'))).toBe(true);

    expect(deleteStudy('grid', { studyDir })).toEqual({ name: 'grid', trials: 2, directory });
    expect(existsSync(directory)).toBe(false);
    expect(listStudies({ studyDir })).toEqual([]);
    expect(codeOf(() => openStudy('grid', { studyDir }))).toBe('STUDY_NOT_FOUND');
    expect(codeOf(() => deleteStudy('grid', { studyDir }))).toBe('STUDY_NOT_FOUND');

    const again = await (await launchStudy({ ...options })).wait();
    expect(again.trials.map((trial) => trial.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('is refused while the study runs, and for a study dir without a store', async () => {
    const studyDir = join(root, 'running');
    const slow = { command: process.execPath, args: [FAKE_TRAINER, '--epochs=1', '--sleep-ms=2000'] };
    const handle = await launchStudy({ name: 'busy', space, metric, algorithm: 'grid', parallelTrials: 1, trainer: slow, studyDir, backend });
    try {
      expect(codeOf(() => deleteStudy('busy', { studyDir }))).toBe('STUDY_LOCKED');
      expect(openStudy('busy', { studyDir }).study.name).toBe('busy');
    } finally {
      await handle.cancel();
      await handle.wait().catch(() => undefined);
    }
    expect(codeOf(() => deleteStudy('busy', { studyDir: join(root, 'empty') }))).toBe('STUDY_NOT_FOUND');
    expect(codeOf(() => deleteStudy('../x', { studyDir }))).toBe('INVALID_ARGUMENT');
  });
});
