/**
 * The conformance suite every {@link Sampler} passes, exported from `@hptune/core/testing` so a
 * sampler written outside hptune can be checked the same way: call
 * {@link describeSamplerConformance} from a vitest test file.
 */
import { describe, expect, test } from 'vitest';
import { categorical, discrete, double, integer, searchSpace } from '../space/builder.js';
import { combinationKey, gridSize } from '../space/grid.js';
import { validateParameters } from '../space/parameters.js';
import { exampleSearchSpace } from '../testing/example-space.js';
import type { SearchSpace, TrialParameters } from '../space/types.js';
import type { FrozenTrial, MetricSpec } from '../study/types.js';
import type { Sampler } from './types.js';

/** A space with conditional children at two depths, every kind a grid can take. */
const conditionalSpace = searchSpace({
  optimizer: categorical(['sgd', 'adam', 'rmsprop'], {
    when: [
      { parentValues: ['sgd', 'rmsprop'], parameters: { momentum: discrete([0, 0.9]) } },
      { parentValues: ['adam'], parameters: { amsgrad: categorical(['yes', 'no'], { when: [{ parentValues: ['yes'], parameters: { beta: discrete([0.9, 0.999]) } }] }) } },
    ],
  }),
  layers: integer(1, 3, { when: [{ parentValues: [3], parameters: { width: discrete([64, 128]) } }] }),
});

/** Every kind and every scale, a conditional child under a categorical parent; no grid can search it. */
const everyKindSpace = searchSpace({
  learning_rate: double(1e-5, 1e-1, { scale: 'log' }),
  momentum: double(0.5, 0.999, { scale: 'reverse-log' }),
  dropout: double(0, 0.5),
  units: integer(8, 512, { scale: 'log' }),
  decay_steps: integer(10, 1000, { scale: 'reverse-log' }),
  layers: integer(1, 4),
  batch_size: discrete([16, 32, 64, 128, 256], { scale: 'log' }),
  smoothing: discrete([0.5, 0.9, 0.99], { scale: 'reverse-log' }),
  warmup: discrete([0, 100, 1000]),
  optimizer: categorical(['sgd', 'adam'], { when: [{ parentValues: ['sgd'], parameters: { nesterov: categorical(['yes', 'no']) } }] }),
});

/** The spaces the suite runs over; `grid` whether grid search can search it, and for how many trials otherwise. */
const SPACES: ReadonlyArray<readonly [string, { readonly space: SearchSpace; readonly grid: boolean }]> = [
  ['the example space', { space: exampleSearchSpace, grid: true }],
  ['a space with conditional children', { space: conditionalSpace, grid: true }],
  ['a space with every kind and scale', { space: everyKindSpace, grid: false }],
];

/** Trials a non-exhaustive sampler runs over a space grid search cannot search: past any start-up phase of random trials. */
const OPEN_SPACE_TRIALS = 30;

/** The metric every trial of the suite reports. */
const METRIC: MetricSpec = { id: 'objective', goal: 'minimize' };

/**
 * A made-up objective of the parameters, so that samplers that learn from trials have something to
 * learn: numbers by their magnitude, strings by their length.
 */
function objective(parameters: TrialParameters): number {
  let total = 0;
  for (const value of Object.values(parameters)) total += typeof value === 'number' ? Math.log1p(Math.abs(value)) : value.length / 3;
  return total;
}

function trial(id: number, parameters: TrialParameters): FrozenTrial {
  const measurement = { step: 1, metrics: { [METRIC.id]: objective(parameters) }, elapsedSeconds: 1 };
  return { id: String(id), state: 'SUCCEEDED', parameters, measurements: [measurement], finalMeasurement: measurement };
}

/** Runs a study to `count` trials (or until the sampler is exhausted), each trial SUCCEEDED with the objective before the next. */
function run(sampler: Sampler, count: number, before: readonly FrozenTrial[] = []): FrozenTrial[] {
  const trials = [...before];
  while (trials.length < count) {
    const parameters = sampler.suggest(trials);
    if (parameters === undefined) break;
    trials.push(trial(trials.length + 1, parameters));
  }
  return trials;
}

/** The conditional children a combination must carry, decided from its parents' values. */
function expectedChildren(parameters: TrialParameters): string[] {
  const children: string[] = [];
  if (parameters['optimizer'] === 'sgd' || parameters['optimizer'] === 'rmsprop') children.push('momentum');
  if (parameters['optimizer'] === 'adam') children.push('amsgrad');
  if (parameters['amsgrad'] === 'yes') children.push('beta');
  if (parameters['layers'] === 3) children.push('width');
  return children.sort();
}

/** How {@link describeSamplerConformance} makes the sampler under test. */
export interface SamplerConformanceOptions {
  /** A fresh sampler over `space` with `seed`, for a study of `metric`; the suite calls it once or twice per test. */
  create(options: { readonly space: SearchSpace; readonly seed: number; readonly metric: MetricSpec }): Sampler;
  /**
   * Whether the sampler runs out once it has suggested every combination of a grid-searchable
   * space exactly once, as grid search does; a sampler that is not exhaustive must never run out.
   */
  readonly exhaustive: boolean;
}

/**
 * Runs the {@link Sampler} contract (deterministic for a seed, resumable from its trials alone,
 * valid parameters within bounds with conditional children exactly when active, every kind and
 * scale, trials left unchanged, exhaustion) over the samplers `options.create` makes, as vitest
 * tests under `label`. Trials succeed at once with a made-up metric (`objective`, minimized), so
 * samplers that learn from trials are exercised past their start-up.
 */
export function describeSamplerConformance(label: string, options: SamplerConformanceOptions): void {
  const { exhaustive } = options;
  const create = (settings: { readonly space: SearchSpace; readonly seed: number }): Sampler => options.create({ ...settings, metric: METRIC });
  describe(`Sampler conformance: ${label}`, () => {
    // An exhaustive sampler (grid search) refuses a space without a finite grid.
    describe.each(SPACES.filter(([, { grid }]) => grid || !exhaustive))('over %s', (_name, { space, grid }) => {
      const size = grid ? gridSize(space) : OPEN_SPACE_TRIALS;

      test('is deterministic for a seed: two samplers give the same sequence', () => {
        const first = run(create({ space, seed: 17 }), size);
        const second = run(create({ space, seed: 17 }), size);
        expect(second.map((t) => t.parameters)).toEqual(first.map((t) => t.parameters));
        expect(first.length).toBe(size);
      });

      test('continues the same sequence when resumed from the trials alone', () => {
        const straight = run(create({ space, seed: 5 }), size);
        const half = run(create({ space, seed: 5 }), Math.floor(size / 2));
        const resumed = run(create({ space, seed: 5 }), size, half);
        expect(resumed.map((t) => t.parameters)).toEqual(straight.map((t) => t.parameters));
      });

      test('suggests only valid parameters, with conditional children present exactly when active', () => {
        for (const { parameters } of run(create({ space, seed: 3 }), size)) {
          validateParameters(space, parameters);
          if (space === conditionalSpace) {
            const children = Object.keys(parameters).filter((id) => id !== 'optimizer' && id !== 'layers').sort();
            expect(children).toEqual(expectedChildren(parameters));
          }
        }
      });

      test('does not change the trials it is shown', () => {
        const trials = Object.freeze(run(create({ space, seed: 2 }), 3).map((t) => Object.freeze(t)));
        const copy = structuredClone(trials);
        create({ space, seed: 2 }).suggest(trials);
        expect(trials).toEqual(copy);
      });
    });

    test(exhaustive ? 'is exhausted after every combination exactly once' : 'never runs out', () => {
      const sampler = create({ space: exampleSearchSpace, seed: 1 });
      const trials = run(sampler, 40);
      if (exhaustive) {
        expect(trials).toHaveLength(27);
        expect(new Set(trials.map((t) => combinationKey(t.parameters))).size).toBe(27);
        expect(sampler.suggest(trials)).toBeUndefined();
      } else {
        expect(trials).toHaveLength(40);
        expect(sampler.suggest(trials)).toBeDefined();
      }
    });
  });
}
