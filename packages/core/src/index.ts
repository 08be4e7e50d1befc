export { HptuneError, ValidationError, formatValue, type ValidationProblem } from './errors.js';
export {
  DEFAULT_METRIC_FILE,
  MAX_METRIC_REPORTS,
  createMetricReporter,
  readMetricFile,
  reportMetric,
  type MetricReport,
  type MetricReportInput,
  type MetricReporter,
  type MetricReporterOptions,
} from './hypertune.js';
