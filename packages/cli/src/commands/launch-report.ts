import type { FrozenTrial, MetricSpec, StudyHandleOf, TrialParameters } from '@hptune/core';
import type { PreflightWarning, VertexBackend, VertexJob } from '@hptune/core/vertex';
import { LAUNCH_FLAGS, toFlagWording } from '../flag-names.js';
import type { CliIo } from '../io.js';
import { formatMetric, formatParameters } from '../reporters/format.js';
import { formatTrialTable } from '../reporters/summary.js';

/** `12:03:45`: the local time of a line, so a long debug-sync log reads as a timeline. */
function clock(now: Date = new Date()): string {
  return now.toTimeString().slice(0, 8);
}

function metricLine(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([id, value]) => `${id}=${formatMetric(value)}`)
    .join(' ');
}

/** Prints preflight warnings on stderr, one line each. */
export function printWarnings(warnings: readonly PreflightWarning[], io: CliIo): void {
  for (const warning of warnings) io.stderr.write(`hptune: warning: ${toFlagWording(warning.message, LAUNCH_FLAGS)}\n`);
}

/**
 * Prints every change of a job and its trials as one line on stdout (`--debug-sync`): job states,
 * new trials with their parameters, measurements, trials that succeeded with their final metric,
 * and trials that failed with the reason, the moment the poll sees them.
 */
export function printJobEvents(handle: StudyHandleOf<TrialParameters, VertexBackend>, io: CliIo): void {
  const write = (line: string) => io.stdout.write(`[${clock()}] ${line}\n`);
  handle.on('jobState', ({ job }) => write(`job ${job.state}`));
  handle.on('trialStarted', ({ trial }) => write(`trial ${trial.id} started: ${formatParameters(trial.parameters)}`));
  handle.on('measurement', ({ trial, measurement }) => write(`trial ${trial.id} step ${measurement.step}: ${metricLine(measurement.metrics)}`));
  handle.on('trialCompleted', ({ trial }) => {
    if (trial.state === 'SUCCEEDED') write(`trial ${trial.id} SUCCEEDED: ${metricLine(trial.finalMeasurement?.metrics ?? {})}`);
    else write(`trial ${trial.id} ${trial.state}: ${trial.failure?.reason ?? 'no reason given'}`);
  });
}

/** The closing block of a job: trials table, counts and the best trial. */
export function formatJobSummary(job: VertexJob, best: FrozenTrial | undefined): string {
  const metric: MetricSpec = job.metric ?? { id: 'accuracy', goal: 'maximize' };
  const succeeded = job.trials.filter((trial) => trial.state === 'SUCCEEDED').length;
  const failed = job.trials.filter((trial) => trial.state === 'INFEASIBLE').length;
  const lines = [
    `job ${job.name}: ${job.state}, ${succeeded} succeeded, ${failed} failed, ${job.trials.length}/${job.maxTrialCount} trials`,
  ];
  if (job.error?.message) lines.push(`error: ${job.error.message}`);
  if (job.trials.length > 0) lines.push('', formatTrialTable(job.trials, metric, best), '');
  if (best) lines.push(`best: trial ${best.id} ${metric.id}=${formatMetric(best.finalMeasurement?.metrics[metric.id])} (${formatParameters(best.parameters)})`);
  lines.push(`console: ${job.consoleUrl}`);
  return lines.join('\n') + '\n';
}
