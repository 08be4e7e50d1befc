/**
 * The report's formatting is the CLI's: `@hptune/trial/format` (pure, bundled into the page), so a
 * value reads the same in `hptune study show` and in the report.
 */
export { formatDuration, formatParameters, formatMetricValue as formatValue, formatParameterValue as formatParameter } from '@hptune/trial/format';
