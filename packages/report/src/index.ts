/**
 * `@hptune/report`: see a study. `buildReportData` shapes a study (local, or a Vertex AI job) into
 * what the page draws; `renderReportHtml` writes it as one self-contained HTML file;
 * `startDashboard` serves every study of a study directory, updating while they run.
 */
export { buildReportData, type BuildReportOptions } from './data/build.js';
export { describeEarlyStopping } from './data/early-stopping.js';
export { MAX_IMPORTANCE_BINS, parameterImportance, type ImportanceResult, type ImportanceSample } from './data/importance.js';
export { reportSourceFromStudy, reportSourceFromVertexJob } from './data/sources.js';
export type {
  DurationSummary,
  HistoryPoint,
  ParameterImportance,
  ReportData,
  ReportParameter,
  ReportSource,
  ReportTrial,
  StudyListEntry,
} from './data/types.js';
export { jsonForScript, renderReportHtml } from './html.js';
export { REPORT_DATA_ELEMENT_ID } from './report-data-element.js';
export { DEFAULT_REPORT_FILE, writeReportFile, writeStudyReport, type WriteStudyReportOptions, type WrittenReport } from './write.js';
export {
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_POLL_INTERVAL_MS,
  DEFAULT_DASHBOARD_PORT,
  startDashboard,
  type Dashboard,
  type DashboardOptions,
} from './dashboard/server.js';
export { isLoopbackHost } from './dashboard/host.js';
