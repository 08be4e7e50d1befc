/**
 * The Vertex AI fixtures: the JobService server, and checks of messages against the real protos.
 * @module
 */
export {
  startJobServiceFixture,
  type JobServiceFixture,
  type JobServiceFixtureOptions,
  type RecordedCall,
  type SimulatedTrialOutcome,
} from './job-service-fixture.js';
export type { LocalEntrypoint, TrialExecutorOptions } from './trial-executor.js';
export type { HyperparameterTuningJobMessage, ParameterSpecMessage, TrialMessage } from './messages.js';
export { gaxGrpc, loadJobServiceDefinition, protoRoundTrip, type ProtoRoundTrip } from './protos.js';
export { gridCombinations, type SuggestedParameters } from './suggest.js';
