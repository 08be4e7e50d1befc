import type { ParameterValue } from '../../space/types.js';
import { sameValue } from '../../space/validate.js';
import type { FrozenTrial } from '../../study/types.js';
import type { ParameterGroup } from './groups.js';

/**
 * How many trials every branch of a parent keeps, as a multiple of `√n` for the `n` trials in
 * which the parent was active: `⌈BRANCH_FLOOR · √n⌉`. Chosen on the tuning half and the extra
 * tuning problems of `pnpm bench:search` (issue 22, third round): 1 was at or below the model
 * alone on every conditional problem there at 60 trials; 2 and 3 spent too much on branches that
 * were bad.
 */
export const BRANCH_FLOOR = 1;

/**
 * The value a parent should take because one of its branches (the child group of one of its
 * conditions) has had fewer than `⌈BRANCH_FLOOR · √n⌉` of the `n` trials in which the parent was
 * active, or `undefined` when every branch has had its share.
 *
 * Why: a branch's trials measure its children as much as the branch. Under a branch whose
 * children are still untuned they look bad, so a model that judges a branch by its trials stops
 * choosing it and never tunes its children. A floor that grows as `√n` gives every branch
 * trials without end (no branch is lost for good) at a share that shrinks as `1/√n` (a bad
 * branch costs less and less). Trials still running count as tried, so parallel workers do not
 * pile onto one branch. Of the branches below their floor, the one with the fewest trials is
 * served (the first declared on a tie), with its least-tried value (the first on a tie):
 * deterministic, so a resumed study continues as it would have.
 */
export function underTriedBranchValue(group: ParameterGroup, parent: number, trials: readonly FrozenTrial[]): ParameterValue | undefined {
  const id = (group.dimensions[parent] as { id: string }).id;
  const branches = group.children.filter((child) => child.parent === parent).map((child) => child.parentValues);
  const branchCounts = branches.map(() => 0);
  const valueCounts = new Map<ParameterValue, number>();
  let active = 0;
  for (const trial of trials) {
    if (!Object.hasOwn(trial.parameters, id)) continue;
    const value = trial.parameters[id] as ParameterValue;
    active += 1;
    branches.forEach((values, index) => {
      const match = values.find((candidate) => sameValue(candidate, value));
      if (match === undefined) return;
      branchCounts[index] = (branchCounts[index] as number) + 1;
      valueCounts.set(match, (valueCounts.get(match) ?? 0) + 1);
    });
  }
  const floor = Math.ceil(BRANCH_FLOOR * Math.sqrt(active));
  let neglected = -1;
  branchCounts.forEach((count, index) => {
    if (count < floor && (neglected === -1 || count < (branchCounts[neglected] as number))) neglected = index;
  });
  if (neglected === -1) return undefined;
  const values = branches[neglected] as readonly ParameterValue[];
  return values.reduce((least, value) => ((valueCounts.get(value) ?? 0) < (valueCounts.get(least) ?? 0) ? value : least));
}
