import { describe, expect, it } from 'vitest';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';
import { repoPointersProjection } from './repo-pointers.projection.js';

const promoted = (name: string, repoDir: string, component: string | null = null) => ({
  promotionName: name,
  commitHash: 'c2',
  distroHash: 'd2',
  extendedHash: null,
  component,
  repoDir,
  previousRepoDir: null,
  timestamp: 1_710_000_000,
  user: 'admin',
  aggregateHash: component ? 'agg' : null,
});

describe('repo_pointers projection (repository links)', () => {
  describe('when current moved twice and consistent once', () => {
    const log = new EventLog();
    log.append('pointer-current', 'CurrentMoved', {
      buildId: 'b1',
      repoDir: 'r1',
      previousRepoDir: null,
      component: null,
    });
    const moved = log.append('pointer-current', 'CurrentMoved', {
      buildId: 'b2',
      repoDir: 'r2',
      previousRepoDir: 'r1',
      component: null,
    });
    log.append('pointer-consistent', 'ConsistentMoved', {
      buildId: 'b1',
      repoDir: 'r1',
      previousRepoDir: null,
      component: null,
    });

    it('points each link at its last repo, remembering the one before', () => {
      const docs = given(log.events).then(repoPointersProjection);
      expect(docs.get('current')).toMatchObject({
        kind: 'current',
        repoDir: 'r2',
        buildId: 'b2',
        previousRepoDir: 'r1',
        since: moved.metadata.occurredAt,
        position: moved.position,
      });
      expect(docs.get('consistent')).toMatchObject({ kind: 'consistent', repoDir: 'r1', previousRepoDir: null });
      expect(rowsOf(repoPointersProjection, docs).get('current')).toEqual({
        pointer: 'current',
        kind: 'current',
        component: null,
        repo_dir: 'r2',
        since: moved.metadata.occurredAt,
        position: moved.position,
      });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(repoPointersProjection)).toEqual(
        given(log.events).then(repoPointersProjection),
      );
    });
  });

  describe('when repos are promoted with and without components', () => {
    it('keys each promotion name, per component under component/<c>/', () => {
      const log = new EventLog();
      log.append('promotion-tested', 'RepoPromoted', promoted('tested', 'r1'));
      log.append('promotion-tested', 'RepoPromoted', { ...promoted('tested', 'r2'), previousRepoDir: 'r1' });
      log.append('promotion-tested@component/compute', 'RepoPromoted', promoted('tested', 'r3', 'compute'));
      log.append('pointer-current@component/compute', 'CurrentMoved', {
        buildId: 'b7',
        repoDir: 'r4',
        previousRepoDir: null,
        component: 'compute',
      });
      const docs = given(log.events).then(repoPointersProjection);
      expect([...docs.keys()].sort()).toEqual(['component/compute/current', 'component/compute/tested', 'tested']);
      expect(docs.get('tested')).toMatchObject({
        kind: 'promotion',
        pointer: 'tested',
        repoDir: 'r2',
        previousRepoDir: 'r1',
        commitHash: 'c2',
        buildId: null,
      });
      expect(docs.get('component/compute/tested')).toMatchObject({
        pointer: 'tested',
        component: 'compute',
        aggregateHash: 'agg',
      });
    });
  });

  describe('when an older move is delivered again', () => {
    it('keeps the newer target', () => {
      const log = new EventLog();
      const first = log.append('pointer-current', 'CurrentMoved', {
        buildId: 'b1',
        repoDir: 'r1',
        previousRepoDir: null,
        component: null,
      });
      log.append('pointer-current', 'CurrentMoved', {
        buildId: 'b2',
        repoDir: 'r2',
        previousRepoDir: 'r1',
        component: null,
      });
      expect(
        given([...log.events, first])
          .then(repoPointersProjection)
          .get('current')?.repoDir,
      ).toBe('r2');
    });
  });

  describe('when a batch that could not be recorded whole was rolled back', () => {
    const rolledBack = (name: string, undone: string, restored: ReturnType<typeof promoted> | null) => ({
      promotionName: name,
      component: null,
      promotionEventIds: ['e'],
      rolledBackRepoDir: undone,
      repoDir: restored?.repoDir ?? null,
      restored,
      timestamp: 1_710_000_100,
      user: 'admin',
    });

    it('points the name back at the promotion before the batch, hashes included', () => {
      const log = new EventLog();
      log.append('promotion-tested', 'RepoPromoted', { ...promoted('tested', 'r1'), commitHash: 'c1' });
      log.append('promotion-tested', 'RepoPromoted', promoted('tested', 'r2'));
      log.append(
        'promotion-tested',
        'PromotionRolledBack',
        rolledBack('tested', 'r2', { ...promoted('tested', 'r1'), commitHash: 'c1' }),
      );
      const docs = given(log.events).then(repoPointersProjection);
      expect(docs.get('tested')).toMatchObject({ repoDir: 'r1', commitHash: 'c1', previousRepoDir: 'r2' });
      expect(given(log.events).replayedTwice(repoPointersProjection)).toEqual(docs);
    });

    it('forgets a name the batch promoted for the first time', () => {
      const log = new EventLog();
      log.append('promotion-fresh', 'RepoPromoted', promoted('fresh', 'r1'));
      log.append('promotion-fresh', 'PromotionRolledBack', rolledBack('fresh', 'r1', null));
      expect(given(log.events).then(repoPointersProjection).has('fresh')).toBe(false);
      expect(given(log.events).replayedTwice(repoPointersProjection).has('fresh')).toBe(false);
    });
  });
});
