import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HptuneError, ValidationError } from '../../errors.js';
import { launchStudy, resumeStudy } from '../../launch.js';
import type { Sampler } from '../../samplers/types.js';
import { discrete, searchSpace } from '../../space/builder.js';
import type { FrozenTrial } from '../../study/types.js';
import { vertex } from '../vertex/backend.js';
import { local } from './backend.js';
import { openStudy } from './open.js';

const FAKE_TRAINER = fileURLToPath(new URL('../../../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-custom-sampler-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const space = searchSpace({ x: discrete([1, 2, 3, 4, 5, 6, 7, 8]) });
const trainer = { command: process.execPath, args: [FAKE_TRAINER, '--epochs=1', '--sleep-ms=0'] };
const backend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 });
const metric = { id: 'accuracy', goal: 'maximize' } as const;

/** A sampler of a user's own: walks down the line from 8, one step per trial it is shown. */
function walker(name = 'walker'): Sampler & { readonly seen: number[] } {
  const seen: number[] = [];
  return {
    algorithm: name,
    seen,
    suggest(trials: readonly FrozenTrial[]) {
      seen.push(trials.length);
      return { x: 8 - (trials.length % 8) };
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('a sampler the user brings', () => {
  it('runs the study, is stored by name, and must be passed again to resume', async () => {
    const studyDir = join(root, 'walk');
    const sampler = walker();
    const study = await launchStudy({ name: 'walk', space, metric, sampler, maxTrials: 3, parallelTrials: 1, trainer, studyDir, backend });
    await study.wait();
    const stored = openStudy('walk', { studyDir });
    expect(stored.study).toMatchObject({ algorithm: 'custom', sampler: { name: 'walker' } });
    expect(stored.trials.map((trial) => trial.parameters)).toEqual([{ x: 8 }, { x: 7 }, { x: 6 }]);
    expect(sampler.seen).toEqual([0, 1, 2]);

    const missing = await rejection(resumeStudy('walk', { studyDir, backend }));
    expect(missing).toBeInstanceOf(HptuneError);
    expect(missing).toMatchObject({ code: 'SAMPLER_REQUIRED' });
    expect(missing.message).toMatch(/launched with a custom sampler \("walker"\), which is code and is not stored; pass it again: resumeStudy\("walk", \{ sampler \}\)/);

    const other = await rejection(resumeStudy('walk', { studyDir, backend, sampler: walker('other') }));
    expect(other).toBeInstanceOf(ValidationError);
    expect(other.message).toMatch(/sampler.algorithm "other" is not the sampler study "walk" was launched with \("walker"\)/);

    const resumed = await resumeStudy('walk', { studyDir, backend, sampler: walker() });
    expect((await resumed.wait()).study.state).toBe('COMPLETED');
  }, 30_000);

  it('is refused with an algorithm, on Vertex AI, without a name, or for a study that runs an algorithm of hptune', async () => {
    const studyDir = join(root, 'refused');
    const base = { name: 'refused', space, metric, maxTrials: 2, trainer, studyDir, backend };
    expect(await rejection(launchStudy({ ...base, algorithm: 'random', sampler: walker() }))).toMatchObject({ field: 'algorithm', problem: 'is given with a sampler' });
    const onVertex = await rejection(launchStudy({ name: 'v', space, metric, maxTrials: 2, sampler: walker(), backend: vertex({ project: 'my-project-123', bucket: 'my-bucket-123', containerUri: 'example.com/lenet5' }) }));
    expect(onVertex.message).toMatch(/sampler "walker" cannot run on the vertex backend, which chooses trials itself; run it locally, or use algorithm "bayesian" there/);
    expect(await rejection(launchStudy({ ...base, sampler: { ...walker(), algorithm: '' } }))).toMatchObject({ field: 'sampler.algorithm' });
    // @ts-expect-error not a sampler, as from untyped input
    expect(await rejection(launchStudy({ ...base, sampler: { name: 'x' } }))).toMatchObject({ field: 'sampler', problem: 'is not a sampler' });

    const study = await launchStudy({ ...base, algorithm: 'random', seed: 1 });
    await study.wait();
    expect(await rejection(resumeStudy('refused', { studyDir, backend, sampler: walker() }))).toMatchObject({ field: 'sampler', problem: expect.stringMatching(/runs hptune's random search/) });
  }, 30_000);
});
