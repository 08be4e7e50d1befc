import { bestTrial, countTrials, finalMetricValue as finalMetric, type FrozenTrial } from '@hptune/core';
import { formatDuration, formatFailureDetail, formatMetric, formatParameters, formatStoppedEarly, trialOutcomeWord } from './format.js';
import { formatStudySummary } from './summary.js';
import type { StudyHeader, StudyReporter } from './types.js';

const CLEAR_TO_END = '\x1b[0J';
const cursorUp = (lines: number) => (lines > 0 ? `\x1b[${lines}A\r` : '\r');

/** Options of {@link ttyReporter}. */
export interface TtyReporterOptions {
  /** Repaint interval for the elapsed time and ETA. @default 1000 */
  refreshMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
  /** Terminal width. @default 100 */
  columns?: number;
}

/**
 * Live progress for a terminal: finished trials scroll by as lines, and a status block at the
 * bottom shows trials done/running/failed of the total, the best so far with its parameters,
 * elapsed time and ETA.
 */
export function ttyReporter(out: NodeJS.WritableStream, options: TtyReporterOptions = {}): StudyReporter {
  const now = options.now ?? Date.now;
  const columns = options.columns ?? 100;
  const startedAt = now();
  const running = new Map<string, FrozenTrial>();
  const finished: FrozenTrial[] = [];
  let header: StudyHeader | undefined;
  let drawnLines = 0;
  let timer: NodeJS.Timeout | undefined;

  const statusLines = (): string[] => {
    if (!header) return [];
    const { failed } = countTrials(finished);
    const done = header.alreadyFinished + finished.length;
    const elapsed = (now() - startedAt) / 1000;
    const remaining = header.totalTrials - done;
    const eta = finished.length > 0 && remaining > 0 ? formatDuration((elapsed / finished.length) * remaining) : '-';
    const width = 24;
    const filled = header.totalTrials > 0 ? Math.round((done / header.totalTrials) * width) : 0;
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const lines = [
      `${bar} ${done}/${header.totalTrials} done · ${running.size} running · ${failed} failed · ` +
        `${formatDuration(elapsed)} elapsed · ETA ${eta}`,
    ];
    const best = bestTrial(finished, header.metric);
    if (best) {
      lines.push(`best ${header.metric.id}=${formatMetric(finalMetric(best, header.metric))} trial ${best.id} (${formatParameters(best.parameters)})`);
    }
    for (const trial of running.values()) {
      const last = trial.measurements.at(-1);
      const progress = last ? ` step ${last.step} ${header.metric.id}=${formatMetric(last.metrics[header.metric.id])}` : '';
      lines.push(`  trial ${trial.id}: ${formatParameters(trial.parameters)}${progress}`);
    }
    return lines.map((line) => (line.length > columns ? line.slice(0, columns - 1) + '…' : line));
  };

  const repaint = (logLine?: string) => {
    let text = cursorUp(drawnLines) + CLEAR_TO_END;
    if (logLine !== undefined) text += logLine + '\n';
    const lines = statusLines();
    text += lines.map((line) => line + '\n').join('');
    drawnLines = lines.length;
    out.write(text);
  };

  return {
    onStudyStart(study) {
      header = study;
      repaint(
        `study ${study.name}: ${study.totalTrials} trials, ${study.parallelTrials} in parallel, ${study.metric.goal} ${study.metric.id}` +
          (study.alreadyFinished > 0 ? ` (resuming: ${study.alreadyFinished} finished)` : ''),
      );
      timer = setInterval(() => repaint(), options.refreshMs ?? 1000);
      timer.unref();
    },
    onTrialStarted(trial) {
      running.set(trial.id, trial);
      repaint();
    },
    onMeasurement(trial) {
      running.set(trial.id, trial);
      repaint();
    },
    onTrialCompleted(trial) {
      running.delete(trial.id);
      finished.push(trial);
      const outcome =
        trial.state === 'SUCCEEDED' && header
          ? `${header.metric.id}=${formatMetric(finalMetric(trial, header.metric))}${trial.stoppedEarly ? `, ${formatStoppedEarly(trial)}` : ''}`
          : `${trialOutcomeWord(trial).toUpperCase()}: ${trial.failure?.reason ?? trial.state}`;
      const detail = header ? formatFailureDetail(trial, header.directory) : [];
      repaint([`${trial.state === 'SUCCEEDED' ? '✓' : '✗'} trial ${trial.id} ${outcome}  (${formatParameters(trial.parameters)})`, ...detail].join('\n'));
    },
    onStudyEnd(summary) {
      if (timer) clearInterval(timer);
      out.write(cursorUp(drawnLines) + CLEAR_TO_END);
      drawnLines = 0;
      out.write(formatStudySummary(summary));
    },
  };
}
