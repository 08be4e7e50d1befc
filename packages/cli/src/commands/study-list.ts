import { finalMetricValue, listStudies } from '@hptune/core';
import { speakAsInvoked } from '../invocation.js';
import type { CliIo } from '../io.js';
import { formatMetric, formatParameters, formatTable, formatTrialCounts } from '../reporters/format.js';
import { bestTrialJson } from '../reporters/trial-json.js';

/** `hptune study list`: every study in the study directory, with counts and the best trial. */
export function listStudiesCommand(flags: { studyDir: string; json?: boolean }, io: CliIo): number {
  const studies = listStudies({ studyDir: flags.studyDir });
  if (flags.json) {
    const rows = studies.map(({ study, status, counts, best }) => ({
      name: study.name,
      state: status,
      algorithm: study.algorithm,
      ...(study.sampler ? { sampler: study.sampler.name } : {}),
      metric: study.metric,
      measurementSelection: study.measurementSelection ?? 'last',
      maxTrials: study.maxTrials,
      counts,
      best: bestTrialJson(best),
      updateTime: study.updateTime,
    }));
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (studies.length === 0) {
    io.stdout.write(speakAsInvoked(`no studies in ${flags.studyDir} (start one with: hptune study run --name NAME)\n`, io.env));
    return 0;
  }
  const rows = studies.map(({ study, status, counts, best }) => [
    study.name,
    status,
    `${counts.done}/${study.maxTrials}`,
    formatTrialCounts(counts),
    best ? `${formatMetric(finalMetricValue(best, study.metric))} (${formatParameters(best.parameters)})` : '-',
    study.updateTime,
  ]);
  const lines = [formatTable(['study', 'state', 'done', 'trials', 'best', 'updated'], rows)];
  for (const { study, status, counts } of studies) {
    if (status === 'INTERRUPTED') lines.push(`study ${study.name} is INTERRUPTED (its coordinator is gone); continue it with: hptune study resume ${study.name}`);
    else if (status === 'COMPLETED' && counts.total > 0 && counts.succeeded === 0) lines.push(`study ${study.name} ended with no successful trial; see why with: hptune study show ${study.name}`);
  }
  io.stdout.write(speakAsInvoked(lines.join('\n') + '\n', io.env));
  return 0;
}
