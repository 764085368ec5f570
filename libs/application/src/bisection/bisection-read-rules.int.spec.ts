import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaVersionOf } from '#domain/catalogue.js';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { openSqliteReadModelStore } from '#infrastructure/read-model/kysely-read-model.store.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { DashboardQueries } from '#application/queries/dashboard.queries.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { EventLog } from '../../../../test/support/projection-spec.js';

/**
 * Bisection steps in the read side (issue 20): rows of the builds table (the timeline shows
 * them, with their purpose) that DLRN's answers never count. Real SQLite stores, the real
 * projector, the real query classes.
 */
describe('bisection steps in the views', () => {
  const purpose = (step: number) => ({ kind: 'bisection' as const, bisectionId: 'bisection-nova@c1_c9', step });
  let events: SqliteEventStore;
  let views: ReadModelStore;
  let ids: Record<string, string>;

  beforeAll(async () => {
    const log = new EventLog();
    ids = {
      c1: log.build('nova', 'c1', 'SUCCESS', { dtBuild: 1000 }).buildId,
      c9: log.build('nova', 'c9', 'FAILED', { dtBuild: 2000 }).buildId,
      // Steps come after the failure: newer results, a newer success among them.
      c5: log.build('nova', 'c5', 'SUCCESS', { dtBuild: 3000, purpose: purpose(1) }).buildId,
      c7: log.build('nova', 'c7', 'FAILED', { dtBuild: 4000, purpose: purpose(2) }).buildId,
    };
    events = new SqliteEventStore(':memory:');
    for (const event of log.events) {
      const metadata = { ...event.metadata, schemaVersion: schemaVersionOf(event.type) };
      await events.append(event.streamId, [{ type: event.type, data: event.data, metadata }]);
    }
    views = await openSqliteReadModelStore(':memory:');
    const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS, { owner: 'test' });
    await engine.start();
    await engine.run({ untilCaughtUp: true });
    await engine.stop();
  });
  afterAll(async () => {
    await views?.close();
    await events?.close();
  });

  it("are never the package's last processed build (DLRN's getLastProcessedCommit)", async () => {
    expect((await new DlrnQueries(views).lastProcessedCommit('nova'))?.commitHash).toBe('c9');
  });

  it('are never the build a vote or a promotion of their hashes names (_get_commit)', async () => {
    const queries = new DlrnQueries(views);
    expect(await queries.successfulCommit('c5', 'd1', null)).toBeNull();
    expect((await queries.successfulCommit('c1', 'd1', null))?.buildId).toBe(ids['c1']);
  });

  it('never count in /api/metrics/builds', async () => {
    expect(await new DlrnQueries(views).buildCounts(0, 10_000, 'nova')).toEqual({ succeeded: 1, failed: 1 });
  });

  it("leave the package's status alone: FAILED since c9, last success c1 (status report, /api/packages)", async () => {
    const [doc] = await new DashboardQueries(views).packageStatuses();
    expect(doc).toMatchObject({ package: 'nova', status: 'FAILED', lastStatus: 'FAILED', failuresSinceSuccess: 1 });
    expect(doc?.firstFailure?.buildId).toBe(ids['c9']);
    expect(doc?.lastSuccess?.buildId).toBe(ids['c1']);
  });

  it('are in the timeline (/api/builds, report.html), each with its purpose', async () => {
    const builds = await new ResourceQueries(views, '/nonexistent').builds({
      package: 'nova',
      status: null,
      component: null,
      commitHash: null,
      since: null,
      until: null,
      before: null,
      limit: 10,
    });
    expect(builds.map((b) => [b.commitHash, b.purpose])).toEqual([
      ['c7', purpose(2)],
      ['c5', purpose(1)],
      ['c9', { kind: 'commit' }],
      ['c1', { kind: 'commit' }],
    ]);
    const report = await new DashboardQueries(views).buildReport({
      package: null,
      component: null,
      success: null,
      offset: 0,
    });
    expect(report.total).toBe(4);
  });
});
