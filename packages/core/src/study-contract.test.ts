/**
 * The study contract, run against every backend: the same study behaviours (events, the best
 * trial, listener errors, abort, limits) through `launchStudy`, locally and on Vertex AI (the
 * JobService fixture running each trial's container as a local process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobServiceFixture, type JobServiceFixture } from '@hptune/testing/vertex';
import { local } from './backends/local/backend.js';
import { vertex } from './backends/vertex/backend.js';
import { HptuneError } from './errors.js';
import { launchStudy } from './launch.js';
import { discrete, searchSpace } from './space/builder.js';
import type { StudyHandle } from './study/handle.js';
import type { SearchAlgorithm } from './algorithms.js';

const FAKE_TRAINER = fileURLToPath(new URL('../test/fixtures/study/fake-trainer.mjs', import.meta.url));
const IMAGE = 'us-docker.pkg.dev/p/r/fake-trainer:latest';
const root = mkdtempSync(join(tmpdir(), 'hptune-contract-'));
const space = searchSpace({ x: discrete([1, 2, 3, 4]) });
const metric = { id: 'accuracy', goal: 'maximize' } as const;

/** What a test asks of a study; each backend turns it into its own `launchStudy` options. */
interface StudyRequest {
  readonly name: string;
  readonly algorithm?: SearchAlgorithm;
  readonly maxTrials?: number;
  readonly parallelTrials?: number;
  readonly maxFailedTrials?: number;
  readonly measurementSelection?: 'best' | 'last';
  readonly signal?: AbortSignal;
  /** The fake trainer's own flags (`--sleep-ms=5`, `--fail-when=x=2:crash`). */
  readonly trainerArgs: readonly string[];
}

interface Backend {
  readonly kind: string;
  /** Whether `stop()` lets running trials finish (the local backend); Vertex AI has no such request and refuses it. */
  readonly drains: boolean;
  launch(request: StudyRequest): Promise<StudyHandle>;
}

let fixture: JobServiceFixture;

/** The study part of a request, the same on every backend. */
const definition = (request: Omit<StudyRequest, 'trainerArgs'>) => ({ ...request, space, metric, algorithm: request.algorithm ?? 'grid' });
let counter = 0;

const backends: readonly Backend[] = [
  {
    kind: 'local',
    drains: true,
    launch: ({ trainerArgs, ...request }) =>
      launchStudy({
        ...definition(request),
        trainer: { command: process.execPath, args: [FAKE_TRAINER, ...trainerArgs] },
        studyDir: join(root, `local-${(counter += 1)}`),
        backend: local({ pollIntervalMs: 20, stopGracePeriodSeconds: 0.5 }),
      }),
  },
  {
    kind: 'vertex',
    drains: false,
    launch: ({ trainerArgs, ...request }) =>
      launchStudy({
        ...definition(request),
        backend: vertex({ project: 'my-project-123', bucket: 'hptune-bucket', containerUri: IMAGE, apiEndpoint: fixture.endpoint, checkAccess: false, pollIntervalMs: 20, maxPollIntervalMs: 50, trainerArgs }),
      }),
  },
];

beforeAll(async () => {
  const scratch = join(root, 'vertex-trials');
  fixture = await startJobServiceFixture({
    executor: {
      outputRoot: join(root, 'vertex-outputs'),
      killGraceMs: 500,
      entrypoint: (imageUri) => (imageUri === IMAGE ? { command: process.execPath, args: [FAKE_TRAINER], cwd: mkdtempSync(scratch) } : undefined),
    },
  });
});
afterAll(async () => {
  await fixture?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.each(backends)('the study contract on the $kind backend', (backend) => {
  it('emits each trial started, measured and completed, then studyCompleted, and finds the best trial', async () => {
    const study = await backend.launch({ name: 'events', parallelTrials: 2, trainerArgs: ['--sleep-ms=5'] });
    const seen = new Map<string, string[]>();
    const note = (id: string, what: string) => seen.set(id, [...(seen.get(id) ?? []), what]);
    study.on('trialStarted', ({ trial }) => note(trial.id, 'started'));
    study.on('measurement', ({ trial, measurement }) => note(trial.id, `step ${measurement.step}`));
    study.on('trialCompleted', ({ trial }) => note(trial.id, trial.state));
    let completed = 0;
    study.on('studyCompleted', () => (completed += 1));
    const result = await study.wait();

    expect(completed).toBe(1);
    expect(result.study).toMatchObject({ name: 'events', state: 'COMPLETED', backend: backend.kind, maxTrials: 4 });
    expect(study.study.state).toBe('COMPLETED');
    expect([...seen.keys()].sort()).toEqual(['1', '2', '3', '4']);
    for (const events of seen.values()) expect(events).toEqual(['started', 'step 1', 'step 2', 'SUCCEEDED']);
    expect(result.trials.map((trial) => trial.parameters.x).sort()).toEqual([1, 2, 3, 4]);
    // The fake trainer's accuracy is x / 1000: the best trial is x = 4.
    expect(result.best?.parameters.x).toBe(4);
    expect(result.best?.finalMeasurement?.metrics.accuracy).toBeCloseTo(0.004);
    expect(study.best()?.id).toBe(result.best?.id);
    expect(study.trials()).toHaveLength(4);
  });

  it('isolates a listener that throws: the study completes and the error arrives as a warning', async () => {
    const study = await backend.launch({ name: 'listener', maxTrials: 2, parallelTrials: 1, trainerArgs: ['--sleep-ms=5'] });
    study.on('trialCompleted', () => {
      throw new Error('a bug in the listener');
    });
    const completed: string[] = [];
    study.on('trialCompleted', ({ trial }) => completed.push(trial.id));
    const warnings: string[] = [];
    study.on('warning', ({ code, message }) => warnings.push(`${code} ${message}`));
    const result = await study.wait();
    expect(result.study.state).toBe('COMPLETED');
    expect(completed.sort()).toEqual(['1', '2']);
    expect(warnings).toEqual(Array(2).fill('LISTENER_FAILED a listener of trialCompleted threw: a bug in the listener; the study goes on'));
  });

  it('cancels the study when its signal aborts: running trials stopped, the study CANCELLED', async () => {
    const abort = new AbortController();
    const study = await backend.launch({ name: 'abort', parallelTrials: 1, signal: abort.signal, trainerArgs: ['--fail=hang'] });
    study.on('trialStarted', () => abort.abort());
    let stopped: string | undefined;
    study.on('studyStopped', ({ study: info }) => (stopped = info.state));
    const error = await study.wait().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HptuneError);
    expect(study.study.state).toBe('CANCELLED');
    expect(stopped).toBe('CANCELLED');
    expect(study.trials().filter((trial) => trial.state === 'SUCCEEDED')).toEqual([]);
  });

  it('fails the study once maxFailedTrials trials failed, naming why', async () => {
    const study = await backend.launch({ name: 'failures', parallelTrials: 1, maxFailedTrials: 1, trainerArgs: ['--sleep-ms=5', '--fail-when=x=2:crash'] });
    const error = await study.wait().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HptuneError);
    expect(study.study.state).toBe('FAILED');
    const failed = study.trials().filter((trial) => trial.state === 'INFEASIBLE');
    expect(failed.map((trial) => trial.parameters.x)).toEqual([2]);
    expect(failed[0]?.failure?.reason).toBeTruthy();
    // No trial after the failed one ran to success: the study stopped there.
    expect(study.trials().filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x)).toEqual([1]);
  });

  it.each([
    [undefined, 0.001],
    ['best', 0.001],
    ['last', 0.0005],
  ] as const)("takes a trial's value by measurementSelection %s, the default best", async (measurementSelection, value) => {
    // With --drop-last the metric rises to x / 1000 at epoch 2, then falls back to half of it (trial 1: x = 1).
    const study = await backend.launch({
      name: `select-${measurementSelection ?? 'default'}`,
      maxTrials: 1,
      parallelTrials: 1,
      ...(measurementSelection ? { measurementSelection } : {}),
      trainerArgs: ['--sleep-ms=5', '--epochs=3', '--drop-last'],
    });
    expect(study.study.measurementSelection).toBe(measurementSelection ?? 'best');
    const result = await study.wait();
    expect(result.trials[0]?.parameters.x).toBe(1);
    expect(result.trials[0]?.finalMeasurement?.metrics.accuracy).toBeCloseTo(value, 6);
  });

  it('stop(): locally no new trial starts and the running one finishes; Vertex AI refuses and the job runs on', async () => {
    const study = await backend.launch({ name: 'stop', maxTrials: 2, parallelTrials: 1, trainerArgs: ['--sleep-ms=100', '--epochs=3'] });
    await new Promise<void>((resolve) => study.on('measurement', () => resolve()));
    if (backend.drains) {
      await study.stop();
      const error = await study.wait().catch((caught: unknown) => caught);
      expect((error as HptuneError).code).toBe('STUDY_CANCELLED');
      expect(study.study.state).toBe('CANCELLED');
      expect(study.trials().map((trial) => trial.state)).toEqual(['SUCCEEDED']);
    } else {
      const refusal = await study.stop().catch((caught: unknown) => caught);
      expect((refusal as HptuneError).code).toBe('STUDY_STOP_UNSUPPORTED');
      expect((refusal as HptuneError).message).toContain('cancel() cancels the job');
      const result = await study.wait();
      expect(result.study.state).toBe('COMPLETED');
    }
  });

  it('runs a random search to exactly maxTrials', async () => {
    const study = await backend.launch({ name: 'random', algorithm: 'random', maxTrials: 3, parallelTrials: 2, trainerArgs: ['--sleep-ms=5'] });
    const result = await study.wait();
    expect(result.trials).toHaveLength(3);
    expect(result.trials.every((trial) => trial.state === 'SUCCEEDED' && [1, 2, 3, 4].includes(trial.parameters.x as number))).toBe(true);
  });
});
