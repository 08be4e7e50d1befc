/**
 * The conformance suite every {@link StoppingRule} passes, exported from `@hptune/core/testing` so a
 * rule written outside hptune can be checked the same way: call
 * {@link describeStoppingRuleConformance} from a vitest test file.
 */
import { describe, expect, test } from 'vitest';
import type { FrozenTrial, Measurement, MetricSpec } from '../study/types.js';
import type { StoppingContext, StoppingRule } from './types.js';

/** How {@link describeStoppingRuleConformance} makes the rule under test. */
export interface StoppingRuleConformanceOptions {
  /** A fresh rule for trials whose last step is `maxStep` (9 in this suite); the suite calls it once or twice per test. */
  create(options: { readonly maxStep: number }): StoppingRule;
}

const MAX_STEP = 9;
const GOALS: readonly MetricSpec[] = [
  { id: 'accuracy', goal: 'maximize' },
  { id: 'loss', goal: 'minimize' },
];

/** A learning curve that rises from `start` towards `end` over the steps (falls, for a metric to minimize). */
function curve(start: number, end: number, steps = MAX_STEP): number[] {
  return Array.from({ length: steps }, (_, index) => start + ((end - start) * (1 - Math.exp(-(index + 1) / 2.5))) / (1 - Math.exp(-MAX_STEP / 2.5)));
}

function measurementsOf(values: readonly number[], metric: MetricSpec): Measurement[] {
  return values.map((value, index) => ({ step: index + 1, metrics: { [metric.id]: value, other: index }, elapsedSeconds: index + 1 }));
}

function finished(id: number, values: readonly number[], metric: MetricSpec): FrozenTrial {
  const measurements = measurementsOf(values, metric);
  return { id: String(id), state: 'SUCCEEDED', parameters: { x: id }, measurements, finalMeasurement: measurements.at(-1) as Measurement };
}

function running(id: number, values: readonly number[], metric: MetricSpec): FrozenTrial {
  return { id: String(id), state: 'ACTIVE', parameters: { x: id }, measurements: measurementsOf(values, metric) };
}

/** For a metric to minimize, the same story told in losses: 1 - accuracy. */
const oriented = (values: readonly number[], metric: MetricSpec) => (metric.goal === 'maximize' ? values : values.map((value) => 1 - value));

/** Twelve finished trials with curves ending between 0.60 and 0.82, the middle of the pack. */
function history(metric: MetricSpec): FrozenTrial[] {
  return Array.from({ length: 12 }, (_, index) => finished(index + 1, oriented(curve(0.3 + index * 0.01, 0.6 + index * 0.02), metric), metric));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Asks the rule after each step of `values` in turn; the first step at which it stops, or `undefined`. */
function stopsAt(rule: StoppingRule, values: readonly number[], others: readonly FrozenTrial[], metric: MetricSpec): number | undefined {
  for (let step = 1; step <= values.length; step += 1) {
    if (rule.decide({ trial: running(99, values.slice(0, step), metric), others, metric }).stop) return step;
  }
  return undefined;
}

/**
 * Runs the {@link StoppingRule} contract (a JSON spec with a kind, deterministic decisions that do
 * not depend on what was asked before, inputs left unchanged, nothing stopped without a measurement
 * of the metric or without other trials, the best trial never stopped, a hopeless one stopped before
 * its last step, for a metric to maximize and one to minimize) over the rules `options.create` makes,
 * as vitest tests under `label`.
 */
export function describeStoppingRuleConformance(label: string, options: StoppingRuleConformanceOptions): void {
  const create = () => options.create({ maxStep: MAX_STEP });
  describe(`StoppingRule conformance: ${label}`, () => {
    test('has a spec of plain JSON with a kind, the same for two rules made alike', () => {
      const { spec } = create();
      expect(typeof spec.kind).toBe('string');
      expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
      expect(create().spec).toEqual(spec);
    });

    describe.each(GOALS)('for $id to $goal', (metric) => {
      test('stops a hopeless trial before its last step', () => {
        const hopeless = oriented(curve(0.1, 0.3), metric);
        const step = stopsAt(create(), hopeless, history(metric), metric);
        expect(step).toBeDefined();
        expect(step).toBeLessThan(MAX_STEP);
      });

      test('never stops a trial better than every other at every step', () => {
        const best = oriented(curve(0.5, 0.95), metric);
        expect(stopsAt(create(), best, history(metric), metric)).toBeUndefined();
      });

      test('never stops a trial when no other trial has run', () => {
        expect(stopsAt(create(), oriented(curve(0.1, 0.3), metric), [], metric)).toBeUndefined();
      });

      test('never stops a trial without measurements, or whose newest lacks the metric', () => {
        const rule = create();
        const others = history(metric);
        expect(rule.decide({ trial: running(99, [], metric), others, metric }).stop).toBe(false);
        const hopeless = running(99, oriented(curve(0.1, 0.3), metric), metric);
        const withoutMetric = { ...hopeless, measurements: [...hopeless.measurements, { step: MAX_STEP - 1, metrics: { other: 1 }, elapsedSeconds: 20 }] };
        expect(rule.decide({ trial: withoutMetric, others, metric }).stop).toBe(false);
      });

      test('decides the same for the same trials, whatever it was asked before and by whom', () => {
        const others = history(metric);
        const trials = [0.1, 0.35, 0.5, 0.7].map((start, index) => oriented(curve(start, start + 0.25), metric).slice(0, 2 + index * 2));
        const contexts: StoppingContext[] = trials.map((values) => ({ trial: running(99, values, metric), others, metric }));
        const first = create();
        const forwards = contexts.map((context) => first.decide(context));
        const again = contexts.map((context) => first.decide(context));
        const backwards = [...contexts].reverse().map((context) => create().decide(context)).reverse();
        expect(again).toEqual(forwards);
        expect(backwards).toEqual(forwards);
      });

      test('leaves the trials it is shown unchanged', () => {
        const others = deepFreeze(history(metric));
        const trial = deepFreeze(running(99, oriented(curve(0.1, 0.3), metric).slice(0, 4), metric));
        const copy = structuredClone({ trial, others });
        create().decide({ trial, others, metric });
        expect({ trial, others }).toEqual(copy);
      });
    });
  });
}
