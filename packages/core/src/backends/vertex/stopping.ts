import { ValidationError } from '../../errors.js';
import { DEFAULT_DECAY_CURVE_STARTUP_TRIALS } from '../../stopping/decay-curve.js';
import { DEFAULT_MEDIAN_STARTUP_TRIALS } from '../../stopping/median.js';
import type { EarlyStoppingSpec } from '../../stopping/types.js';

/** The automated stopping rules of Vertex AI (Vizier) that hptune sets: `median` and `decay-curve`. */
export type VertexEarlyStopping = 'median' | 'decay-curve';

/** A `StudySpec.medianAutomatedStoppingSpec` or `decayCurveStoppingSpec` (they share one field). */
export interface VertexStoppingSpec {
  /** Judge trials by elapsed time instead of steps; hptune's trainers report a step per epoch, so false. */
  useElapsedDuration?: boolean;
}

/**
 * The Vertex AI rule for a study's early-stopping settings: `median()` is Vizier's median rule,
 * `decayCurve()` its decay-curve rule. ASHA, Hyperband and rules written outside hptune have no Vertex
 * counterpart, and Vizier's rules take no start-up or warm-up settings, so those are refused.
 * @throws ValidationError naming `earlyStopping`, and `median` and `decay-curve` as what Vertex AI runs.
 */
export function vertexEarlyStopping(spec: EarlyStoppingSpec | undefined): VertexEarlyStopping | undefined {
  if (spec === undefined) return undefined;
  const fix = 'use median() or decayCurve() (hptune launch --early-stopping median|decay-curve), Vertex AI\'s automated stopping rules, or run the study locally';
  if (spec.kind === 'median') {
    if (spec['startupTrials'] !== DEFAULT_MEDIAN_STARTUP_TRIALS || spec['warmupSteps'] !== 0) {
      throw new ValidationError({ field: 'earlyStopping', value: spec, problem: "sets median's startupTrials or warmupSteps, which Vertex AI's median rule does not take", fix: 'pass median() without options on Vertex AI' });
    }
    return 'median';
  }
  if (spec.kind === 'decay-curve') {
    if (spec['startupTrials'] !== DEFAULT_DECAY_CURVE_STARTUP_TRIALS) {
      throw new ValidationError({ field: 'earlyStopping', value: spec, problem: "sets decayCurve's startupTrials, which Vertex AI's decay-curve rule does not take", fix: 'pass decayCurve() without options on Vertex AI' });
    }
    return 'decay-curve';
  }
  const problem =
    spec.kind === 'asha' || spec.kind === 'hyperband'
      ? `is ${spec.kind === 'asha' ? 'ASHA' : 'Hyperband'}, which Vertex AI does not run (its automated stopping rules are median and decay-curve)`
      : `is a rule Vertex AI does not run (${JSON.stringify(spec.kind)})`;
  throw new ValidationError({ field: 'earlyStopping', value: spec, problem, fix });
}
