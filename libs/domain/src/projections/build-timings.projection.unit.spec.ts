import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../shared/event.js';
import { buildTimingsProjection, lastSuccessfulPassAt, type BuildTimingsDoc } from './build-timings.projection.js';
import { EventLog, given } from '../../../../test/support/projection-spec.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A build started at `start` s and ended at `end` s (from T0), its events stamped with `pass`. */
function build(
  log: EventLog,
  pkg: string,
  status: 'SUCCESS' | 'FAILED' | 'RETRY',
  start: number,
  end: number,
  pass: string,
) {
  const streamId = log.discover(pkg, `c${log.events.length}`);
  const buildId = log.claim(streamId);
  const from = log.events.length;
  log.append(
    streamId,
    'BuildStarted',
    { buildId, dtBuild: Math.floor((T0 + start * 1000) / 1000), workerId: 1, driver: 'rpmbuild' },
    at(start),
  );
  log.finish(streamId, buildId, status, at(end));
  for (let i = from; i < log.events.length; i++) {
    const event = log.events[i]!;
    (log.events as RecordedEvent[])[i] = { ...event, metadata: { ...event.metadata, correlationId: pass } };
  }
}

function timings(log: EventLog): BuildTimingsDoc {
  return given(log.events).then(buildTimingsProjection).get('all')!;
}

describe('build_timings projection (build durations, last successful pass)', () => {
  describe('when builds of 3 s, 40 s and 2 h ended', () => {
    const log = new EventLog();
    build(log, 'nova', 'SUCCESS', 0, 3, 'pass-1');
    build(log, 'glance', 'FAILED', 100, 140, 'pass-1');
    build(log, 'swift', 'SUCCESS', 1000, 1000 + 7200, 'pass-2');

    it('counts each in its bucket (over an hour: the last), with their sum', () => {
      const doc = timings(log);
      expect(doc.counts).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
      expect(doc.count).toBe(3);
      expect(doc.sum).toBe(3 + 40 + 7200);
      expect(doc.started).toEqual({});
    });

    it('takes the end of the last pass whose builds all succeeded', () => {
      expect(lastSuccessfulPassAt(timings(log))).toBe(T0 + 8200 * 1000);
    });

    it('gives the same document when the events are replayed', () => {
      expect(given(log.events).replayedTwice(buildTimingsProjection)).toEqual(
        given(log.events).then(buildTimingsProjection),
      );
    });
  });

  describe('when a build moved to the dist-git commit it made (rhpkg) and then succeeded', () => {
    it('counts its duration from its first start, once', () => {
      const log = new EventLog();
      const from = log.discover('nova', 'c1', { distroHash: 'd1' });
      const first = log.claim(from);
      log.append(from, 'BuildStarted', { buildId: first, dtBuild: T0 / 1000, workerId: 1, driver: 'koji' }, at(0));
      const to = log.discover('nova', 'c1', { distroHash: 'd2' });
      const second = log.claim(to);
      log.append(to, 'BuildStarted', { buildId: second, dtBuild: T0 / 1000, workerId: 1, driver: 'koji' }, at(30));
      log.move(from, first, to, second, 'd2', at(30));
      log.finish(to, second, 'SUCCESS', at(100));
      const doc = timings(log);
      expect(doc).toMatchObject({ count: 1, sum: 100, started: {} });
    });
  });

  describe('when the last pass had a failure', () => {
    it('keeps the end of the successful pass before it', () => {
      const log = new EventLog();
      build(log, 'nova', 'SUCCESS', 0, 10, 'pass-1');
      build(log, 'nova', 'SUCCESS', 100, 110, 'pass-2');
      build(log, 'glance', 'RETRY', 120, 130, 'pass-2');
      expect(lastSuccessfulPassAt(timings(log))).toBe(T0 + 10_000);
    });
  });

  describe('when many passes went by since the last successful one', () => {
    it('still remembers when it ended', () => {
      const log = new EventLog();
      build(log, 'nova', 'SUCCESS', 0, 10, 'pass-0');
      for (let i = 1; i <= 20; i++) build(log, 'nova', 'FAILED', i * 100, i * 100 + 5, `pass-${i}`);
      const doc = timings(log);
      expect(doc.passes.length).toBeLessThanOrEqual(16);
      expect(lastSuccessfulPassAt(doc)).toBe(T0 + 10_000);
    });
  });

  describe('when a build took exactly a bucket bound, or under a second', () => {
    it('counts it in that bucket (bounds are inclusive), the shortest in the first', () => {
      const log = new EventLog();
      build(log, 'nova', 'SUCCESS', 0, 1, 'pass-1');
      build(log, 'glance', 'SUCCESS', 10, 10.5, 'pass-1');
      build(log, 'swift', 'SUCCESS', 20, 25, 'pass-1');
      expect(timings(log).counts).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    });
  });

  describe('when a pass built several packages', () => {
    it('ends with its last build, and is successful only if every build was', () => {
      const good = new EventLog();
      build(good, 'nova', 'SUCCESS', 0, 50, 'pass-1');
      build(good, 'glance', 'SUCCESS', 5, 10, 'pass-1');
      expect(lastSuccessfulPassAt(timings(good))).toBe(T0 + 50_000);
      const bad = new EventLog();
      build(bad, 'nova', 'FAILED', 0, 10, 'pass-1');
      build(bad, 'glance', 'SUCCESS', 20, 30, 'pass-1');
      expect(lastSuccessfulPassAt(timings(bad))).toBeNull();
      expect(timings(bad).passes).toEqual([{ id: 'pass-1', ok: false, at: T0 + 30_000 }]);
    });
  });

  describe('when more than 16 passes went by', () => {
    it('keeps the last 16, remembers the latest success among those dropped, and prefers a later kept one', () => {
      const log = new EventLog();
      build(log, 'nova', 'SUCCESS', 0, 10, 'pass-1');
      build(log, 'nova', 'SUCCESS', 100, 120, 'pass-2');
      for (let i = 3; i <= 18; i++) build(log, 'nova', 'FAILED', i * 100, i * 100 + 5, `pass-${i}`);
      const dropped = timings(log);
      expect(dropped.passes.map((p) => p.id)).toEqual(Array.from({ length: 16 }, (_, i) => `pass-${i + 3}`));
      expect(dropped.olderSuccessAt).toBe(T0 + 120_000);
      expect(lastSuccessfulPassAt(dropped)).toBe(T0 + 120_000);
      build(log, 'nova', 'SUCCESS', 1900, 1950, 'pass-19');
      expect(lastSuccessfulPassAt(timings(log))).toBe(T0 + 1_950_000);
    });
  });

  describe('when a dropped successful pass ended after the one dropped next (workers with skewed clocks)', () => {
    it('remembers the latest end among the dropped, not the last one dropped', () => {
      const log = new EventLog();
      build(log, 'nova', 'SUCCESS', 400, 500, 'pass-1');
      build(log, 'glance', 'SUCCESS', 100, 120, 'pass-2');
      for (let i = 3; i <= 18; i++) build(log, 'nova', 'FAILED', i * 100, i * 100 + 5, `pass-${i}`);
      expect(timings(log).olderSuccessAt).toBe(T0 + 500_000);
    });
  });

  describe('when a started build is abandoned (its lease expired)', () => {
    it('counts no duration and forgets the start', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.append(streamId, 'BuildStarted', { buildId, dtBuild: T0 / 1000, workerId: 1, driver: 'rpmbuild' }, at(0));
      log.append(streamId, 'BuildAbandoned', { buildId, reason: 'lease_expired' }, at(60));
      expect(timings(log)).toMatchObject({ count: 0, sum: 0, started: {}, passes: [] });
    });
  });

  describe('when nothing was built yet, or a build is still running', () => {
    it('has no successful pass and keeps the running build aside', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.start(streamId, buildId, 1_709_251_200);
      const doc = timings(log);
      expect(lastSuccessfulPassAt(doc)).toBeNull();
      expect(doc.count).toBe(0);
      expect(Object.keys(doc.started)).toEqual([buildId]);
    });
  });
});

describe('the last successful pass, whatever the order its passes are kept in', () => {
  const doc = (passes: BuildTimingsDoc['passes'], olderSuccessAt: number | null): BuildTimingsDoc => ({
    key: 'all',
    started: {},
    counts: [],
    sum: 0,
    count: 0,
    passes,
    olderSuccessAt,
    lastPosition: 0,
  });

  it('is the latest end of a successful pass, not the last one listed, nor a failed one', () => {
    const passes = [
      { id: 'p2', ok: true, at: 200 },
      { id: 'p1', ok: true, at: 100 },
      { id: 'p3', ok: false, at: 300 },
    ];
    expect(lastSuccessfulPassAt(doc(passes, null))).toBe(200);
    expect(lastSuccessfulPassAt(doc(passes, 250))).toBe(250);
    expect(lastSuccessfulPassAt(doc([], null))).toBeNull();
  });
});
