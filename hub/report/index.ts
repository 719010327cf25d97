export { REPORT_TEMPLATE, reportHtml } from './html.js';
export { isReportableDir, loadReport } from './load.js';
export { chartSeriesCsv, perHomeCsv, type ReportData } from './model.js';
