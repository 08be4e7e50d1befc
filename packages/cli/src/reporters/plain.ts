import { finalMetricValue as finalMetric } from '@hptune/core';
import { formatFailureDetail, formatMetric, formatParameters, formatStoppedEarly, trialOutcomeWord } from './format.js';
import { formatStudySummary } from './summary.js';
import type { StudyHeader, StudyReporter } from './types.js';

/** One plain line per event, for logs and pipes (no cursor movement, no colour). */
export function plainReporter(out: NodeJS.WritableStream): StudyReporter {
  let header: StudyHeader | undefined;
  let done = 0;
  return {
    onStudyStart(study) {
      header = study;
      done = study.alreadyFinished;
      out.write(
        `study ${study.name}: ${study.totalTrials} trials, ${study.parallelTrials} in parallel, ` +
          `${study.metric.goal} ${study.metric.id}` +
          (study.alreadyFinished > 0 ? `, resuming with ${study.alreadyFinished} finished` : '') +
          '\n',
      );
    },
    onTrialStarted(trial) {
      out.write(`trial ${trial.id} started: ${formatParameters(trial.parameters)}\n`);
    },
    onTrialCompleted(trial) {
      done += 1;
      const total = header?.totalTrials ?? 0;
      if (trial.state === 'SUCCEEDED' && header) {
        const how = formatStoppedEarly(trial) ?? 'succeeded';
        out.write(`trial ${trial.id} ${how} (${done}/${total}): ${header.metric.id}=${formatMetric(finalMetric(trial, header.metric))}\n`);
      } else {
        out.write(`trial ${trial.id} ${trialOutcomeWord(trial)} (${done}/${total}): ${trial.failure?.reason ?? trial.state}\n`);
        if (header) for (const line of formatFailureDetail(trial, header.directory)) out.write(`${line}\n`);
      }
    },
    onStudyEnd(summary) {
      out.write(formatStudySummary(summary));
    },
  };
}
