import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModelStore } from '#domain/projections/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { testEvent } from '../../../../../test/support/events.js';
import { HistoryHandler, HistoryQuery, SCAN_WINDOW } from './history.query.js';

describe('GET /api/events with a filter that matches little: one request scans a bounded window', () => {
  const store = new SqliteEventStore(':memory:');
  const handler = new HistoryHandler(store, {} as ReadModelStore);
  const page = (after: number) =>
    handler.execute(new HistoryQuery({ after, limit: 10, types: ['BuildFailed'], package: null, buildId: null }));

  beforeAll(async () => {
    for (let i = 0; i < SCAN_WINDOW + 1_000; i += 1_000) {
      await store.append(
        `package-p${i}`,
        Array.from({ length: 1_000 }, () => testEvent('PackageSkipped')),
      );
    }
    await store.append('build-p@a_b', [testEvent('BuildFailed')]);
  }, 60_000);
  afterAll(() => store.close());

  it('answers an empty page whose cursor is where the scan stopped, then the match on the next page', async () => {
    const first = await page(0);
    expect(first).toEqual({ events: [], nextAfter: SCAN_WINDOW });
    const second = await page(first!.nextAfter!);
    expect(second!.events.map((e) => [e.type, e.position])).toEqual([['BuildFailed', SCAN_WINDOW + 1_001]]);
    expect(second!.nextAfter).toBeNull();
  });
});
