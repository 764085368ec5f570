import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { CiVoteDoc } from '#domain/projections/index.js';
import { DlrnQueries, type VoteFilters } from '#application/queries/dlrn-queries.js';
import { VoteRefusedError } from './vote.errors.js';

/** Which votes `last_tested_repo` looks at (DLRN's `getVote` parameters). */
export interface VoteSelection {
  readonly success: boolean | null;
  readonly jobId: string | null;
  readonly sequentialMode: boolean | null;
  readonly previousJobId: string | null;
  readonly component: string | null;
}

/** The cut-off of `max_age` hours: DLRN computes it from whole seconds; 0 is no cut-off. */
export function voteCutoff(maxAgeHours: number, nowSeconds: number): number {
  return maxAgeHours === 0 ? 0 : nowSeconds - maxAgeHours * 3600;
}

/**
 * DLRN's selection: without job_id, the newest non-`consistent` vote, else the newest
 * `consistent` one (success and component filters both times); with job_id, that job's newest
 * vote, else any CI's newest vote (success filter only — DLRN's quirk, kept: it is how several
 * CIs converge on one repo). Sequential mode: only `previous_job_id`'s votes, no fallback.
 */
export async function lastTestedRepo(
  queries: DlrnQueries,
  selection: VoteSelection,
  after: number,
): Promise<CiVoteDoc> {
  const base: VoteFilters = { after, success: selection.success, jobId: null, component: selection.component };
  let vote: CiVoteDoc | null;
  if (selection.sequentialMode) {
    vote = await queries.newestVote({ ...base, jobId: selection.previousJobId }, 'any');
  } else if (selection.jobId !== null) {
    vote =
      (await queries.newestVote({ ...base, jobId: selection.jobId }, 'any')) ??
      (await queries.newestVote({ ...base, component: null }, 'any'));
  } else {
    vote = (await queries.newestVote(base, 'exclude')) ?? (await queries.newestVote(base, 'only'));
  }
  if (vote === null) throw new VoteRefusedError('NO_VOTE_FOUND');
  return vote;
}

/** `GET /api/last_tested_repo`: the newest vote the selection picks, newer than `after`. */
export class LastTestedRepoQuery extends Query<CiVoteDoc> {
  constructor(
    readonly selection: VoteSelection,
    /** Epoch seconds (`voteCutoff`): the caller computes it once, as its cache key holds it. */
    readonly after: number,
    /** A log position to answer at (time travel, `as_of`); null: now. */
    readonly at: number | null = null,
  ) {
    super();
  }
}

@QueryHandler(LastTestedRepoQuery)
export class LastTestedRepoHandler implements IQueryHandler<LastTestedRepoQuery, CiVoteDoc> {
  constructor(@Inject(DlrnQueries) private readonly queries: DlrnQueries) {}

  execute(query: LastTestedRepoQuery): Promise<CiVoteDoc> {
    return lastTestedRepo(this.queries.at(query.at), query.selection, query.after);
  }
}
