import type { StoredStudy } from '@hptune/core';
import { JOB_STATES_COMPLETE, type VertexJob } from '@hptune/core/vertex';
import type { ReportSource } from './types.js';

/** Whether a local study is running: ACTIVE, and its coordinator not known to be dead. */
export function isStudyRunning({ study, coordinator }: Pick<StoredStudy, 'study' | 'coordinator'>): boolean {
  return study.state === 'ACTIVE' && coordinator?.liveness !== 'dead';
}

/** A local study, as `openStudy` reads it, as a report source. */
export function reportSourceFromStudy(stored: StoredStudy): ReportSource {
  const { study, trials, coordinator } = stored;
  const details: [string, string][] = [['directory', study.directory]];
  if (coordinator) details.push(['coordinator', `pid ${coordinator.pid} on ${coordinator.hostname} since ${coordinator.since} (${coordinator.liveness})`]);
  const { earlyStopping } = study;
  return {
    name: study.name,
    backend: 'local',
    state: study.state,
    running: isStudyRunning(stored),
    metric: study.metric,
    algorithm: study.algorithm,
    ...(earlyStopping !== undefined ? { earlyStopping } : {}),
    maxTrials: study.maxTrials,
    parallelTrials: study.parallelTrials,
    space: study.space,
    trials,
    createTime: study.createTime,
    updateTime: study.updateTime,
    details,
  };
}

/**
 * A Vertex AI HyperparameterTuningJob, as `VertexJobClient.getJob` reads it, as a report source.
 * The job records no search space, so parameters are inferred from the trials; Vertex AI's own
 * automated early stopping is not reported per trial.
 */
export function reportSourceFromVertexJob(job: VertexJob): ReportSource {
  const details: [string, string][] = [
    ['job', job.name],
    ['console', job.consoleUrl],
  ];
  if (job.error) details.push(['error', `${job.error.code}: ${job.error.message}`]);
  return {
    name: job.displayName,
    backend: 'vertex',
    state: job.state,
    running: !JOB_STATES_COMPLETE.has(job.state),
    ...(job.metric ? { metric: job.metric } : {}),
    // hptune's job view does not carry the study spec's algorithm: say where to find it.
    algorithm: "the job's studySpec",
    maxTrials: job.maxTrialCount,
    parallelTrials: job.parallelTrialCount,
    trials: job.trials,
    ...(job.createTime ? { createTime: job.createTime } : {}),
    ...(job.updateTime ? { updateTime: job.updateTime } : {}),
    details,
  };
}
