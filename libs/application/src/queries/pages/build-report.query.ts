import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildReportFilters, BuildReportPage } from '#reports/build-report.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** The live `report.html`: one page of counted builds, newest first. */
export class BuildReportQuery extends Query<BuildReportPage> {
  constructor(
    readonly filters: BuildReportFilters,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(BuildReportQuery)
export class BuildReportHandler implements IQueryHandler<BuildReportQuery, BuildReportPage> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(query: BuildReportQuery): Promise<BuildReportPage> {
    return this.queries.at(query.at).buildReport(query.filters);
  }
}
