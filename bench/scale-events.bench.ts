/**
 * The PostgreSQL event store's append and catch-up rates, next to raw `pg` insert loops on a
 * table of the same shape in the same database (the ratio is what to watch), and the live lag of
 * a subscription on another store next to a raw NOTIFY → LISTEN round. Prints figures;
 * asserts nothing. Needs PostgreSQL (DLRN_TEST_POSTGRES_URL, default 127.0.0.1:5432 db `test`).
 *   node --conditions=source --import @swc-node/register/esm-register bench/scale-events.bench.ts \
 *     [-- --events 50000 --single 2000 --writers 8]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { DomainEvent } from '#domain/shared/event.js';
import { PostgresEventStore } from '#infrastructure/event-store/postgres/postgres-event-store.adapter.js';
import { uuidv7 } from '#infrastructure/ids/uuid-v7.id-generator.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    single: { type: 'string', default: '2000' },
    writers: { type: 'string', default: '8' },
  },
});
const BATCHED = Number(values.events);
const SINGLE = Number(values.single);
const WRITERS = Number(values.writers);
const BATCH = 100;
const STREAMS = 1000;
const URL = process.env.DLRN_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

function makeEvents(count: number): DomainEvent[] {
  const occurredAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    type: 'BuildSucceeded',
    data: {
      buildId: uuidv7(),
      artifacts: [`repos/ab/cd/abcdef${i}_12345678/pkg-1.0-1.noarch.rpm`],
      nvr: 'pkg-1.0-1',
      notes: 'OK',
    },
    metadata: {
      schemaVersion: 1,
      eventId: uuidv7(),
      occurredAt,
      correlationId: 'bench',
      causationId: null,
      actor: 'bench',
    },
  }));
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')} events/s`;
}

async function timed(label: string, count: number, work: () => Promise<void>): Promise<void> {
  const start = performance.now();
  await work();
  console.log(`${label.padEnd(62)} ${rate(count, performance.now() - start)}`);
}

const schemas: string[] = [];
function schema(): string {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  schemas.push(name);
  return name;
}

const admin = new pg.Client({ connectionString: URL });
await admin.connect();
try {
  console.log(`PostgreSQL event store, ${BATCHED} events in batches of ${BATCH}, ${SINGLE} one at a time`);

  // Raw pg: the same columns and indexes, no lock, no checks: the floor of what inserts cost.
  const raw = schema();
  await admin.query(`CREATE SCHEMA ${raw}`);
  await admin.query(
    `CREATE TABLE ${raw}.events (position bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, ` +
      'event_id text NOT NULL UNIQUE, type text NOT NULL, data text NOT NULL, metadata text NOT NULL, ' +
      'recorded_at text NOT NULL, UNIQUE (stream_id, revision))',
  );
  const rawPool = new pg.Pool({ connectionString: URL, max: WRITERS });
  const insertRaw = `INSERT INTO ${raw}.events (stream_id, revision, event_id, type, data, metadata, recorded_at) `;
  const singles = makeEvents(SINGLE);
  await timed('raw pg: one INSERT per event (autocommit)', SINGLE, async () => {
    for (const [i, e] of singles.entries()) {
      await rawPool.query(`${insertRaw} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        `raw1-${i}`,
        0,
        e.metadata.eventId,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        new Date().toISOString(),
      ]);
    }
  });
  const batched = makeEvents(BATCHED);
  await timed(`raw pg: one unnest INSERT per ${BATCH} events`, BATCHED, async () => {
    for (let b = 0; b < BATCHED / BATCH; b++) {
      const slice = batched.slice(b * BATCH, (b + 1) * BATCH);
      const at = new Date().toISOString();
      await rawPool.query(
        `${insertRaw} SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          slice.map(() => `rawb-${b}`),
          slice.map((_, i) => i),
          slice.map((e) => e.metadata.eventId),
          slice.map((e) => e.type),
          slice.map((e) => JSON.stringify(e.data)),
          slice.map((e) => JSON.stringify(e.metadata)),
          slice.map(() => at),
        ],
      );
    }
  });
  const concurrentRaw = makeEvents(SINGLE);
  await timed(`raw pg: one INSERT per event, ${WRITERS} writers at once`, SINGLE, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < SINGLE) {
          const i = next++;
          const e = concurrentRaw[i]!;
          await rawPool.query(`${insertRaw} VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
            `rawc-${i}`,
            0,
            e.metadata.eventId,
            e.type,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
            new Date().toISOString(),
          ]);
        }
      }),
    );
  });
  await rawPool.end();

  // The store: append lock, revision check, id check, NOTIFY.
  const store = await PostgresEventStore.open(URL, { schema: schema(), maxConnections: WRITERS });
  const storeSingles = makeEvents(SINGLE);
  await timed('store: append one event per call', SINGLE, async () => {
    for (const [i, e] of storeSingles.entries()) await store.append(`single-${i}`, [e]);
  });
  const storeBatched = makeEvents(BATCHED);
  await timed(`store: append ${BATCH} events per call (${STREAMS} streams)`, BATCHED, async () => {
    for (let b = 0; b < BATCHED / BATCH; b++) {
      await store.append(`package-p${b % STREAMS}`, storeBatched.slice(b * BATCH, (b + 1) * BATCH));
    }
  });
  const storeConcurrent = makeEvents(SINGLE);
  await timed(`store: append one event per call, ${WRITERS} writers at once`, SINGLE, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < SINGLE) {
          const i = next++;
          await store.append(`concurrent-${i}`, [storeConcurrent[i]!]);
        }
      }),
    );
  });
  const total = await store.headPosition();
  await timed(`store: catch-up subscription over ${total} events (pages of 1000)`, total, async () => {
    const subscription = store.subscribeToAll();
    let seen = 0;
    for await (const batch of subscription) {
      seen += batch.events.length;
      if (batch.caughtUp) break;
    }
    await subscription.close();
    if (seen !== total) throw new Error(`catch-up saw ${seen} of ${total} events`);
  });
  await timed(`store: readAll as stored, pages of 1000`, total, async () => {
    let after = 0;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000, asStored: true });
      if (page.length === 0) break;
      after = page[page.length - 1]!.position;
    }
  });
  await timed(`raw pg: SELECT the same columns, pages of 1000, JSON.parse data`, total, async () => {
    let after = 0;
    for (;;) {
      const { rows } = await admin.query<string[]>({
        text:
          'SELECT position, stream_id, revision, type, data, metadata, recorded_at ' +
          `FROM ${raw}.events WHERE position > $1 ORDER BY position LIMIT 1000`,
        values: [after],
        rowMode: 'array',
      });
      if (rows.length === 0) break;
      for (const row of rows) {
        JSON.parse(row[4]!);
        JSON.parse(row[5]!);
      }
      after = Number(rows[rows.length - 1]![0]);
    }
  });
  await store.close();

  // Live catch-up lag: one store appends (its own pool), another store's subscription follows
  // (its own LISTEN connection, as a projector on another host would); lag = from the append's
  // call to the event in the subscriber's hands. Baseline: raw NOTIFY → LISTEN with the event's
  // number as payload, at the same rate, on two plain connections.
  const LIVE = 1000;
  const EVERY_MS = 5;
  const percentiles = (lags: number[]): string => {
    const sorted = [...lags].sort((a, b) => a - b);
    const at = (p: number): string =>
      sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
    return `p50 ${at(50)} ms, p99 ${at(99)} ms, max ${at(100)} ms`;
  };
  const paced = async (send: (i: number) => Promise<void>): Promise<void> => {
    const started = performance.now();
    for (let i = 0; i < LIVE; i++) {
      const due = started + i * EVERY_MS;
      if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      await send(i);
    }
  };

  const channel = `bench_lag_${randomBytes(4).toString('hex')}`;
  const listener = new pg.Client({ connectionString: URL });
  await listener.connect();
  await listener.query(`LISTEN ${channel}`);
  const rawSent = new Map<number, number>();
  const rawLags: number[] = [];
  const rawDone = new Promise<void>((done) =>
    listener.on('notification', (n) => {
      const i = Number(n.payload);
      rawLags.push(performance.now() - rawSent.get(i)!);
      if (rawLags.length === LIVE) done();
    }),
  );
  const notifier = new pg.Client({ connectionString: URL });
  await notifier.connect();
  await paced(async (i) => {
    rawSent.set(i, performance.now());
    await notifier.query('SELECT pg_notify($1, $2)', [channel, String(i)]);
  });
  await rawDone;
  await Promise.all([listener.end(), notifier.end()]);
  console.log(`${`raw pg: NOTIFY → LISTEN, one every ${EVERY_MS} ms (${LIVE})`.padEnd(62)} ${percentiles(rawLags)}`);

  const liveSchema = schema();
  const appender = await PostgresEventStore.open(URL, { schema: liveSchema });
  const follower = await PostgresEventStore.open(URL, { schema: liveSchema });
  const sent = new Map<string, number>();
  const lags: number[] = [];
  const subscription = follower.subscribeToAll();
  const followed = (async () => {
    for await (const batch of subscription) {
      const now = performance.now();
      for (const event of batch.events) lags.push(now - sent.get(event.metadata.eventId)!);
      if (lags.length === LIVE) return;
    }
  })();
  const live = makeEvents(LIVE);
  await paced(async (i) => {
    sent.set(live[i]!.metadata.eventId, performance.now());
    await appender.append(`live-${i % 50}`, [live[i]!]);
  });
  await followed;
  await subscription.close();
  await Promise.all([appender.close(), follower.close()]);
  console.log(
    `${`store: append → another store's subscription, one every ${EVERY_MS} ms`.padEnd(62)} ${percentiles(lags)} (target: p99 under 50 ms)`,
  );
} finally {
  for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  await admin.end();
}
