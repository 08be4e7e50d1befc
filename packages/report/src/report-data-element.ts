/** The id of the `<script type="application/json">` element that holds a report's data. */
export const REPORT_DATA_ELEMENT_ID = 'hptune-report-data';
