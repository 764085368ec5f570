import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteDoc } from '#domain/projections/index.js';
import type { VotePage } from '#reports/civotes.renderer.js';
import { DashboardQueries } from '../dashboard.queries.js';

/** `civotes.html`: the newest votes but DLRN's own `consistent` ones. */
export class CiVotesQuery extends Query<VotePage<CiVoteDoc>> {
  constructor(readonly offset: number) {
    super();
  }
}

@QueryHandler(CiVotesQuery)
export class CiVotesHandler implements IQueryHandler<CiVotesQuery, VotePage<CiVoteDoc>> {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  execute(query: CiVotesQuery): Promise<VotePage<CiVoteDoc>> {
    return this.queries.ciVotes(query.offset);
  }
}
