import { describe, expect, it } from 'vitest';
import { ciVotesProjection } from './ci-votes.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

const vote = {
  commitHash: 'c1',
  distroHash: 'd1',
  extendedHash: null,
  component: 'compute',
  jobId: 'tripleo-ci',
  url: 'https://ci/1',
  notes: 'all green',
  timestamp: 1_710_000_000,
  user: 'ci-bot',
};

describe('ci_votes projection (DLRN civotes table)', () => {
  describe('when a CI reported a verdict and another claimed the repo', () => {
    const log = new EventLog();
    const reported = log.append('civote-c1_d1', 'CiVoteReported', { ...vote, success: true });
    const claimed = log.append('civote-c1_d1', 'RepoClaimed', {
      ...vote,
      jobId: 'periodic',
      url: '',
      notes: '',
      timestamp: 1_710_000_100,
    });

    it('keeps one row per event: the verdict, and the claim as a negative vote in progress', () => {
      const rows = rowsOf(ciVotesProjection, given(log.events).then(ciVotesProjection));
      expect(rows.get(reported.metadata.eventId)).toEqual({
        id: reported.position,
        commit_hash: 'c1',
        distro_hash: 'd1',
        extended_hash: null,
        ci_name: 'tripleo-ci',
        ci_url: 'https://ci/1',
        ci_vote: 1,
        ci_in_progress: 0,
        timestamp: 1_710_000_000,
        notes: 'all green',
        user: 'ci-bot',
        component: 'compute',
      });
      expect(rows.get(claimed.metadata.eventId)).toMatchObject({
        ci_name: 'periodic',
        ci_vote: 0,
        ci_in_progress: 1,
        timestamp: 1_710_000_100,
      });
    });

    it('gives the same rows when the events are replayed', () => {
      const replayed = given(log.events).replayedTwice(ciVotesProjection);
      expect(replayed).toEqual(given(log.events).then(ciVotesProjection));
      expect(replayed.size).toBe(2);
    });
  });

  describe('when a CI reported a failure', () => {
    it('stores a negative vote, not in progress', () => {
      const log = new EventLog();
      const failed = log.append('civote-c1_d1', 'CiVoteReported', { ...vote, success: false });
      expect(given(log.events).then(ciVotesProjection).get(failed.metadata.eventId)).toMatchObject({
        ciVote: false,
        ciInProgress: false,
      });
    });
  });
});
