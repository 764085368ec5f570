import { describe, expect, it } from 'vitest';
import { buildMetricsProjection } from './build-metrics.projection.js';
import { EventLog, given, rowsOf } from '../../../../test/support/projection-spec.js';

describe('build_metrics projection (builds by status)', () => {
  describe('when builds of two packages ended with each status', () => {
    const log = new EventLog();
    log.build('nova', 'c1', 'SUCCESS');
    log.build('nova', 'c2', 'FAILED');
    log.build('nova', 'c3', 'RETRY');
    log.build('glance', 'c4', 'SUCCESS');

    it('counts them for all time and per package', () => {
      const rows = rowsOf(buildMetricsProjection, given(log.events).then(buildMetricsProjection));
      expect(rows.get('all')).toEqual({ scope: 'all', success: 2, failed: 1, retry: 1 });
      expect(rows.get('package:nova')).toEqual({ scope: 'nova', success: 1, failed: 1, retry: 1 });
      expect(rows.get('package:glance')).toEqual({ scope: 'glance', success: 1, failed: 0, retry: 0 });
    });

    it('gives the same documents when the events are replayed', () => {
      expect(given(log.events).replayedTwice(buildMetricsProjection)).toEqual(
        given(log.events).then(buildMetricsProjection),
      );
    });
  });

  describe('when bisection steps were built (issue 20)', () => {
    it('does not count them', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS');
      const purpose = { kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step: 1 };
      log.build('nova', 'c5', 'SUCCESS', { purpose });
      log.build('nova', 'c6', 'FAILED', { purpose: { ...purpose, step: 2 } });
      const rows = rowsOf(buildMetricsProjection, given(log.events).then(buildMetricsProjection));
      expect(rows.get('all')).toEqual({ scope: 'all', success: 1, failed: 0, retry: 0 });
      expect(rows.get('package:nova')).toEqual({ scope: 'nova', success: 1, failed: 0, retry: 0 });
    });
  });

  describe('when a failed build is rechecked', () => {
    it('no longer counts it, as DLRN deletes the row', () => {
      const log = new EventLog();
      log.build('nova', 'c1', 'SUCCESS');
      const failed = log.build('nova', 'c2', 'FAILED');
      log.recheck(failed.streamId, failed.buildId);
      const rows = rowsOf(buildMetricsProjection, given(log.events).then(buildMetricsProjection));
      expect(rows.get('all')).toEqual({ scope: 'all', success: 1, failed: 0, retry: 0 });
      expect(rows.get('package:nova')).toEqual({ scope: 'nova', success: 1, failed: 0, retry: 0 });
    });
  });

  describe('when a success is rechecked by force', () => {
    it('no longer counts it as a success', () => {
      const log = new EventLog();
      const built = log.build('nova', 'c1', 'SUCCESS');
      log.build('nova', 'c2', 'FAILED');
      log.recheck(built.streamId, built.buildId, 'SUCCESS');
      const rows = rowsOf(buildMetricsProjection, given(log.events).then(buildMetricsProjection));
      expect(rows.get('all')).toEqual({ scope: 'all', success: 0, failed: 1, retry: 0 });
    });
  });

  describe('when a result has no known commit (its discovery not seen)', () => {
    it('counts it for all time only, and a bisection step nowhere', () => {
      const log = new EventLog();
      log.append('build-nova@c1_d1', 'BuildFailed', { buildId: 'b1', repoDir: 'c1_d1', notes: 'boom' });
      const purpose = { kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step: 1 };
      log.build('nova', 'c5', 'SUCCESS', { purpose });
      const docs = given(log.events).then(buildMetricsProjection);
      expect([...docs.keys()]).toEqual(['all']);
      expect(rowsOf(buildMetricsProjection, docs).get('all')).toEqual({
        scope: 'all',
        success: 0,
        failed: 1,
        retry: 0,
      });
    });
  });
});
