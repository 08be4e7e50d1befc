import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { local } from './backends/local/backend.js';
import { planVertexStudy, vertex } from './backends/vertex/backend.js';
import { launchStudy } from './launch.js';
import { categorical, double, integer, searchSpace } from './space/builder.js';
import type { SearchSpace } from './space/types.js';
import { validateSearchSpace } from './space/validate.js';

// (vi.mock is hoisted above the imports.) Every check of a space inside core ends in validate.ts's validateSearchSpace: counting its calls
// counts the walks of the space. A launch walks it once; the steps after (grid size, the stored
// JSON, the sampler, each grid suggestion, the HParams experiment, the Vertex StudySpec, the
// preflight) get the checked copy.
vi.mock('./space/validate.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./space/validate.js')>();
  return { ...original, validateSearchSpace: vi.fn(original.validateSearchSpace) };
});


const FAKE_TRAINER = fileURLToPath(new URL('../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-validate-once-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const trainer = { command: process.execPath, args: [FAKE_TRAINER, '--epochs=1', '--sleep-ms=1'] };
const backend = local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 });
const metric = { id: 'accuracy', goal: 'maximize' } as const;
const walks = vi.mocked(validateSearchSpace);

/** A space written as data, as a study file or an untyped caller gives it: nothing has checked it. */
const gridSpace = (): SearchSpace =>
  JSON.parse(
    JSON.stringify({
      parameters: {
        x: { kind: 'discrete', values: [1, 2, 3] },
        activation: { kind: 'categorical', values: ['relu', 'softmax'], conditions: [{ parentValues: ['relu'], parameters: { units: { kind: 'integer', min: 1, max: 2 } } }] },
      },
    }),
  ) as SearchSpace;

beforeEach(() => {
  walks.mockClear();
});

describe('a launch validates its search space once', () => {
  it('a local grid study: once, from launchStudy to its last trial', async () => {
    const study = await launchStudy({ name: 'grid', space: gridSpace(), metric, algorithm: 'grid', parallelTrials: 2, trainer, studyDir: join(root, 'grid'), backend });
    const { trials } = await study.wait();
    expect(trials).toHaveLength(9);
    expect(walks).toHaveBeenCalledTimes(1);
  });

  it('a space from searchSpace(): the builder\'s check is the only one, through a whole TPE study', async () => {
    const space = searchSpace({ learning_rate: double(1e-3, 1e-1, { scale: 'log' }), width: integer(1, 8), activation: categorical(['relu', 'softmax']) });
    const study = await launchStudy({ name: 'tpe', space, metric, algorithm: 'tpe', maxTrials: 4, parallelTrials: 2, seed: 1, trainer, studyDir: join(root, 'tpe'), backend });
    await study.wait();
    expect(walks).toHaveBeenCalledTimes(1);
  });

  it('a Vertex AI plan: once, through the StudySpec, the grid size and the preflight', () => {
    const plan = planVertexStudy({
      name: 'grid',
      space: gridSpace(),
      metric,
      algorithm: 'grid',
      backend: vertex({ project: 'my-project-123', bucket: 'my-bucket-123', containerUri: 'us-docker.pkg.dev/p/r/lenet5:latest', checkAccess: false }),
    });
    expect(plan.request.hyperparameterTuningJob.maxTrialCount).toBe(9);
    expect(walks).toHaveBeenCalledTimes(1);
  });

  it('a space changed after its check is checked again, not trusted', () => {
    const space = gridSpace();
    expect(() => planVertexStudy({ name: 'ok', space, metric, algorithm: 'grid', backend: vertex({ project: 'p-123456', bucket: 'b-123', containerUri: 'u/i:1', checkAccess: false }) })).not.toThrow();
    (space.parameters as Record<string, unknown>)['x'] = { kind: 'double', min: 0, max: 1 };
    expect(() => planVertexStudy({ name: 'bad', space, metric, algorithm: 'grid', backend: vertex({ project: 'p-123456', bucket: 'b-123', containerUri: 'u/i:1', checkAccess: false }) })).toThrow(
      /parameters\.x\.kind "double" cannot be searched by grid/,
    );
    expect(walks).toHaveBeenCalledTimes(2);
  });
});
