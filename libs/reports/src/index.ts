export { renderBuildPage, type BuildLog } from './build-page.renderer.js';
export {
  NO_FILTERS,
  REPORT_PAGE_SIZE,
  renderBuildReport,
  type BuildReportFilters,
  type BuildReportPage,
} from './build-report.renderer.js';
export {
  VOTES_PAGE_SIZE,
  renderCiVotes,
  renderCiVotesAgg,
  renderCiVotesAggDetail,
  renderCiVotesDetail,
  type AggVoteDetailFilters,
  type VoteDetailFilters,
  type VotePage,
} from './civotes.renderer.js';
export { escapeHtml, markup, raw, SafeHtml } from './html.js';
export { SORT_JS, STYLES_CSS } from './page-assets.js';
export { liveLinks, STATIC_LINKS, type PageLinks } from './page-layout.js';
export { renderQueue } from './queue.renderer.js';
export { commitUrlPrefix, type ReportSettings } from './report-format.js';
export {
  renderStatusReportCsv,
  renderStatusReportHtml,
  reportHeading,
  type StatusRow,
} from './status-report.renderer.js';
export { renderDirectoryListing, type ListedEntry } from "./directory-listing.renderer.js";
export { renderAsOfBanner, withAsOfBanner, type ShownMoment } from './as-of-banner.js';
