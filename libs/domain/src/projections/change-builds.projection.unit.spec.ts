import { describe, expect, it } from 'vitest';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';
import { CHANGE_BUILD_STATES, changeBuildsProjection } from './change-builds.projection.js';

const key = { forge: 'github', change: '1', package: 'nova', side: 'upstream' } as const;
const stream = 'changebuild-github_upstream_1_nova';
const request = (patchset: number, headSha: string) => ({
  ...key,
  patchset,
  repositoryUrl: 'https://github.com/openstack/nova',
  fetchRef: 'refs/pull/1/head',
  headSha,
  deliveryId: `d${patchset}`,
  requestedAt: '2026-12-06T01:00:00.000Z',
});

describe('change_builds projection', () => {
  describe('when patch set 2 superseded a queued 1, was built, then purged', () => {
    const log = new EventLog();
    const first = log.append(stream, 'ChangeBuildRequested', request(1, 'a'.repeat(40)));
    const second = log.append(stream, 'ChangeBuildRequested', request(2, 'b'.repeat(40)));
    log.append(stream, 'ChangeBuildSuperseded', { ...key, patchset: 1, byPatchset: 2 });
    log.append(stream, 'ChangeBuildStarted', {
      ...key,
      patchset: 2,
      builderId: 'b1',
      startedAt: '2026-12-06T01:01:00.000Z',
      leaseExpiresAt: '2026-12-06T07:01:00.000Z',
    });
    const repoPath = 'repos/changes/github/1/2/nova';
    log.append(stream, 'ChangeBuildSucceeded', {
      ...key,
      patchset: 2,
      repoPath,
      rpms: ['nova-1-1.noarch.rpm'],
      nvr: 'nova-1-1',
      repoFile: 'delorean.repo',
    });

    it('lists each patch set with its state, the built one with its repository', () => {
      const docs = given(log.events).then(changeBuildsProjection);
      expect(docs.get('github_upstream_1_nova_1')).toMatchObject({
        state: 'superseded',
        supersededBy: 2,
        requestedPosition: first.position,
      });
      expect(docs.get('github_upstream_1_nova_2')).toMatchObject({
        state: 'succeeded',
        builderId: 'b1',
        repoPath,
        repoFile: 'delorean.repo',
        nvr: 'nova-1-1',
        requestedPosition: second.position,
      });
      expect([...rowsOf(changeBuildsProjection, docs).values()].map((row) => row.state)).toEqual([
        'superseded',
        'succeeded',
      ]);
    });

    it('replaying the events changes nothing', () => {
      expect(given(log.events).replayedTwice(changeBuildsProjection)).toEqual(
        given(log.events).then(changeBuildsProjection),
      );
    });

    it('an older event delivered again changes nothing (the request does not start the build over)', () => {
      const [, secondRequest] = log.events;
      expect(given([...log.events, secondRequest!]).then(changeBuildsProjection)).toEqual(
        given(log.events).then(changeBuildsProjection),
      );
    });

    it('a purge drops the repository, keeps the build', () => {
      const purged = new EventLog();
      for (const event of log.events) purged.append(event.streamId, event.type, event.data as object);
      purged.append(stream, 'ChangeBuildPurged', { ...key, patchset: 2, repoPath });
      expect(given(purged.events).then(changeBuildsProjection).get('github_upstream_1_nova_2')).toMatchObject({
        state: 'succeeded',
        repoPath: null,
        repoFile: null,
        purged: true,
      });
    });
  });

  describe('when a change is requested, then closed before its build', () => {
    it('lists the request as queued, with nothing built, then as cancelled with the reason', () => {
      const log = new EventLog();
      log.append(stream, 'ChangeBuildRequested', request(1, 'a'.repeat(40)));
      expect(given(log.events).then(changeBuildsProjection).get('github_upstream_1_nova_1')).toMatchObject({
        state: 'queued',
        rpms: [],
        purged: false,
        startedAt: null,
        reason: null,
      });
      log.append(stream, 'ChangeBuildCancelled', { ...key, patchset: 1, reason: 'closed' });
      expect(given(log.events).then(changeBuildsProjection).get('github_upstream_1_nova_1')).toMatchObject({
        state: 'cancelled',
        reason: 'change closed',
      });
    });
  });

  it('offers each state a build can be in as a filter', () => {
    expect(CHANGE_BUILD_STATES).toEqual(['queued', 'running', 'succeeded', 'failed', 'superseded', 'cancelled']);
  });
});
