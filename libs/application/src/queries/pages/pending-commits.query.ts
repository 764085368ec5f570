import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { QueueDoc } from '#domain/projections/index.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `queue.html`: pending commits, oldest commit first. */
export class PendingCommitsQuery extends Query<QueueDoc[]> {}

@QueryHandler(PendingCommitsQuery)
export class PendingCommitsHandler implements IQueryHandler<PendingCommitsQuery, QueueDoc[]> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(): Promise<QueueDoc[]> {
    return this.queries.queue();
  }
}
