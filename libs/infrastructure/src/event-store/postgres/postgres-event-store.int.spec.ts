import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../../../../test/contract/event-store.contract.js';
import { testEvent } from '../../../../../test/support/events.js';
import { PostgresEventStore } from './postgres-event-store.adapter.js';
import { APPEND_FUNCTION, EVENT_STORE_SCHEMA_VERSION, MIGRATIONS } from './postgres-event-store.schema.js';

// Not skipped when PostgreSQL is missing: the test script starts one, so silence would hide a break.
const URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

function uniqueSchema(): string {
  return `es_${randomBytes(6).toString('hex')}`;
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string) => sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

describeEventStoreContract('PostgreSQL', async () => {
  const schema = uniqueSchema();
  const empties: string[] = [];
  return {
    open: () => PostgresEventStore.open(URL, { schema, pollIntervalMs: 200 }),
    openEmpty: () => {
      const own = uniqueSchema();
      empties.push(own);
      return PostgresEventStore.open(URL, { schema: own });
    },
    teardown: async () => {
      for (const s of [schema, ...empties]) await dropSchema(s);
    },
  };
});

describe('PostgreSQL event store', () => {
  describe('when many appenders race while a subscription follows the log', () => {
    it('hands every position out once, and the subscription sees each exactly once, in order', async () => {
      const schema = uniqueSchema();
      const writers = await Promise.all(
        Array.from({ length: 6 }, () => PostgresEventStore.open(URL, { schema, maxConnections: 4 })),
      );
      const reader = await PostgresEventStore.open(URL, { schema, pollIntervalMs: 20 });
      const subscription = reader.subscribeToAll({ maxBatchSize: 7 });
      try {
        const perWriter = 4 * 15;
        const total = writers.length * perWriter;
        const seen: number[] = [];
        const following = (async () => {
          for await (const batch of subscription) {
            seen.push(...batch.events.map((e) => e.position));
            if (seen.length >= total) break;
          }
        })();
        // Each writer runs 4 appenders at once (its pool), 15 appends each, 1 or 2 events each.
        await Promise.all(
          writers.flatMap((writer, w) =>
            Array.from({ length: 4 }, async (_, a) => {
              for (let i = 0; i < 15; i++) {
                const stream = `race-w${w}a${a}`;
                if (i % 2 === 0) await writer.append(stream, [testEvent('N', { w, a, i })]);
                else await writer.appendToStreams([{ streamId: stream, events: [testEvent('N', { w, a, i })] }]);
              }
            }),
          ),
        );
        await following;
        const log = await reader.readAll({ maxCount: 10_000 });
        expect(log).toHaveLength(total);
        expect(log.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(seen).toEqual(log.map((e) => e.position));
      } finally {
        await subscription.close();
        await reader.close();
        for (const writer of writers) await writer.close();
        await dropSchema(schema);
      }
    });
  });

  describe('when another connection appends while a subscription waits', () => {
    it('wakes it by notification, long before its poll', async () => {
      const schema = uniqueSchema();
      // A poll of 10 minutes: only the notification can deliver the event within the test's time.
      const reader = await PostgresEventStore.open(URL, { schema, pollIntervalMs: 600_000 });
      const writer = await PostgresEventStore.open(URL, { schema });
      const subscription = reader.subscribeToAll();
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await iterator.next()).value).toMatchObject({ caughtUp: true, events: [] });
        // Give LISTEN its connection; then append from another store (another pool).
        await new Promise((r) => setTimeout(r, 200));
        await writer.append('wake-1', [testEvent('Woken')]);
        let batch = (await iterator.next()).value;
        while (batch.events.length === 0) batch = (await iterator.next()).value;
        expect(batch.events.map((e: { type: string }) => e.type)).toEqual(['Woken']);
      } finally {
        await subscription.close();
        await reader.close();
        await writer.close();
        await dropSchema(schema);
      }
    }, 20_000);
  });

  describe('when the LISTEN connection is dropped', () => {
    it('listens again on a new one, and a later append still wakes the subscription before its poll', async () => {
      const schema = uniqueSchema();
      const reader = await PostgresEventStore.open(URL, { schema, pollIntervalMs: 600_000 });
      const writer = await PostgresEventStore.open(URL, { schema });
      const subscription = reader.subscribeToAll();
      const listeners = () =>
        sql<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE query = $1 AND state = 'idle'", [
          `LISTEN "dlrn_events_${schema}"`,
        ]);
      const until = async (check: () => Promise<boolean>) => {
        while (!(await check())) await new Promise((r) => setTimeout(r, 25));
      };
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await iterator.next()).value).toMatchObject({ caughtUp: true });
        await until(async () => (await listeners()).length === 1);
        const [first] = await listeners();
        await sql('SELECT pg_terminate_backend($1)', [first!.pid]);
        // A new connection listens (not the terminated one).
        await until(async () => (await listeners()).some((l) => l.pid !== first!.pid));
        await writer.append('wake-1', [testEvent('AfterReconnect')]);
        let batch = (await iterator.next()).value;
        while (batch.events.length === 0) batch = (await iterator.next()).value;
        expect(batch.events.map((e: { type: string }) => e.type)).toEqual(['AfterReconnect']);
      } finally {
        await subscription.close();
        await reader.close();
        await writer.close();
        await dropSchema(schema);
      }
    }, 20_000);
  });

  describe('when the server goes away', () => {
    it('refuses appends and reads with a StorageError (unavailable), naming the event log and nothing else', async () => {
      const schema = uniqueSchema();
      // The store reaches PostgreSQL through a TCP relay this test can cut.
      const sockets = new Set<Socket>();
      const relay = createServer((inbound) => {
        const outbound = connect(5432, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
      const { port } = relay.address() as { port: number };
      const store = await PostgresEventStore.open(`postgresql://postgres@127.0.0.1:${port}/test`, { schema });
      try {
        await store.append('package-nova', [testEvent('A')]);
        await new Promise<void>((done) => {
          relay.close(() => done());
          for (const s of sockets) s.destroy();
        });
        const attempt = store.append('package-nova', [testEvent('B')]);
        await expect(attempt).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', store: 'event log' });
        await expect(attempt).rejects.toThrow('the event log is unavailable; nothing was recorded');
        await expect(store.readAll()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
        await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });

  describe('when something tries to rewrite history through SQL', () => {
    it('refuses updates, deletes and truncation of stored events', async () => {
      const schema = uniqueSchema();
      const store = await PostgresEventStore.open(URL, { schema });
      try {
        await store.append('package-nova', [testEvent('A')]);
        await expect(sql(`UPDATE ${schema}.events SET type = 'B'`)).rejects.toThrow(/immutable/);
        await expect(sql(`DELETE FROM ${schema}.events`)).rejects.toThrow(/immutable/);
        await expect(sql(`TRUNCATE ${schema}.events`)).rejects.toThrow(/immutable/);
        expect(await sql(`SELECT type FROM ${schema}.events`)).toEqual([{ type: 'A' }]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });

  describe('when the schema is up to date', () => {
    it('records its version, and opens again with INSERT and SELECT rights only', async () => {
      const schema = uniqueSchema();
      const role = `${schema}_writer`;
      const first = await PostgresEventStore.open(URL, { schema });
      try {
        await first.append('package-nova', [testEvent('A')]);
        expect(await sql(`SELECT version FROM ${schema}.event_store_migrations ORDER BY version`)).toEqual(
          Array.from({ length: EVENT_STORE_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
        );
        await sql(`CREATE ROLE ${role} LOGIN`);
        await sql(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
        await sql(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
        const limited = await PostgresEventStore.open(URL.replace('postgres@', `${role}@`), { schema });
        try {
          await limited.append('package-nova', [testEvent('B')], { expectedRevision: 0 });
          expect((await limited.readStream('package-nova')).map((e) => e.type)).toEqual(['A', 'B']);
        } finally {
          await limited.close();
        }
      } finally {
        await first.close();
        await dropSchema(schema);
        await sql(`DROP ROLE IF EXISTS ${role}`);
      }
    });

    it('takes the schema from the URL (?schema=)', async () => {
      const schema = uniqueSchema();
      const store = await PostgresEventStore.open(`${URL}?schema=${schema}`);
      try {
        await store.append('package-nova', [testEvent('A')]);
        expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.events`)).toEqual([{ n: 1 }]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
      await expect(PostgresEventStore.open(`${URL}?schema=Bad;Name`)).rejects.toThrow(/must match/);
    });
  });

  describe('when a log written by schema version 1 opens', () => {
    it('migrates it to the current version, keeps its events, and appends after them', async () => {
      const schema = uniqueSchema();
      const client = new pg.Client({ connectionString: URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
        await client.query(MIGRATIONS[0]!);
        await client.query(
          'CREATE TABLE event_store_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        await client.query('INSERT INTO event_store_migrations (version) VALUES (1)');
        const old = testEvent('Old');
        await client.query(
          "INSERT INTO events VALUES (1, 'package-nova', 0, $1, 'Old', $2, $3, '2026-01-01T00:00:00.000Z')",
          [old.metadata.eventId, JSON.stringify(old.data), JSON.stringify(old.metadata)],
        );
      } finally {
        await client.end();
      }
      const store = await PostgresEventStore.open(URL, { schema });
      try {
        expect(await sql(`SELECT version FROM ${schema}.event_store_migrations ORDER BY version`)).toEqual([
          { version: 1 },
          { version: 2 },
        ]);
        expect(await store.append('package-nova', [testEvent('New')], { expectedRevision: 0 })).toEqual({
          nextExpectedRevision: 1,
          position: 2,
        });
        expect((await store.readAll()).map((e) => [e.position, e.revision, e.type])).toEqual([
          [1, 0, 'Old'],
          [2, 1, 'New'],
        ]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });

  describe(`when ${APPEND_FUNCTION} (one stream's append in one statement) is called`, () => {
    const call = (schema: string, stream: string, expected: string, ids: string[]) =>
      sql<{ appended: string[] | null }>(
        `SELECT ${schema}.${APPEND_FUNCTION}($1, $2, $3, $4, $5, $6, $7, 'now', 'unheard') AS appended`,
        [schema, stream, expected, ids, ids.map(() => 'T'), ids.map(() => '{}'), ids.map(() => '{}')],
      ).then((rows) => rows[0]!.appended?.map(Number) ?? null);

    it('appends after the log and the stream, answering the last position and revision', async () => {
      const schema = uniqueSchema();
      const store = await PostgresEventStore.open(URL, { schema });
      try {
        await store.append('package-other', [testEvent('A'), testEvent('B')]);
        expect(await call(schema, 'package-nova', 'no_stream', ['i1', 'i2'])).toEqual([4, 1]);
        expect(await call(schema, 'package-nova', '1', ['i3'])).toEqual([5, 2]);
        expect(await call(schema, 'package-nova', 'stream_exists', ['i4'])).toEqual([6, 3]);
        expect(await call(schema, 'package-nova', 'any', ['i5'])).toEqual([7, 4]);
        expect(
          (await store.readStream('package-nova')).map((e) => [e.position, e.revision, e.metadata as unknown]),
        ).toEqual([
          [3, 0, {}],
          [4, 1, {}],
          [5, 2, {}],
          [6, 3, {}],
          [7, 4, {}],
        ]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });

    it('answers NULL and writes nothing when the expected revision is missed or an id is stored', async () => {
      const schema = uniqueSchema();
      const store = await PostgresEventStore.open(URL, { schema });
      try {
        expect(await call(schema, 'package-nova', '0', ['i1'])).toBeNull(); // no stream yet
        expect(await call(schema, 'package-nova', 'stream_exists', ['i1'])).toBeNull();
        expect(await call(schema, 'package-nova', 'no_stream', ['i1'])).toEqual([1, 0]);
        expect(await call(schema, 'package-nova', 'no_stream', ['i2'])).toBeNull();
        expect(await call(schema, 'package-nova', '1', ['i2'])).toBeNull(); // the head is 0
        expect(await call(schema, 'package-nova', '-1', ['i2'])).toBeNull();
        expect(await call(schema, 'package-nova', 'any', ['i2', 'i1'])).toBeNull(); // i1 is stored
        expect(await call(schema, 'package-nova', 'any', ['i2'])).toEqual([2, 1]);
        expect(await sql(`SELECT count(*)::int AS n FROM ${schema}.events`)).toEqual([{ n: 2 }]);
      } finally {
        await store.close();
        await dropSchema(schema);
      }
    });
  });
});
