import { describe, expect, it } from 'vitest';
import { componentsProjection } from './components.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

describe('components projection', () => {
  describe('when one component is built and another only promoted', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS', { component: 'compute' });
    log.build('glance', 'c2', 'SUCCESS');
    log.append('promotion-tested@component/storage', 'RepoPromoted', {
      promotionName: 'tested',
      commitHash: 'c9',
      distroHash: 'd9',
      extendedHash: null,
      component: 'storage',
      repoDir: 'component/storage/c9/c9/c9_d9',
      previousRepoDir: null,
      timestamp: 1_710_000_000,
      user: null,
      aggregateHash: 'agg',
    });

    it('lists both with where each was seen, and nothing for builds without component', () => {
      const docs = given(log.events).then(componentsProjection);
      expect([...docs.keys()].sort()).toEqual(['compute', 'storage']);
      const rows = rowsOf(componentsProjection, docs);
      expect(rows.get('compute')).toEqual({ name: 'compute', in_builds: 1, in_promotions: 0 });
      expect(rows.get('storage')).toEqual({ name: 'storage', in_builds: 0, in_promotions: 1 });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(componentsProjection)).toEqual(
        given(log.events).then(componentsProjection),
      );
    });
  });

  describe('when an older build of the component is delivered again', () => {
    it('keeps the position of the newest event folded in', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { component: 'compute' });
      const claim = log.events.find((e) => e.type === 'BuildClaimed')!;
      log.build('nova', 'c2', 'SUCCESS', { component: 'compute' });
      const newest = log.events.filter((e) => e.type === 'BuildClaimed').at(-1)!;
      expect(
        given([...log.events, claim])
          .then(componentsProjection)
          .get('compute')?.lastPosition,
      ).toBe(newest.position);
    });
  });

  describe('when a built component is later promoted', () => {
    it('is seen in both', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS', { component: 'compute' });
      log.append('promotion-tested@component/compute', 'RepoPromoted', {
        promotionName: 'tested',
        commitHash: 'c1',
        distroHash: 'd1',
        extendedHash: null,
        component: 'compute',
        repoDir: 'component/compute/c1/c1/c1_d1',
        previousRepoDir: null,
        timestamp: 1_710_000_000,
        user: 'admin',
        aggregateHash: 'agg',
      });
      expect(given(log.events).then(componentsProjection).get('compute')).toMatchObject({
        seenInBuilds: true,
        seenInPromotions: true,
      });
    });
  });
});
