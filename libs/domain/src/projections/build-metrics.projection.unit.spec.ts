import { describe, expect, it } from 'vitest';
import { buildMetricsProjection } from './build-metrics.projection.js';
import { EventLog, given, rowsOf } from './projection-spec.js';

const MARCH_1 = Date.parse('2024-03-01T00:00:00Z') / 1000;
const MARCH_2 = MARCH_1 + 86_400;

describe('build_metrics projection (builds by status)', () => {
  describe('when builds of two days ended with each status', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS', { dtBuild: MARCH_1 + 10 });
    log.build('nova', 'c2', 'FAILED', { dtBuild: MARCH_1 + 20 });
    log.build('nova', 'c3', 'RETRY', { dtBuild: MARCH_2 + 30, finishedAt: '2024-03-02T01:00:00Z' });
    log.build('glance', 'c4', 'SUCCESS', { dtBuild: MARCH_2 + 40, finishedAt: '2024-03-02T01:00:00Z' });

    it('counts them per UTC day of dt_build and for all time', () => {
      const rows = rowsOf(buildMetricsProjection, given(log.events).then(buildMetricsProjection));
      expect(rows.get('2024-03-01')).toEqual({
        day: '2024-03-01',
        day_start: MARCH_1,
        success: 1,
        failed: 1,
        retry: 0,
      });
      expect(rows.get('2024-03-02')).toEqual({
        day: '2024-03-02',
        day_start: MARCH_2,
        success: 1,
        failed: 0,
        retry: 1,
      });
      expect(rows.get('all')).toEqual({ day: 'all', day_start: null, success: 2, failed: 1, retry: 1 });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(buildMetricsProjection)).toEqual(
        given(log.events).then(buildMetricsProjection),
      );
    });
  });

  describe('when a build started before midnight and ended after it', () => {
    it('counts it on the day it started (dt_build)', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'FAILED', { dtBuild: MARCH_2 - 60, finishedAt: '2024-03-02T02:00:00Z' });
      const docs = given(log.events).then(buildMetricsProjection);
      expect(docs.get('2024-03-01')).toMatchObject({ failed: 1 });
      expect(docs.get('2024-03-01')?.open).toEqual({});
      expect(docs.get('2024-03-02')).toBeUndefined();
    });
  });

  describe('when a failed build was rechecked', () => {
    const log = new EventLog();
    const failed = log.build('nova', 'c1', 'FAILED', { dtBuild: MARCH_1 + 10 });
    log.build('nova', 'c2', 'FAILED', { dtBuild: MARCH_1 + 20 });
    log.recheck(failed.streamId, failed.buildId);

    it('subtracts it from its day and from all time', () => {
      const docs = given(log.events).then(buildMetricsProjection);
      expect(docs.get('2024-03-01')).toMatchObject({ failed: 1 });
      expect(docs.get('all')).toMatchObject({ failed: 1 });
    });

    it('counts the rebuild once it ends', () => {
      const rebuilt = new EventLog();
      const first = rebuilt.build('nova', 'c1', 'FAILED', { dtBuild: MARCH_1 + 10 });
      rebuilt.recheck(first.streamId, first.buildId);
      rebuilt.build('nova', 'c1', 'SUCCESS', { dtBuild: MARCH_1 + 900 });
      expect(given(rebuilt.events).then(buildMetricsProjection).get('all')).toMatchObject({ success: 1, failed: 0 });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(buildMetricsProjection)).toEqual(
        given(log.events).then(buildMetricsProjection),
      );
    });
  });

  describe('when a successful build was force-rechecked', () => {
    it('subtracts a success', () => {
      const log = new EventLog();
      const built = log.build('nova', 'c1', 'SUCCESS', { dtBuild: MARCH_1 + 10 });
      log.recheck(built.streamId, built.buildId, 'SUCCESS');
      const docs = given(log.events).then(buildMetricsProjection);
      expect(docs.get('all')).toMatchObject({ success: 0 });
      expect(docs.get('2024-03-01')).toMatchObject({ success: 0 });
      expect(docs.get('2024-03-01')?.counted).toEqual({});
    });
  });

  describe('when a started build was abandoned', () => {
    it('counts nothing and forgets the open build', () => {
      const log = new EventLog();
      const streamId = log.discover('nova', 'c1');
      const buildId = log.claim(streamId);
      log.start(streamId, buildId, MARCH_1 + 10);
      log.append(streamId, 'BuildAbandoned', { buildId, reason: 'lease_expired' });
      const docs = given(log.events).then(buildMetricsProjection);
      expect(docs.get('2024-03-01')).toMatchObject({ success: 0, failed: 0, retry: 0 });
      expect(docs.get('2024-03-01')?.open).toEqual({});
      expect(docs.has('all')).toBe(false);
    });
  });
});
