import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { BuildDoc, CiVoteDoc } from '#domain/projections/index.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { VoteRefusedError } from './vote.errors.js';

export interface RepoVotes {
  /** The repo's successful build the hashes name. */
  readonly commit: BuildDoc;
  /** Its votes, in recording order. */
  readonly votes: readonly CiVoteDoc[];
}

/** `GET /api/repo_status`: every vote on one successfully built repo. */
export class RepoStatusQuery extends Query<RepoVotes> {
  constructor(
    readonly commitHash: string,
    readonly distroHash: string,
    readonly extendedHash: string | null,
    readonly success: boolean | null,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(RepoStatusQuery)
export class RepoStatusHandler implements IQueryHandler<RepoStatusQuery, RepoVotes> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  async execute(query: RepoStatusQuery): Promise<RepoVotes> {
    const queries = this.queries.at(query.at);
    const commit = await queries.successfulCommit(query.commitHash, query.distroHash, query.extendedHash);
    if (commit === null) throw new VoteRefusedError('COMMIT_NOT_FOUND');
    return { commit, votes: await queries.votesOn(commit, query.success) };
  }
}
