import type { ReportData } from '../data/types.js';
import { ChartGrid } from './charts/charts.js';
import { reportCharts } from './charts/options.js';
import { el } from './dom.js';
import { renderSummary } from './summary.js';
import { TrialTable } from './table.js';

/**
 * One study's views: title, summary, charts and the trial table. Attach `element` to the document
 * before the first `update` (charts take their size from the page).
 */
export class ReportView {
  readonly element: HTMLElement;
  private readonly title = el('h1');
  private readonly subtitle = el('p', { className: 'subtitle' });
  private readonly summarySlot = el('div');
  private readonly charts = new ChartGrid();
  private readonly table = new TrialTable();

  constructor() {
    this.element = el('main', { className: 'report' }, [
      el('header', {}, [this.title, this.subtitle]),
      this.summarySlot,
      this.charts.element,
      this.table.element,
    ]);
  }

  /** Draws `data`; called again with newer data of the same study, it updates in place. */
  update(data: ReportData): void {
    document.title = `${data.study.name} · hptune`;
    this.title.textContent = data.study.name;
    this.subtitle.textContent = `${data.study.backend === 'vertex' ? 'Vertex AI job' : 'local study'} · ${data.study.state} · read ${data.generatedAt}`;
    this.summarySlot.replaceChildren(renderSummary(data));
    // Charts first: each one measures its box, which lays the page out; a 1,000-row table
    // already in it would make every one of those layouts slow.
    this.charts.update(reportCharts(data));
    this.table.update(data);
  }
}
