import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';

/** `GET /api/components`: the components found in promotions, sorted. */
export class PromotedComponentsQuery extends Query<string[]> {}

@QueryHandler(PromotedComponentsQuery)
export class PromotedComponentsHandler implements IQueryHandler<PromotedComponentsQuery, string[]> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  execute(): Promise<string[]> {
    return this.queries.promotedComponents();
  }
}
