import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { QueueDoc } from '#domain/projections/index.js';
import { ResourceQueries } from '../resource-queries.js';

/** `GET /api/queue`: commits discovered and not built yet, in build order. */
export class QueueQuery extends Query<QueueDoc[]> {}

@QueryHandler(QueueQuery)
export class QueueHandler implements IQueryHandler<QueueQuery, QueueDoc[]> {
  constructor(@Inject(ResourceQueries) private readonly queries: ResourceQueries) {}

  execute(): Promise<QueueDoc[]> {
    return this.queries.queue();
  }
}
