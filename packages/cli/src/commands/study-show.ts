import { countTrials, finalMetricValue, openStudy } from '@hptune/core';
import type { CliIo } from '../io.js';
import { speakAsInvoked } from '../invocation.js';
import { formatFailureDetail, formatMetric, formatParameters, formatTrialCounts, trialOutcomeWord } from '../reporters/format.js';
import { formatTrialTable } from '../reporters/summary.js';
import { bestTrialJson, trialJson } from '../reporters/trial-json.js';
import { studyFileOf } from '../study-file.js';

/** `hptune study show <name>`: a stored study's trials and best trial, as a table or `--json`; with `--config`, its study file. */
export function showStudyCommand(name: string, flags: { studyDir: string; json?: boolean; config?: boolean }, io: CliIo): number {
  const { study, status, trials, best, coordinator } = openStudy(name, { studyDir: flags.studyDir });
  if (flags.config) {
    io.stdout.write(JSON.stringify(studyFileOf(study), null, 2) + '\n');
    return 0;
  }
  const counts = countTrials(trials);
  // Studies stored before the option existed kept the last measurement.
  const measurementSelection = study.measurementSelection ?? 'last';
  if (flags.json) {
    io.stdout.write(
      JSON.stringify(
        {
          name: study.name,
          state: status,
          algorithm: study.algorithm,
          ...(study.sampler ? { sampler: study.sampler.name } : {}),
          metric: study.metric,
          measurementSelection,
          maxTrials: study.maxTrials,
          counts,
          directory: study.directory,
          trials: trials.map(trialJson),
          best: bestTrialJson(best),
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const lines = [
    `study ${study.name}: ${status}, ${study.sampler ? `custom search (sampler "${study.sampler.name}")` : `${study.algorithm} search`}, ${study.metric.goal} ${study.metric.id}, ${counts.done}/${study.maxTrials} done`,
    `trials: ${formatTrialCounts(counts)}`,
    `trial value: the ${measurementSelection} measurement of ${study.metric.id} (measurementSelection ${measurementSelection})`,
    `directory: ${study.directory}`,
  ];
  if (coordinator) lines.push(`coordinator: pid ${coordinator.pid} on ${coordinator.hostname} since ${coordinator.since} (${coordinator.liveness})`);
  lines.push('', formatTrialTable(trials, study.metric, best), '');
  if (status === 'INTERRUPTED') lines.push(`its coordinator is gone; continue it with: hptune study resume ${study.name}`);
  const failed = trials.filter((trial) => trialOutcomeWord(trial) === 'failed');
  if (counts.succeeded === 0 && failed.length > 0) {
    // No result to show: show why, from the last trial that failed.
    const last = failed.at(-1) as (typeof failed)[number];
    lines.push(`no trial succeeded; trial ${last.id} ${last.failure?.reason ?? 'failed'}:`, ...formatFailureDetail(last, study.directory));
  }
  if (best) lines.push(`best: trial ${best.id} ${study.metric.id}=${formatMetric(finalMetricValue(best, study.metric))} (${formatParameters(best.parameters)})`);
  io.stdout.write(speakAsInvoked(lines.join('\n') + '\n', io.env));
  return 0;
}
