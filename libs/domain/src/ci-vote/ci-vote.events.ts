import type { DomainEvent } from '../shared/event.js';

interface VoteData {
  readonly commitHash: string;
  readonly distroHash: string;
  readonly extendedHash: string | null;
  readonly component: string | null;
  /** DLRN's `ci_name`: the job id. `consistent` is reserved for the service's own votes. */
  readonly jobId: string;
  readonly url: string;
  readonly notes: string;
  /** Epoch seconds: the client's for reports, the server's for claims. */
  readonly timestamp: number;
  /** Null for the service's own votes. */
  readonly user: string | null;
}

/** A CI job reported its verdict on a repository (DLRN `report_result`, or the `consistent` vote). */
export type CiVoteReported = DomainEvent<'CiVoteReported', VoteData & { readonly success: boolean }>;

/** A CI job took a repository to test (DLRN `POST last_tested_repo`: `ci_in_progress=true`). */
export type RepoClaimed = DomainEvent<'RepoClaimed', VoteData>;

/** A CI job reported its verdict on an aggregated (component) repository hash. */
export type AggregateVoteReported = DomainEvent<
  'AggregateVoteReported',
  {
    readonly aggregateHash: string;
    readonly jobId: string;
    readonly url: string;
    readonly notes: string;
    readonly timestamp: number;
    readonly user: string | null;
    readonly success: boolean;
    readonly inProgress: boolean;
  }
>;

export type CiVoteEvent = CiVoteReported | RepoClaimed | AggregateVoteReported;

/** The job id DLRN reserves for its own "this repo is consistent" votes. */
export const CONSISTENT_JOB_ID = 'consistent';

export function voteStreamId(commitHash: string, distroHash: string, extendedHash: string | null): string {
  return `civote-${commitHash}_${distroHash}${extendedHash ? `_${extendedHash}` : ''}`;
}

export function aggregateVoteStreamId(aggregateHash: string): string {
  return `aggvote-${aggregateHash}`;
}
