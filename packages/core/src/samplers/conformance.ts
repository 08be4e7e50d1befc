/**
 * The conformance suite every {@link Sampler} passes, exported from `@hptune/core/testing` so a
 * sampler written outside hptune can be checked the same way: call
 * {@link describeSamplerConformance} from a vitest test file.
 */
import { describe, expect, test } from 'vitest';
import { categorical, discrete, integer, searchSpace } from '../space/builder.js';
import { combinationKey, gridSize } from '../space/grid.js';
import { validateParameters } from '../space/parameters.js';
import { seedSearchSpace } from '../space/seed.js';
import type { SearchSpace, TrialParameters } from '../space/types.js';
import type { FrozenTrial, TrialState } from '../study/types.js';
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

const SPACES: ReadonlyArray<readonly [string, SearchSpace]> = [
  ['the seed space', seedSearchSpace],
  ['a space with conditional children', conditionalSpace],
];

function trial(id: number, parameters: TrialParameters, state: TrialState = 'SUCCEEDED'): FrozenTrial {
  return { id: String(id), state, parameters, measurements: [] };
}

/** Runs a study to `count` trials (or until the sampler is exhausted), each trial SUCCEEDED before the next. */
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
  /** A fresh sampler over `space` with `seed`; the suite calls it once or twice per test. */
  create(options: { readonly space: SearchSpace; readonly seed: number }): Sampler;
  /**
   * Whether the sampler runs out once it has suggested every combination of a grid-searchable
   * space exactly once, as grid search does; a sampler that is not exhaustive must never run out.
   */
  readonly exhaustive: boolean;
}

/**
 * Runs the {@link Sampler} contract (deterministic for a seed, resumable from its trials alone,
 * valid parameters with conditional children exactly when active, trials left unchanged,
 * exhaustion) over the samplers `options.create` makes, as vitest tests under `label`.
 */
export function describeSamplerConformance(label: string, options: SamplerConformanceOptions): void {
  const { create, exhaustive } = options;
  describe(`Sampler conformance: ${label}`, () => {
    describe.each(SPACES)('over %s', (_name, space) => {
      const size = gridSize(space);

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
      const sampler = create({ space: seedSearchSpace, seed: 1 });
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
