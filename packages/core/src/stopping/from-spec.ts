import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from '../errors.js';
import { asha } from './asha.js';
import { decayCurve } from './decay-curve.js';
import { hyperband } from './hyperband.js';
import { median } from './median.js';
import type { EarlyStoppingKind, EarlyStoppingSpec, StoppingRule } from './types.js';

/** The rules hptune builds from their stored settings, in the order the CLI lists them. */
export const EARLY_STOPPING_KINDS: readonly EarlyStoppingKind[] = ['median', 'asha', 'hyperband', 'decay-curve'];

/**
 * Rebuilds a rule from its stored settings (`StudyDefinition.earlyStopping`), as a resumed study does.
 * @throws ValidationError for a kind hptune does not know (a rule written outside hptune: pass it again) or bad settings.
 */
export function stoppingRuleFromSpec(spec: EarlyStoppingSpec): StoppingRule {
  const { kind, ...settings } = spec as { kind: string } & Record<string, unknown>;
  switch (kind) {
    case 'median':
      return median(settings);
    case 'asha':
      return asha(settings as { maxStep: number });
    case 'hyperband':
      return hyperband(settings as { maxStep: number });
    case 'decay-curve':
      return decayCurve(settings);
    default:
      throw new ValidationError({
        field: 'earlyStopping',
        value: spec,
        problem: 'is a stopping rule hptune does not know, so it cannot rebuild it from the stored study',
        fix: `pass the rule again (resumeStudy(name, { earlyStopping: myRule })), or use one of ${EARLY_STOPPING_KINDS.join(', ')}`,
      });
  }
}

/**
 * Checks a value given as `earlyStopping`: a rule (`median()`, `asha({...})`, `hyperband({...})`, `decayCurve()` or one
 * written outside hptune) whose `spec` is plain JSON with a `kind`.
 * @throws ValidationError naming `earlyStopping` and the fix.
 */
export function validateStoppingRule(rule: unknown): StoppingRule {
  const candidate = rule as Partial<StoppingRule> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.decide !== 'function' || typeof candidate.spec !== 'object' || candidate.spec === null) {
    throw new ValidationError({ field: 'earlyStopping', value: rule, problem: 'is not a stopping rule', fix: 'pass median(), asha({ maxStep }), hyperband({ maxStep }) or decayCurve(), or leave it unset' });
  }
  const spec = candidate.spec as { kind?: unknown };
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(spec));
  } catch {
    copy = undefined;
  }
  if (typeof spec.kind !== 'string' || spec.kind === '' || !isDeepStrictEqual(copy, spec)) {
    throw new ValidationError({ field: 'earlyStopping.spec', value: spec, problem: 'is not plain JSON with a kind', fix: 'give the rule a spec of JSON values, e.g. { kind: "my-rule", patience: 3 }, so the study can store it' });
  }
  return candidate as StoppingRule;
}
