import { describe, expect, it } from 'vitest';
import { promotionsProjection } from './promotions.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

const promotion = {
  promotionName: 'current-passed-ci',
  commitHash: 'c1',
  distroHash: 'd1',
  extendedHash: null,
  component: null,
  repoDir: 'c1/c1/c1_d1',
  previousRepoDir: null,
  timestamp: 1_710_000_000,
  user: 'admin',
  aggregateHash: null,
};

describe('promotions projection (DLRN promotions table)', () => {
  describe('when a repo was promoted twice under the same name', () => {
    const log = new EventLog();
    const first = log.append('promotion-current-passed-ci', 'RepoPromoted', promotion);
    const second = log.append('promotion-current-passed-ci', 'RepoPromoted', {
      ...promotion,
      commitHash: 'c2',
      repoDir: 'c2/c2/c2_d1',
      previousRepoDir: 'c1/c1/c1_d1',
      timestamp: 1_710_000_500,
      component: 'compute',
      aggregateHash: 'agg1',
    });

    it('keeps both rows, ordered by id as DLRN lists them', () => {
      const rows = rowsOf(promotionsProjection, given(log.events).then(promotionsProjection));
      expect(rows.get(first.metadata.eventId)).toEqual({
        id: first.position,
        promotion_name: 'current-passed-ci',
        commit_hash: 'c1',
        distro_hash: 'd1',
        extended_hash: null,
        repo_dir: 'c1/c1/c1_d1',
        timestamp: 1_710_000_000,
        user: 'admin',
        component: null,
        aggregate_hash: null,
      });
      expect(rows.get(second.metadata.eventId)).toMatchObject({
        id: second.position,
        commit_hash: 'c2',
        component: 'compute',
        aggregate_hash: 'agg1',
      });
      expect(second.position).toBeGreaterThan(first.position);
    });

    it('gives the same rows when the events are replayed', () => {
      const replayed = given(log.events).replayedTwice(promotionsProjection);
      expect(replayed).toEqual(given(log.events).then(promotionsProjection));
      expect(replayed.size).toBe(2);
    });
  });

  describe('when a batch that could not be recorded whole was rolled back', () => {
    const log = new EventLog();
    const kept = log.append('promotion-current-passed-ci', 'RepoPromoted', promotion);
    const undone = log.append('promotion-current-passed-ci', 'RepoPromoted', {
      ...promotion,
      repoDir: 'c2/c2/c2_d1',
      previousRepoDir: 'c1/c1/c1_d1',
    });
    log.append('promotion-current-passed-ci', 'PromotionRolledBack', {
      promotionName: 'current-passed-ci',
      component: null,
      promotionEventIds: [undone.metadata.eventId],
      rolledBackRepoDir: 'c2/c2/c2_d1',
      repoDir: 'c1/c1/c1_d1',
      restored: promotion,
      timestamp: 1_710_000_600,
      user: 'admin',
    });

    it('keeps no row of the undone promotion, as DLRN records none', () => {
      const docs = given(log.events).then(promotionsProjection);
      expect([...docs.keys()]).toEqual([kept.metadata.eventId]);
      expect(given(log.events).replayedTwice(promotionsProjection)).toEqual(docs);
    });
  });
});
