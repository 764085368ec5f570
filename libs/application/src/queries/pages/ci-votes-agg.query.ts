import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteAggDoc } from '#domain/projections/index.js';
import type { VotePage } from '#reports/civotes.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `civotes_agg.html`: the newest aggregate votes. */
export class CiVotesAggQuery extends Query<VotePage<CiVoteAggDoc>> {
  constructor(readonly offset: number) {
    super();
  }
}

@QueryHandler(CiVotesAggQuery)
export class CiVotesAggHandler implements IQueryHandler<CiVotesAggQuery, VotePage<CiVoteAggDoc>> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(query: CiVotesAggQuery): Promise<VotePage<CiVoteAggDoc>> {
    return this.queries.ciVotesAgg(query.offset);
  }
}
