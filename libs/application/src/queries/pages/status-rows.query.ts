import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { StatusRow } from '#reports/status-report.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `status_report.html`: one row per built package, with its first failure's upstream. */
export class StatusRowsQuery extends Query<StatusRow[]> {
  constructor(
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(StatusRowsQuery)
export class StatusRowsHandler implements IQueryHandler<StatusRowsQuery, StatusRow[]> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute({ at }: StatusRowsQuery): Promise<StatusRow[]> {
    return this.queries.at(at).statusRows();
  }
}
