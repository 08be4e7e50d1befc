// The page of every report and of the dashboard: reads its mode from <body data-hptune-mode>.
import './styles.css';
import type { ReportData } from '../data/types.js';
import { REPORT_DATA_ELEMENT_ID } from '../report-data-element.js';
import { startDashboard } from './dashboard.js';
import { ReportView } from './report-view.js';

function startReport(root: HTMLElement): void {
  const element = document.getElementById(REPORT_DATA_ELEMENT_ID);
  const data = JSON.parse(element?.textContent ?? 'null') as ReportData | null;
  if (!data) throw new Error(`this report has no data (no #${REPORT_DATA_ELEMENT_ID} element)`);
  const view = new ReportView();
  root.append(view.element);
  view.update(data);
}

const root = document.body;
if (root.dataset.hptuneMode === 'dashboard') startDashboard(root);
else startReport(root);
// Tests and the benchmark wait for this: every view has been drawn once.
performance.mark('hptune-rendered');
root.dataset.rendered = 'true';
