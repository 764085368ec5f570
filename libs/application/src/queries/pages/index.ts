import { BuildPageHandler } from './build-page.query.js';
import { BuildReportHandler } from './build-report.query.js';
import { CiVotesAggDetailHandler } from './ci-votes-agg-detail.query.js';
import { CiVotesAggHandler } from './ci-votes-agg.query.js';
import { CiVotesDetailHandler } from './ci-votes-detail.query.js';
import { CiVotesHandler } from './ci-votes.query.js';
import { PackageStatusesHandler } from './package-statuses.query.js';
import { PendingCommitsHandler } from './pending-commits.query.js';
import { StatusRowsHandler } from './status-rows.query.js';

export { BuildPageQuery, type BuildPage } from './build-page.query.js';
export { BuildReportQuery } from './build-report.query.js';
export { CiVotesAggDetailQuery } from './ci-votes-agg-detail.query.js';
export { CiVotesAggQuery } from './ci-votes-agg.query.js';
export { CiVotesDetailQuery } from './ci-votes-detail.query.js';
export { CiVotesQuery } from './ci-votes.query.js';
export { PackageStatusesQuery } from './package-statuses.query.js';
export { PendingCommitsQuery } from './pending-commits.query.js';
export { StatusRowsQuery } from './status-rows.query.js';

/** The dashboard pages' query handlers, one per query (register them with the QueryBus's module). */
export const PAGE_QUERY_HANDLERS = [
  StatusRowsHandler,
  PackageStatusesHandler,
  BuildReportHandler,
  PendingCommitsHandler,
  BuildPageHandler,
  CiVotesHandler,
  CiVotesDetailHandler,
  CiVotesAggHandler,
  CiVotesAggDetailHandler,
];
