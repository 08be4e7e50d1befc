import type { FrozenTrial, ParameterSpecJSON, SearchSpaceJSON } from '@hptune/core';
import type { ReportParameter } from './types.js';

/**
 * The parameters to draw: those of the search space in its order (conditional children after
 * their parent's siblings), then any a trial took that the space does not name. Without a space
 * (a Vertex AI job), a parameter with any string value is categorical, one with only numbers numeric.
 */
export function reportParameters(space: SearchSpaceJSON | undefined, trials: readonly FrozenTrial[]): ReportParameter[] {
  const out = new Map<string, ReportParameter>();
  if (space) addSpecs(out, space.parameters);
  const seen = new Map<string, (string | number)[]>();
  for (const trial of trials) {
    for (const [id, value] of Object.entries(trial.parameters)) {
      if (out.has(id)) continue;
      const values = seen.get(id) ?? [];
      if (!values.includes(value)) values.push(value);
      seen.set(id, values);
    }
  }
  for (const [id, values] of seen) {
    out.set(
      id,
      values.some((value) => typeof value === 'string') ? { id, kind: 'categorical', values: values.map(String) } : { id, kind: 'numeric', scale: 'linear' },
    );
  }
  return [...out.values()];
}

function addSpecs(out: Map<string, ReportParameter>, specs: Readonly<Record<string, ParameterSpecJSON>>): void {
  const children: Record<string, ParameterSpecJSON>[] = [];
  for (const [id, spec] of Object.entries(specs)) {
    if (!out.has(id)) out.set(id, parameterOf(id, spec));
    if ('conditions' in spec && spec.conditions) children.push(...spec.conditions.map((condition) => condition.parameters));
  }
  for (const group of children) addSpecs(out, group);
}

function parameterOf(id: string, spec: ParameterSpecJSON): ReportParameter {
  if (spec.kind === 'categorical') return { id, kind: 'categorical', values: [...spec.values] };
  // A reverse-log scale samples densely near the maximum; a plain axis shows that best.
  return { id, kind: 'numeric', scale: spec.scale === 'log' ? 'log' : 'linear' };
}
