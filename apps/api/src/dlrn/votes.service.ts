import { Inject, Injectable } from '@nestjs/common';
import {
  aggregateVoteStreamId,
  voteStreamId,
  type AggregateVoteReported,
  type CiVoteReported,
  type RepoClaimed,
} from '#domain/ci-vote/ci-vote.events.js';
import type { CiVoteDoc } from '#domain/projections/index.js';
import { DlrnHttpError } from '../http/dlrn-http.error.js';
import { DlrnQueries, type VoteFilters } from '#application/queries/dlrn-queries.js';
import type { LastTestedRepoInput, LastTestedRepoPostInput, ReportResultInput } from './dlrn-inputs.js';
import type { VoteAnswer } from './dlrn-responses.js';
import { EventWriter } from './event-writer.js';

const NOT_FOUND = 'commit_hash+distro_hash+extended_hash combination not found';

/** CI votes: DLRN's `getVote` (§6.2), claims and `report_result`. */
@Injectable()
export class VotesService {
  constructor(
    @Inject(DlrnQueries) private readonly queries: DlrnQueries,
    @Inject(EventWriter) private readonly writer: EventWriter,
  ) {}

  /** The cut-off of `max_age` hours: DLRN computes it from whole seconds. */
  cutoff(maxAge: number): number {
    return maxAge === 0 ? 0 : this.writer.now() - maxAge * 3600;
  }

  /**
   * DLRN's selection: without job_id, the newest non-`consistent` vote, else the newest
   * `consistent` one (success and component filters both times); with job_id, that job's newest
   * vote, else any CI's newest vote (success filter only — DLRN's quirk, kept: it is how several
   * CIs converge on one repo). Sequential mode: only `previous_job_id`'s votes, no fallback.
   */
  async lastTestedRepo(input: LastTestedRepoInput, after: number): Promise<CiVoteDoc> {
    const base: VoteFilters = { after, success: input.success, jobId: null, component: input.component };
    let vote: CiVoteDoc | null;
    if (input.sequential_mode) {
      vote = await this.queries.newestVote({ ...base, jobId: input.previous_job_id }, 'any');
    } else if (input.job_id !== null) {
      vote =
        (await this.queries.newestVote({ ...base, jobId: input.job_id }, 'any')) ??
        (await this.queries.newestVote({ ...base, component: null }, 'any'));
    } else {
      vote = (await this.queries.newestVote(base, 'exclude')) ?? (await this.queries.newestVote(base, 'only'));
    }
    if (vote === null) throw new DlrnHttpError(400, 'No vote found');
    return vote;
  }

  /** `POST /api/last_tested_repo`: the same selection, then a claim on that repo by the caller. */
  async claim(input: LastTestedRepoPostInput, user: string | null): Promise<VoteAnswer> {
    const found = await this.lastTestedRepo(input, this.cutoff(input.max_age));
    const data: RepoClaimed['data'] = {
      commitHash: found.commitHash,
      distroHash: found.distroHash,
      extendedHash: found.extendedHash,
      component: found.component,
      jobId: input.reporting_job_id,
      url: '',
      notes: '',
      timestamp: this.writer.now(),
      user,
    };
    await this.writer.append<RepoClaimed>(
      voteStreamId(found.commitHash, found.distroHash, found.extendedHash),
      [{ type: 'RepoClaimed', data }],
      user,
    );
    return {
      commit_hash: data.commitHash,
      distro_hash: data.distroHash,
      extended_hash: data.extendedHash,
      timestamp: data.timestamp,
      job_id: data.jobId,
      success: false,
      in_progress: true,
      user,
      component: data.component,
    };
  }

  /** `POST /api/report_result`: a verdict on a commit's repo or on an aggregate hash. */
  async report(input: ReportResultInput, user: string | null) {
    const notes = input.notes ?? '';
    if (input.aggregate_hash) {
      if (!(await this.queries.aggregateHashKnown(input.aggregate_hash))) {
        throw new DlrnHttpError(400, 'aggregate_hash not found');
      }
      await this.writer.append<AggregateVoteReported>(
        aggregateVoteStreamId(input.aggregate_hash),
        [
          {
            type: 'AggregateVoteReported',
            data: {
              aggregateHash: input.aggregate_hash,
              jobId: input.job_id,
              url: input.url,
              notes,
              timestamp: input.timestamp,
              user,
              success: input.success,
              inProgress: false,
            },
          },
        ],
        user,
      );
      return this.echo(input, null, null, notes, user);
    }
    const commit = await this.queries.successfulCommit(input.commit_hash!, input.distro_hash!, input.extended_hash);
    if (commit === null) throw new DlrnHttpError(400, NOT_FOUND);
    await this.writer.append<CiVoteReported>(
      voteStreamId(commit.commitHash, commit.distroHash, commit.extendedHash),
      [
        {
          type: 'CiVoteReported',
          data: {
            commitHash: commit.commitHash,
            distroHash: commit.distroHash,
            extendedHash: commit.extendedHash,
            component: commit.component,
            jobId: input.job_id,
            url: input.url,
            notes,
            timestamp: input.timestamp,
            user,
            success: input.success,
          },
        },
      ],
      user,
    );
    return this.echo(input, commit.extendedHash, commit.component, notes, user);
  }

  private echo(
    input: ReportResultInput,
    extendedHash: string | null,
    component: string | null,
    notes: string,
    user: string | null,
  ) {
    return {
      commit_hash: input.commit_hash,
      distro_hash: input.distro_hash,
      extended_hash: extendedHash,
      aggregate_hash: input.aggregate_hash,
      timestamp: input.timestamp,
      job_id: input.job_id,
      success: input.success,
      in_progress: false,
      url: input.url,
      notes,
      user,
      component,
    };
  }
}
