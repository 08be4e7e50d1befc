/**
 * `@hptune/outputs/testing`: the conformance suite every blob store passes, for vitest test files
 * (vitest is an optional peer dependency). Also exported from `@hptune/core/testing`.
 */
export { describeBlobStoreConformance, type BlobStoreConformanceSubject } from './blob/conformance.js';
