import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteAggDoc } from '#domain/projections/index.js';
import type { AggVoteDetailFilters, VotePage } from '#reports/civotes.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `civotes_agg_detail.html`: aggregate votes matching the filters, newest first. */
export class CiVotesAggDetailQuery extends Query<VotePage<CiVoteAggDoc>> {
  constructor(
    readonly filters: AggVoteDetailFilters,
    readonly offset: number,
  ) {
    super();
  }
}

@QueryHandler(CiVotesAggDetailQuery)
export class CiVotesAggDetailHandler implements IQueryHandler<CiVotesAggDetailQuery, VotePage<CiVoteAggDoc>> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(query: CiVotesAggDetailQuery): Promise<VotePage<CiVoteAggDoc>> {
    return this.queries.ciVotesAggDetail(query.filters, query.offset);
  }
}
