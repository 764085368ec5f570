import type { Decider, RecordCommand } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { EventPayload } from '../shared/event.js';
import {
  aggregateVoteStreamId,
  voteStreamId,
  type AggregateVoteReported,
  type CiVoteEvent,
  type CiVoteReported,
  type RepoClaimed,
} from './ci-vote.events.js';

/** A CI job's verdict on a commit's repository (`POST /api/report_result`, the `consistent` vote). */
export type ReportVote = RecordCommand<'ReportVote', CiVoteReported['data']>;

/** A CI job takes a repository to test (`POST /api/last_tested_repo`). */
export type ClaimRepo = RecordCommand<'ClaimRepo', RepoClaimed['data']>;

/** A CI job's verdict on an aggregated repository hash; never in progress (DLRN records none). */
export type ReportAggregateVote = RecordCommand<
  'ReportAggregateVote',
  Omit<AggregateVoteReported['data'], 'inProgress'>
>;

export type CiVoteCommand = ReportVote | ClaimRepo | ReportAggregateVote;

/** The repository a vote stream is about: a commit's repo, or an aggregate hash. */
export type VotedRepo =
  | {
      readonly kind: 'commit';
      readonly commitHash: string;
      readonly distroHash: string;
      readonly extendedHash: string | null;
    }
  | { readonly kind: 'aggregate'; readonly aggregateHash: string };

export interface CiVoteState {
  /** What the stream's votes are about (every one names it); null for a stream without votes. */
  readonly repo: VotedRepo | null;
}

/** A vote would land in the stream of another repository than the one it names. */
export class VoteStreamMismatchError extends DomainError {
  constructor(stream: VotedRepo, vote: VotedRepo) {
    super('VOTE_STREAM_MISMATCH', `a vote on ${describe(vote)} does not belong to the votes on ${describe(stream)}`, {
      stream,
      vote,
    });
  }
}

function describe(repo: VotedRepo): string {
  return repo.kind === 'aggregate'
    ? `aggregate ${repo.aggregateHash}`
    : `${repo.commitHash}_${repo.distroHash}${repo.extendedHash === null ? '' : `_${repo.extendedHash}`}`;
}

function repoOf(command: CiVoteCommand | EventPayload<CiVoteEvent>): VotedRepo {
  if (command.type === 'ReportAggregateVote' || command.type === 'AggregateVoteReported') {
    return { kind: 'aggregate', aggregateHash: command.data.aggregateHash };
  }
  const { commitHash, distroHash, extendedHash } = command.data;
  return { kind: 'commit', commitHash, distroHash, extendedHash };
}

function sameRepo(a: VotedRepo, b: VotedRepo): boolean {
  if (a.kind === 'aggregate') return b.kind === 'aggregate' && a.aggregateHash === b.aggregateHash;
  if (b.kind === 'aggregate') return false;
  return a.commitHash === b.commitHash && a.distroHash === b.distroHash && a.extendedHash === b.extendedHash;
}

/** The stream a vote command is decided on: one per repository voted on. */
export function ciVoteStreamOf(command: CiVoteCommand): string {
  const repo = repoOf(command);
  return repo.kind === 'aggregate'
    ? aggregateVoteStreamId(repo.aggregateHash)
    : voteStreamId(repo.commitHash, repo.distroHash, repo.extendedHash);
}

function decide(command: CiVoteCommand, state: CiVoteState): readonly EventPayload<CiVoteEvent>[] {
  // One stream holds the votes on one repository: a vote naming another one is a caller's bug.
  const repo = repoOf(command);
  if (state.repo !== null && !sameRepo(state.repo, repo)) throw new VoteStreamMismatchError(state.repo, repo);
  switch (command.type) {
    case 'ReportVote':
      // Every verdict is recorded, even a repeated one: DLRN inserts a row per report.
      return [{ type: 'CiVoteReported', data: command.data }];
    case 'ClaimRepo':
      return [{ type: 'RepoClaimed', data: command.data }];
    case 'ReportAggregateVote':
      return [{ type: 'AggregateVoteReported', data: { ...command.data, inProgress: false } }];
    default: {
      const unknown: never = command;
      throw new DomainError('UNKNOWN_COMMAND', `unknown vote command ${JSON.stringify(unknown)}`);
    }
  }
}

function evolve(state: CiVoteState, event: EventPayload<CiVoteEvent>): CiVoteState {
  return { repo: state.repo ?? repoOf(event) };
}

/**
 * The votes on one repository (`civote-<commit>_<distro>[_<extended>]`, `aggvote-<hash>`).
 * Votes do not exclude each other (DLRN keeps every row), so the only invariant is the stream's
 * identity; whether the commit or aggregate exists is a read the use case makes first. Any one
 * event of the stream gives the state: reading its last one is enough.
 */
export const ciVoteDecider: Decider<CiVoteCommand, CiVoteState, CiVoteEvent> = {
  decide,
  evolve,
  initialState: () => ({ repo: null }),
};
