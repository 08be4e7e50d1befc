import type { TrialState } from '@hptune/core';
import type { ReportData, ReportTrial } from '../data/types.js';
import { el } from './dom.js';
import { formatDuration, formatParameter, formatValue } from './format.js';

type SortValue = number | string | null;

interface Column {
  readonly key: string;
  readonly label: string;
  readonly value: (trial: ReportTrial) => SortValue;
  readonly cell: (trial: ReportTrial) => Node;
  readonly numeric: boolean;
}

const STATES: readonly TrialState[] = ['SUCCEEDED', 'INFEASIBLE', 'ACTIVE', 'STOPPING', 'REQUESTED'];

/** Orders two cell values: numbers by value, text by locale, empty cells last in both directions. */
function compareCells(a: SortValue, b: SortValue, direction: 1 | -1): number {
  if (a === null || a === '') return b === null || b === '' ? 0 : 1;
  if (b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * direction;
  return String(a).localeCompare(String(b), undefined, { numeric: true }) * direction;
}

/**
 * The trial table: one row per trial, every parameter, the final metric, the duration and why a
 * trial failed. Clicking a header sorts by it (again: the other way); the state boxes filter rows.
 * Sorting and filters survive updates of a running study.
 */
export class TrialTable {
  readonly element: HTMLElement;
  private data: ReportData | undefined;
  private sort: { key: string; direction: 1 | -1 } = { key: 'id', direction: 1 };
  private readonly hidden = new Set<TrialState>();
  private readonly filters = el('div', { className: 'filters', attributes: { role: 'group', 'aria-label': 'filter by state' } });
  private readonly shown = el('span', { className: 'shown' });
  private readonly table = el('table', { className: 'trials' });

  constructor() {
    this.element = el('section', { className: 'trials-section', attributes: { id: 'trials' } }, [
      el('h2', { text: 'Trials' }),
      el('div', { className: 'table-tools' }, [this.filters, this.shown]),
      el('div', { className: 'table-scroll' }, [this.table]),
    ]);
  }

  /** Draws the table for `data`, keeping the current sort and filters. */
  update(data: ReportData): void {
    this.data = data;
    this.renderFilters(data);
    this.renderTable();
  }

  private columns(data: ReportData): Column[] {
    const metric = data.study.metric?.id ?? 'value';
    const text = (value: string) => document.createTextNode(value);
    return [
      { key: 'id', label: '#', numeric: true, value: (trial) => numericId(trial.id), cell: (trial) => text(trial.id) },
      {
        key: 'state',
        label: 'state',
        numeric: false,
        value: (trial) => trial.state + (trial.stoppedEarly ? ' stopped' : ''),
        cell: (trial) =>
          el('span', {}, [
            el('span', { className: `state state-${trial.state.toLowerCase()}`, text: trial.state }),
            trial.stoppedEarly
              ? el('span', {
                  className: 'badge stopped',
                  text: trial.stoppedAtStep === null ? 'stopped early' : `stopped at step ${trial.stoppedAtStep}`,
                  attributes: { title: 'an early-stopping rule ended this trial before its last step' },
                })
              : null,
          ]),
      },
      ...data.parameters.map(
        (parameter): Column => ({
          key: `parameter:${parameter.id}`,
          label: parameter.id,
          numeric: parameter.kind === 'numeric',
          value: (trial) => trial.parameters[parameter.id] ?? null,
          cell: (trial) => text(formatParameter(trial.parameters[parameter.id])),
        }),
      ),
      { key: 'value', label: metric, numeric: true, value: (trial) => trial.value, cell: (trial) => text(formatValue(trial.value)) },
      { key: 'duration', label: 'duration', numeric: true, value: (trial) => trial.durationSeconds, cell: (trial) => text(formatDuration(trial.durationSeconds)) },
      {
        key: 'failure',
        label: 'failure',
        numeric: false,
        value: (trial) => trial.failure,
        cell: (trial) => el('span', { className: 'failure', text: trial.failure ?? '', attributes: trial.failureDetail ? { title: trial.failureDetail } : {} }),
      },
    ];
  }

  private renderFilters(data: ReportData): void {
    const boxes = STATES.filter((state) => data.counts[state] > 0).map((state) => {
      const input = el('input', { attributes: { type: 'checkbox', 'data-state': state } });
      input.checked = !this.hidden.has(state);
      input.addEventListener('change', () => {
        if (input.checked) this.hidden.delete(state);
        else this.hidden.add(state);
        this.renderTable();
      });
      return el('label', { className: 'filter' }, [input, document.createTextNode(` ${state} (${data.counts[state]})`)]);
    });
    this.filters.replaceChildren(...boxes);
  }

  private renderTable(): void {
    const data = this.data;
    if (!data) return;
    const columns = this.columns(data);
    const column = columns.find((candidate) => candidate.key === this.sort.key) ?? (columns[0] as Column);
    const rows = data.trials
      .filter((trial) => !this.hidden.has(trial.state))
      .map((trial) => ({ trial, key: column.value(trial) }))
      .sort((a, b) => compareCells(a.key, b.key, this.sort.direction) || numericId(a.trial.id) - numericId(b.trial.id))
      .map(({ trial }) => trial);
    const head = el(
      'tr',
      {},
      columns.map((candidate) => {
        const sorted = candidate.key === column.key;
        const button = el('button', { text: candidate.label + (sorted ? (this.sort.direction === 1 ? ' ▲' : ' ▼') : ''), attributes: { type: 'button', 'data-sort': candidate.key } });
        button.addEventListener('click', () => {
          this.sort = { key: candidate.key, direction: sorted ? (this.sort.direction === 1 ? -1 : 1) : 1 };
          this.renderTable();
        });
        return el('th', { className: candidate.numeric ? 'numeric' : '', attributes: { 'aria-sort': sorted ? (this.sort.direction === 1 ? 'ascending' : 'descending') : 'none' } }, [button]);
      }),
    );
    const body = el(
      'tbody',
      {},
      rows.map((trial) =>
        el(
          'tr',
          { className: data.best?.trialId === trial.id ? 'best-row' : '', attributes: { 'data-trial-id': trial.id, 'data-state': trial.state } },
          columns.map((candidate) => el('td', { className: candidate.numeric ? 'numeric' : '' }, [candidate.cell(trial)])),
        ),
      ),
    );
    this.table.replaceChildren(el('thead', {}, [head]), body);
    this.shown.textContent = `${rows.length} of ${data.trials.length} trials shown`;
  }
}

function numericId(id: string): number {
  const value = Number(id);
  return Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER;
}
