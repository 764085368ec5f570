import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteAggDoc } from '#domain/projections/index.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';

/** `GET /api/agg_status`: every vote on one aggregate hash (none for an unknown hash). */
export class AggStatusQuery extends Query<CiVoteAggDoc[]> {
  constructor(
    readonly aggregateHash: string,
    readonly success: boolean | null,
  ) {
    super();
  }
}

@QueryHandler(AggStatusQuery)
export class AggStatusHandler implements IQueryHandler<AggStatusQuery, CiVoteAggDoc[]> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  execute(query: AggStatusQuery): Promise<CiVoteAggDoc[]> {
    return this.queries.aggregateVotes(query.aggregateHash, query.success);
  }
}
