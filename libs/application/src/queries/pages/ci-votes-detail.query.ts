import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteDoc } from '#domain/projections/index.js';
import type { VoteDetailFilters, VotePage } from '#reports/civotes.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `civotes_detail.html`: votes matching the filters, newest first. */
export class CiVotesDetailQuery extends Query<VotePage<CiVoteDoc>> {
  constructor(
    readonly filters: VoteDetailFilters,
    readonly offset: number,
  ) {
    super();
  }
}

@QueryHandler(CiVotesDetailQuery)
export class CiVotesDetailHandler implements IQueryHandler<CiVotesDetailQuery, VotePage<CiVoteDoc>> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(query: CiVotesDetailQuery): Promise<VotePage<CiVoteDoc>> {
    return this.queries.ciVotesDetail(query.filters, query.offset);
  }
}
