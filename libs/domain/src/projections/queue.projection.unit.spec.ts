import { describe, expect, it } from 'vitest';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';
import { queueProjection } from './queue.projection.js';

describe('queue projection (pending commits)', () => {
  describe('when a commit was discovered', () => {
    it('waits in the queue with its commit date', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1', { dtCommit: 1_700_000_123, component: 'compute' });
      const docs = given(log.events).then(queueProjection);
      expect(docs.get(streamId)).toMatchObject({ state: 'waiting', package: 'nova', commitHash: 'c1', retries: 0 });
      expect(rowsOf(queueProjection, docs).get(streamId)).toEqual({
        package: 'nova',
        dt_commit: 1_700_000_123,
        state: 'waiting',
        component: 'compute',
        builder_id: null,
      });
    });
  });

  describe('when a bisection step was requested (issue 20)', () => {
    it('waits in the queue with its purpose', () => {
      const log = new EventLog();
      const purpose = { kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step: 1 };
      const streamId = log.discover('nova', 'c5', { purpose });
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({ state: 'waiting', purpose });
    });
  });

  describe('when a builder claimed it', () => {
    it('is building, with the builder and its lease', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId, 'builder-9');
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({
        state: 'building',
        buildId,
        builderId: 'builder-9',
        leaseExpiresAt: '2099-01-01T00:00:00.000Z',
      });
    });
  });

  describe('when the build ended with SUCCESS or FAILED', () => {
    it('leaves the queue', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS');
      log.build('nova', 'c2', 'FAILED');
      expect(given(log.events).then(queueProjection).size).toBe(0);
      expect(given(log.events).replayedTwice(queueProjection).size).toBe(0);
    });
  });

  describe('when the build moved to the dist-git commit it made (rhpkg)', () => {
    it('leaves the queue under the old triple and is building under the new one', () => {
      const log = new EventLog();
      const from = log.discover('nova', 'c1', { distroHash: 'd1' });
      const first = log.claim(from);
      const to = log.discover('nova', 'c1', { distroHash: 'd2' });
      const second = log.claim(to);
      log.move(from, first, to, second, 'd2');
      const docs = given(log.events).then(queueProjection);
      expect([...docs.keys()]).toEqual([to]);
      expect(docs.get(to)).toMatchObject({ state: 'building', buildId: second, distroHash: 'd2' });
    });
  });

  describe('when the build ended with RETRY', () => {
    const log = new EventLog();
    const { streamId } = log.build('nova', 'c1', 'RETRY');

    it('waits again, counting the retry', () => {
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({ state: 'waiting', retries: 1 });
    });

    it('leaves the queue when the next attempt succeeds', () => {
      const next = new EventLog();
      const again = next.build('nova', 'c1', 'RETRY');
      const buildId = next.claim(again.streamId);
      expect(given(next.events).then(queueProjection).get(again.streamId)?.state).toBe('building');
      next.finish(again.streamId, buildId, 'SUCCESS');
      expect(given(next.events).then(queueProjection).has(again.streamId)).toBe(false);
    });
  });

  describe('when an older RETRY is delivered again after the next claim', () => {
    it('stays building', () => {
      const log = new EventLog();
      const { streamId } = log.build('nova', 'c1', 'RETRY');
      const retry = log.events.at(-1)!;
      const buildId = log.claim(streamId, 'builder-2');
      expect(
        given([...log.events, retry])
          .then(queueProjection)
          .get(streamId),
      ).toMatchObject({
        state: 'building',
        buildId,
      });
    });
  });

  describe('when a claim was abandoned', () => {
    it('waits again', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.append(streamId, 'BuildAbandoned', { buildId, reason: 'builder_stopped' });
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({ state: 'waiting' });
    });

    it('stays building when the abandoned claim is not the current one', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const old = log.claim(streamId, 'builder-1');
      const current = log.claim(streamId, 'builder-2');
      log.append(streamId, 'BuildAbandoned', { buildId: old, reason: 'lease_expired' });
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({
        state: 'building',
        buildId: current,
      });
    });
  });

  describe('when a claim ended in a retry and its abandon comes after', () => {
    it('keeps waiting from the retry, not from the late abandon', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      const retry = log.append(streamId, 'BuildRetryScheduled', {
        buildId,
        repoDir: 'c1_d1',
        notes: 'mirror',
        matchedError: 'x',
        retries: 1,
        maxRetries: 3,
      });
      log.append(streamId, 'BuildAbandoned', { buildId, reason: 'lease_expired' });
      expect(given(log.events).then(queueProjection).get(streamId)).toMatchObject({
        state: 'waiting',
        retries: 1,
        queuedAt: retry.metadata.occurredAt,
      });
    });
  });

  it('keys only build streams', () => {
    const log = new EventLog();
    const streamId = log.discover('nova', 'c1');
    const [discovered] = log.events;
    expect(queueProjection.keys(discovered as never, { commit: null })).toEqual([streamId]);
    expect(
      queueProjection.keys({ ...discovered!, streamId: 'bisection-nova@c1_c9' } as never, { commit: null }),
    ).toEqual([]);
  });

  describe('when a failed build was rechecked', () => {
    const log = new EventLog();
    const { streamId, buildId } = log.build('nova', 'c1', 'FAILED', { dtCommit: 1_700_000_555 });
    log.recheck(streamId, buildId);

    it('is back in the queue, waiting, with its commit', () => {
      const docs = given(log.events).then(queueProjection);
      expect(docs.get(streamId)).toMatchObject({ state: 'waiting', commitHash: 'c1', dtCommit: 1_700_000_555 });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(queueProjection)).toEqual(given(log.events).then(queueProjection));
    });
  });
});
