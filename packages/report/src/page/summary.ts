import type { ReportData } from '../data/types.js';
import { el } from './dom.js';
import { formatDuration, formatParameter, formatValue } from './format.js';

/** The summary: state, metric, algorithm, early stopping, counts, durations, the best trial. */
export function renderSummary(data: ReportData): HTMLElement {
  const { study, counts, durations, best, trialCounts } = data;
  // One count and one wording everywhere: the CLI's and the dashboard's.
  const countText = `${trialCounts.text}${counts.stoppedEarly > 0 ? `; ${counts.stoppedEarly} stopped early` : ''}`;
  const rows: [string, string][] = [
    ['state', study.running ? `${study.state} (updating)` : study.state],
    ['metric', study.metric ? `${study.metric.goal} ${study.metric.id}` : 'none declared'],
    ['algorithm', study.algorithm],
    ['early stopping', study.earlyStopping ?? 'off'],
    ['trials', `${trialCounts.done}/${study.maxTrials} done, ${study.parallelTrials} at a time: ${countText}`],
    ['wall time', formatDuration(durations.wallSeconds) || '-'],
    [
      'trial durations',
      durations.count === 0
        ? '-'
        : `${formatDuration(durations.trialSeconds)} in all; median ${formatDuration(durations.median)}, mean ${formatDuration(durations.mean)}, ` +
          `min ${formatDuration(durations.min)}, max ${formatDuration(durations.max)} (over ${durations.count} trial${durations.count === 1 ? '' : 's'} that ran)`,
    ],
    ...study.details.map(([label, value]): [string, string] => [label, value]),
    ['created', study.createTime ?? '-'],
    ['updated', study.updateTime ?? '-'],
  ];
  const list = el(
    'dl',
    { className: 'summary-list' },
    rows.flatMap(([label, value]) => [el('dt', { text: label }), el('dd', { text: value })]),
  );
  const bestBox = best
    ? el('div', { className: 'best', attributes: { 'data-testid': 'best' } }, [
        el('div', { className: 'best-title', text: `best: trial ${best.trialId}` }),
        el('div', { className: 'best-value', text: `${study.metric?.id ?? 'value'} = ${formatValue(best.value)}` }),
        el(
          'dl',
          { className: 'best-parameters' },
          Object.entries(best.parameters).flatMap(([id, value]) => [el('dt', { text: id }), el('dd', { text: formatParameter(value) })]),
        ),
      ])
    : el('div', { className: 'best none', text: 'no trial has succeeded yet' });
  return el('section', { className: 'summary', attributes: { id: 'summary' } }, [el('h2', { text: 'Summary' }), el('div', { className: 'summary-body' }, [list, bestBox])]);
}
