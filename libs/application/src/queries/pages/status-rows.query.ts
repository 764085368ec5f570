import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { StatusRow } from '#reports/status-report.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `status_report.html`: one row per built package, with its first failure's upstream. */
export class StatusRowsQuery extends Query<StatusRow[]> {}

@QueryHandler(StatusRowsQuery)
export class StatusRowsHandler implements IQueryHandler<StatusRowsQuery, StatusRow[]> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(): Promise<StatusRow[]> {
    return this.queries.statusRows();
  }
}
