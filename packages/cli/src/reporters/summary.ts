import { countTrials, finalMetricValue as finalMetric, type FrozenTrial, type MetricSpec } from '@hptune/core';
import { formatDuration, formatMetric, formatParameterValue, formatParameters, formatStoppedEarly, formatTable, formatTrialCounts, trialOutcomeWord } from './format.js';
import type { StudySummary } from './types.js';

/**
 * The table of trials printed at the end of a run and by `hptune study show`, by id, the best
 * marked. A cancelled or interrupted trial (stored INFEASIBLE, to be run again) shows CANCELLED or
 * INTERRUPTED in the state column, as the counts and the progress lines say; `--json` keeps the
 * stored state.
 */
export function formatTrialTable(trials: readonly FrozenTrial[], metric: MetricSpec, best?: FrozenTrial): string {
  const parameterIds = [...new Set(trials.flatMap((trial) => Object.keys(trial.parameters)))];
  const ordered = [...trials].sort((a, b) => Number(a.id) - Number(b.id));
  const rows = ordered.map((trial) => [
    `${trial.id}${trial.id === best?.id ? ' *' : ''}`,
    stateColumn(trial),
    ...parameterIds.map((id) => (id in trial.parameters ? formatParameterValue(trial.parameters[id]) : '')),
    formatMetric(finalMetric(trial, metric)),
    String(trial.measurements.reduce((last, measurement) => Math.max(last, measurement.step), 0)),
    formatStoppedEarly(trial) ?? trial.failure?.reason ?? '',
  ]);
  return formatTable(['trial', 'state', ...parameterIds, metric.id, 'steps', 'note'], rows);
}

function stateColumn(trial: FrozenTrial): string {
  const outcome = trialOutcomeWord(trial);
  return outcome === 'cancelled' || outcome === 'interrupted' ? outcome.toUpperCase() : trial.state;
}

/** The closing block of a study run: the table, the best trial and where things are. */
export function formatStudySummary(summary: StudySummary): string {
  const { header, trials, best } = summary;
  const stopped = trials.filter((trial) => trial.stoppedEarly).length;
  const lines = [
    '',
    formatTrialTable(trials, header.metric, best),
    '',
    `study ${header.name} ${summary.outcome.toLowerCase()} in ${formatDuration(summary.elapsedSeconds)}: ${formatTrialCounts(countTrials(trials))}` +
      (stopped > 0 ? `; ${stopped} stopped early` : ''),
  ];
  if (best) {
    lines.push(
      `best: trial ${best.id} ${header.metric.id}=${formatMetric(finalMetric(best, header.metric))} (${formatParameters(best.parameters)})`,
    );
  }
  for (const note of summary.notes ?? []) lines.push(`note: ${note}`);
  lines.push(`study directory: ${header.studyDir}/${header.name}`);
  return lines.join('\n') + '\n';
}
