export { createMemoryStudyStore } from './memory.js';
export { openSqliteStudyStore, STUDY_STORE_SCHEMA_VERSION, type SqliteStudyStoreOptions } from './sqlite.js';
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
} from './types.js';
