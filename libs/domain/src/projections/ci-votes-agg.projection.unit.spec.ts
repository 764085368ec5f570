import { describe, expect, it } from 'vitest';
import { ciVotesAggProjection } from './ci-votes-agg.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

describe('ci_votes_agg projection (DLRN civotes_agg table)', () => {
  describe('when CIs voted on an aggregate hash', () => {
    const log = new EventLog();
    const vote = {
      aggregateHash: 'abc123',
      jobId: 'integration',
      url: 'https://ci/9',
      notes: '',
      timestamp: 1_710_000_000,
      user: 'ci-bot',
    };
    const passed = log.append('aggvote-abc123', 'AggregateVoteReported', { ...vote, success: true, inProgress: false });
    const running = log.append('aggvote-abc123', 'AggregateVoteReported', {
      ...vote,
      jobId: 'other',
      success: false,
      inProgress: true,
    });

    it('keeps one row per vote with the ref hash', () => {
      const rows = rowsOf(ciVotesAggProjection, given(log.events).then(ciVotesAggProjection));
      expect(rows.get(passed.metadata.eventId)).toEqual({
        id: passed.position,
        ref_hash: 'abc123',
        ci_name: 'integration',
        ci_url: 'https://ci/9',
        ci_vote: 1,
        ci_in_progress: 0,
        timestamp: 1_710_000_000,
        notes: '',
        user: 'ci-bot',
      });
      expect(rows.get(running.metadata.eventId)).toMatchObject({ ci_name: 'other', ci_vote: 0, ci_in_progress: 1 });
    });

    it('gives the same rows when the events are replayed', () => {
      expect(given(log.events).replayedTwice(ciVotesAggProjection)).toEqual(
        given(log.events).then(ciVotesAggProjection),
      );
    });
  });
});
