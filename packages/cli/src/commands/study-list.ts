import { finalMetricValue, listStudies } from '@hptune/core';
import type { CliIo } from '../io.js';
import { formatMetric, formatParameters, formatTable } from '../reporters/format.js';
import { bestTrialJson } from '../reporters/trial-json.js';

/** `hptune study list`: every study in the study directory, with counts and the best trial. */
export function listStudiesCommand(flags: { studyDir: string; json?: boolean }, io: CliIo): number {
  const studies = listStudies({ studyDir: flags.studyDir });
  if (flags.json) {
    const rows = studies.map(({ study, counts, best }) => ({
      name: study.name,
      state: study.state,
      algorithm: study.algorithm,
      metric: study.metric,
      maxTrials: study.maxTrials,
      counts,
      best: bestTrialJson(best),
      updateTime: study.updateTime,
    }));
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  if (studies.length === 0) {
    io.stdout.write(`no studies in ${flags.studyDir} (start one with: hptune study run --name NAME)\n`);
    return 0;
  }
  const rows = studies.map(({ study, counts, best }) => [
    study.name,
    study.state,
    `${counts.succeeded + counts.failed}/${study.maxTrials}`,
    String(counts.failed),
    best ? `${formatMetric(finalMetricValue(best, study.metric))} (${formatParameters(best.parameters)})` : '-',
    study.updateTime,
  ]);
  io.stdout.write(formatTable(['study', 'state', 'done', 'failed', 'best', 'updated'], rows) + '\n');
  return 0;
}
