import { finalMetricValue, openStudy } from '@hptune/core';
import type { CliIo } from '../io.js';
import { formatMetric, formatParameters } from '../reporters/format.js';
import { formatTrialTable } from '../reporters/summary.js';
import { bestTrialJson, trialJson } from '../reporters/trial-json.js';
import { studyFileOf } from '../study-file.js';

/** `hptune study show <name>`: a stored study's trials and best trial, as a table or `--json`; with `--config`, its study file. */
export function showStudyCommand(name: string, flags: { studyDir: string; json?: boolean; config?: boolean }, io: CliIo): number {
  const { study, trials, best, coordinator } = openStudy(name, { studyDir: flags.studyDir });
  if (flags.config) {
    io.stdout.write(JSON.stringify(studyFileOf(study), null, 2) + '\n');
    return 0;
  }
  if (flags.json) {
    io.stdout.write(
      JSON.stringify(
        {
          name: study.name,
          state: study.state,
          algorithm: study.algorithm,
          metric: study.metric,
          maxTrials: study.maxTrials,
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
    `study ${study.name}: ${study.state}, ${study.algorithm} search, ${study.metric.goal} ${study.metric.id}, ${trials.length}/${study.maxTrials} trials`,
    `directory: ${study.directory}`,
  ];
  if (coordinator) lines.push(`coordinator: pid ${coordinator.pid} on ${coordinator.hostname} since ${coordinator.since} (${coordinator.liveness})`);
  lines.push('', formatTrialTable(trials, study.metric, best), '');
  if (best) lines.push(`best: trial ${best.id} ${study.metric.id}=${formatMetric(finalMetricValue(best, study.metric))} (${formatParameters(best.parameters)})`);
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
