export { BUILD_LOG_CAP, readBuildLog } from './build-log.reader.js';
export { DashboardQueries, STATIC_REPORT_BUILDS } from '../queries/dashboard.queries.js';
export { reportSettings } from './report-settings.js';
export { StaticReportRefresher } from './static-report.refresher.js';
export { STATIC_REPORT_FILES, StaticReportWriter } from './static-report.writer.js';
