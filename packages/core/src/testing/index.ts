/**
 * `@hptune/core/testing`: the conformance suites hptune's own samplers, stopping rules, study stores and blob stores
 * pass, for checking an implementation written outside hptune against the same contract.
 *
 * The suites are vitest tests (vitest is an optional peer dependency): call one at the top level of
 * a test file and run it with `vitest run`, e.g.
 *
 * ```ts
 * import { describeBlobStoreConformance } from '@hptune/core/testing';
 * describeBlobStoreConformance('my store', async () => {
 *   const store = await openMyStore();
 *   return { store, cleanup: () => store.destroy() };
 * });
 * ```
 */
export { describeBlobStoreConformance, type BlobStoreConformanceSubject } from '@hptune/outputs/testing';
export { describeSamplerConformance, type SamplerConformanceOptions } from '../samplers/conformance.js';
export { describeStoppingRuleConformance, type StoppingRuleConformanceOptions } from '../stopping/conformance.js';
export { describeStudyStoreConformance, type StudyStoreConformanceSubject } from '../study-store/conformance.js';
export type {
  AcquireLeaseOptions,
  InterruptedTrial,
  LeaseGrant,
  LeaseOwner,
  StudyLease,
  StudyRecord,
  StudyStore,
  TrialOutcome,
  TrialProcess,
} from '../study-store/types.js';
