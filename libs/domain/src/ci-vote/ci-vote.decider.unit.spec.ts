import { describe, expect, it } from 'vitest';
import { deciderSpec } from '../../../../test/support/decider-spec.js';
import {
  ciVoteDecider,
  ciVoteStreamOf,
  VoteStreamMismatchError,
  type CiVoteCommand,
  type ReportAggregateVote,
  type ReportVote,
} from './ci-vote.decider.js';
import type { EventPayload } from '../shared/event.js';
import {
  CONSISTENT_JOB_ID,
  type AggregateVoteReported,
  type CiVoteReported,
  type RepoClaimed,
} from './ci-vote.events.js';

const spec = deciderSpec(ciVoteDecider);

const vote = (extra: Partial<ReportVote['data']> = {}): CiVoteReported['data'] => ({
  commitHash: 'abc',
  distroHash: 'def',
  extendedHash: null,
  component: null,
  jobId: 'periodic',
  url: 'https://ci/1',
  notes: '',
  timestamp: 1_700_000_000,
  user: 'ci',
  success: true,
  ...extra,
});
const claim = (extra: Partial<RepoClaimed['data']> = {}): RepoClaimed['data'] => {
  const { success: _success, ...rest } = vote({ url: '', ...extra });
  return rest;
};
const aggregate = (extra: Partial<ReportAggregateVote['data']> = {}): ReportAggregateVote['data'] => ({
  aggregateHash: '0123abcd',
  jobId: 'periodic',
  url: 'https://ci/2',
  notes: 'n',
  timestamp: 1_700_000_000,
  user: 'ci',
  success: false,
  ...extra,
});
const reported = (data: CiVoteReported['data']) => ({ type: 'CiVoteReported', data }) as const;
const aggregateReported = (data: ReportAggregateVote['data']): EventPayload<AggregateVoteReported> => ({
  type: 'AggregateVoteReported',
  data: { ...data, inProgress: false },
});

describe('CI votes', () => {
  describe('when nobody voted on the repository yet', () => {
    it('records a verdict as it was reported', () => {
      spec
        .given([])
        .when({ type: 'ReportVote', data: vote() })
        .then([reported(vote())]);
    });

    it('records a claim', () => {
      spec
        .given([])
        .when({ type: 'ClaimRepo', data: claim() })
        .then([{ type: 'RepoClaimed', data: claim() }]);
    });

    it('records an aggregate verdict, never in progress', () => {
      spec
        .given([])
        .when({ type: 'ReportAggregateVote', data: aggregate() })
        .then([aggregateReported(aggregate())]);
    });
  });

  describe('when the repository has votes', () => {
    it('records every verdict again, as DLRN inserts a row per report', () => {
      spec
        .given([reported(vote()), { type: 'RepoClaimed', data: claim() }])
        .when({ type: 'ReportVote', data: vote({ success: false, jobId: 'other' }) })
        .then([reported(vote({ success: false, jobId: 'other' }))]);
    });

    it('records every verdict on an aggregate again, as on a commit', () => {
      spec
        .given([aggregateReported(aggregate())])
        .when({ type: 'ReportAggregateVote', data: aggregate({ success: true, jobId: 'other' }) })
        .then([aggregateReported(aggregate({ success: true, jobId: 'other' }))]);
    });

    it('remembers which repository the stream is about', () => {
      expect(spec.given([reported(vote()), { type: 'RepoClaimed', data: claim() }]).state()).toEqual({
        repo: { kind: 'commit', commitHash: 'abc', distroHash: 'def', extendedHash: null },
      });
    });
  });

  describe('when a vote names another repository than the stream', () => {
    it.each([
      ['commit', { commitHash: 'abd' }],
      ['distro', { distroHash: 'deg' }],
      ['extended', { extendedHash: 'x' }],
    ])('refuses another %s hash', (_what, extra) => {
      spec
        .given([reported(vote())])
        .when({ type: 'ReportVote', data: vote(extra) })
        .thenThrows('VOTE_STREAM_MISMATCH', /does not belong to the votes on abc_def$/);
    });

    it('refuses a claim on another repository', () => {
      spec
        .given([reported(vote({ extendedHash: 'x' }))])
        .when({ type: 'ClaimRepo', data: claim() })
        .thenThrows('VOTE_STREAM_MISMATCH', /^a vote on abc_def does not belong to the votes on abc_def_x$/);
    });

    it('refuses an aggregate vote in a commit stream, and the other way round', () => {
      spec
        .given([reported(vote())])
        .when({ type: 'ReportAggregateVote', data: aggregate() })
        .thenThrows('VOTE_STREAM_MISMATCH', /aggregate 0123abcd/);
      spec
        .given([aggregateReported(aggregate())])
        .when({ type: 'ReportVote', data: vote() })
        .thenThrows('VOTE_STREAM_MISMATCH', /votes on aggregate 0123abcd/);
      spec
        .given([aggregateReported(aggregate())])
        .when({ type: 'ReportAggregateVote', data: aggregate({ aggregateHash: 'ffff' }) })
        .thenThrows('VOTE_STREAM_MISMATCH');
    });
  });

  describe('when a vote lands in another repository’s stream', () => {
    it('keeps both repositories in the details of the refusal', () => {
      const stream = { kind: 'commit', commitHash: 'abc', distroHash: 'def', extendedHash: 'x' } as const;
      const other = { kind: 'aggregate', aggregateHash: '0123abcd' } as const;
      const error = new VoteStreamMismatchError(stream, other);
      expect(error.code).toBe('VOTE_STREAM_MISMATCH');
      expect(error.message).toBe('a vote on aggregate 0123abcd does not belong to the votes on abc_def_x');
      expect(error.details).toEqual({ stream, vote: other });
    });
  });

  describe('when the command is of no known type', () => {
    it('refuses it, naming the command', () => {
      spec
        .given([])
        .when({ type: 'WithdrawVote', data: vote() } as unknown as CiVoteCommand)
        .thenThrows('UNKNOWN_COMMAND', /^unknown vote command \{"type":"WithdrawVote",/);
    });
  });

  describe('the stream of a command', () => {
    it('is the repository voted on', () => {
      expect(ciVoteStreamOf({ type: 'ReportVote', data: vote() })).toBe('civote-abc_def');
      expect(ciVoteStreamOf({ type: 'ClaimRepo', data: claim({ extendedHash: 'x' }) })).toBe('civote-abc_def_x');
      expect(ciVoteStreamOf({ type: 'ReportAggregateVote', data: aggregate() })).toBe('aggvote-0123abcd');
    });
  });
});

describe("DLRN's own vote", () => {
  it("is reported under DLRN's reserved job id, which CIs filter on", () => {
    expect(CONSISTENT_JOB_ID).toBe('consistent');
  });
});
