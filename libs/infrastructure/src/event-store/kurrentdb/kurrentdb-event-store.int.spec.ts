import { describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../../../../test/contract/event-store.contract.js';
import { testEvent, uniqueCategory } from '../../../../../test/support/events.js';
import { KURRENTDB_EVENT_STORE_CAPABILITIES, KurrentDbEventStore } from './kurrentdb-event-store.adapter.js';

/**
 * The shared contract against a real KurrentDB server, e.g.
 * `KURRENTDB_CONNECTION_STRING='kurrentdb://localhost:2113?tls=false'` for
 * `docker run -p 2113:2113 kurrentplatform/kurrentdb --insecure`. Without the variable the run
 * is reported as skipped, never as passed: nothing here can reach a server otherwise.
 * The contract skips "refuses an event id already stored in another stream" here: the server
 * does not detect it (KURRENTDB_EVENT_STORE_CAPABILITIES). Its multi-stream append cases need
 * KurrentDB 25.1 or later (the server's own multi-stream append): an older server fails them,
 * as the adapter refuses rather than append stream by stream.
 */
const url = process.env.KURRENTDB_CONNECTION_STRING;

if (url) {
  describeEventStoreContract(
    'KurrentDB',
    async () => ({
      open: async () => new KurrentDbEventStore(url),
      // A shared server is never emptied: the suite's unique categories keep runs apart.
      teardown: async () => undefined,
    }),
    KURRENTDB_EVENT_STORE_CAPABILITIES,
  );
} else {
  describe('EventStore contract: KurrentDB', () => {
    it.skip('KurrentDB contract: set KURRENTDB_CONNECTION_STRING to run against a server', () => undefined);
  });
}

describe.skipIf(!url)('KurrentDB event store on a server', () => {
  describe('when an event id is reused in another stream', () => {
    it('stores it again, as the adapter declares', async () => {
      const store = new KurrentDbEventStore(url ?? '');
      try {
        const category = uniqueCategory('dup');
        const event = testEvent('A');
        await store.append(`${category}-1`, [event]);
        const reuse = store.append(`${category}-2`, [event]);
        if (KURRENTDB_EVENT_STORE_CAPABILITIES.detectsEventIdReuseAcrossStreams) await expect(reuse).rejects.toThrow();
        else expect((await reuse).nextExpectedRevision).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  describe('when an append returns', () => {
    it('reports the position under which the last appended event is read back from $all', async () => {
      const store = new KurrentDbEventStore(url ?? '');
      try {
        const stream = `${uniqueCategory('pos')}-1`;
        const result = await store.append(stream, [testEvent('A'), testEvent('B'), testEvent('C')]);
        const [last] = await store.readAllBackwards({ maxCount: 1, filter: { streamPrefixes: [stream] } });
        expect(last?.position).toBe(result.position);
      } finally {
        await store.close();
      }
    });
  });
});
