import { BarChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, ParallelComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { el } from '../dom.js';
import type { ChartSpec } from './options.js';

// Only the parts of ECharts the report draws, so the bundle carries nothing else.
echarts.use([BarChart, LineChart, ParallelChart, ScatterChart, GridComponent, LegendComponent, ParallelComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** What ECharts passes a tooltip formatter (the part we read). */
interface TooltipParams {
  readonly seriesIndex?: number;
  readonly dataIndex?: number;
}

/** A tooltip as an element whose lines are text: ECharts inserts an element as it is, never parsing it. */
function tooltipElement(lines: readonly string[]): HTMLElement {
  return el(
    'div',
    { className: 'tooltip' },
    lines.map((line) => el('div', { text: line })),
  );
}

/**
 * The page's charts: one panel per chart spec, drawn with ECharts on a canvas. `update` keeps
 * each chart's instance (so a running study's charts change in place) and adds or drops panels
 * as the specs change.
 */
export class ChartGrid {
  readonly element = el('section', { className: 'charts', attributes: { id: 'charts' } });
  private readonly panels = new Map<string, { panel: HTMLElement; body: HTMLElement; note: HTMLElement; chart: echarts.ECharts | undefined; spec: ChartSpec }>();

  constructor() {
    window.addEventListener('resize', () => {
      for (const entry of this.panels.values()) entry.chart?.resize();
    });
  }

  /** Draws `specs`, in their order. */
  update(specs: readonly ChartSpec[]): void {
    const wanted = new Set(specs.map((spec) => spec.id));
    for (const [id, entry] of this.panels) {
      if (wanted.has(id)) continue;
      entry.chart?.dispose();
      entry.panel.remove();
      this.panels.delete(id);
    }
    for (const spec of specs) {
      const entry = this.panels.get(spec.id) ?? this.addPanel(spec);
      entry.spec = spec;
      this.element.append(entry.panel);
      entry.note.textContent = spec.empty ?? '';
      entry.panel.classList.toggle('empty', spec.empty !== undefined);
      if (spec.empty !== undefined) continue;
      entry.chart ??= echarts.init(entry.body, undefined, { renderer: 'canvas' });
      entry.chart.setOption(
        {
          ...spec.option,
          tooltip: {
            ...(spec.option.tooltip as object),
            formatter: (params: unknown) => {
              const { seriesIndex, dataIndex } = (Array.isArray(params) ? params[0] : params) as TooltipParams;
              const lines = seriesIndex === undefined || dataIndex === undefined ? undefined : entry.spec.describe(seriesIndex, dataIndex);
              return lines ? tooltipElement(lines) : '';
            },
          },
        },
        { notMerge: true },
      );
    }
  }

  private addPanel(spec: ChartSpec) {
    const body = el('div', { className: 'chart-body' });
    const note = el('p', { className: 'chart-note' });
    const panel = el('figure', { className: `chart chart-${spec.id.startsWith('slice-') ? 'slice' : spec.id}`, attributes: { 'data-chart': spec.id } }, [
      el('figcaption', { text: spec.title }),
      note,
      body,
    ]);
    const entry = { panel, body, note, chart: undefined, spec };
    this.panels.set(spec.id, entry);
    return entry;
  }
}
