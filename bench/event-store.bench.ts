/**
 * Event store throughput on this machine, next to raw better-sqlite3 loops on the same schema
 * in the same process (the ratio is what to watch). Prints figures; asserts nothing.
 *   npm run bench:event-store [-- --events 200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { DomainEvent } from '#domain/shared/event.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { EVENT_STORE_SCHEMA } from '#infrastructure/event-store/sqlite/sqlite-event-store.schema.js';
import { uuidv7 } from '#infrastructure/ids/uuid-v7.id-generator.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, single: { type: 'string', default: '20000' } },
});
const BATCHED = Number(values.events);
const SINGLE = Number(values.single);
const BATCH = 100;
const STREAMS = 1000;

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

function rawDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(EVENT_STORE_SCHEMA);
  return db;
}

type Row = [string, number, string, string, string, string, string];
function rawRows(events: DomainEvent[], perStream: Map<string, number>): Row[] {
  const recordedAt = new Date().toISOString();
  return events.map((e, i) => {
    const stream = `build-s${i % STREAMS}`;
    const revision = (perStream.get(stream) ?? -1) + 1;
    perStream.set(stream, revision);
    return [
      stream,
      revision,
      e.metadata.eventId,
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
      recordedAt,
    ];
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dlrn-bench-'));
const results: [string, string, string, string][] = [];
try {
  // Single-event appends: one transaction each, expected revision checked.
  {
    const events = makeEvents(SINGLE);
    const store = new SqliteEventStore(join(dir, 'single.sqlite'));
    const revisions = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < events.length; i++) {
      const stream = `build-s${i % STREAMS}`;
      const expected = revisions.get(stream);
      const r = await store.append(stream, [events[i]!], { expectedRevision: expected ?? 'no_stream' });
      revisions.set(stream, r.nextExpectedRevision);
    }
    const storeMs = performance.now() - t0;
    await store.close();

    const db = rawDb(join(dir, 'single-raw.sqlite'));
    const head = db.prepare('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1');
    const insert = db.prepare(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const rows = rawRows(makeEvents(SINGLE), new Map());
    const one = db.transaction((row: Row) => {
      head.get(row[0]);
      insert.run(...row);
    });
    const t1 = performance.now();
    for (const row of rows) one.immediate(row);
    const rawMs = performance.now() - t1;
    db.close();
    results.push([
      `append, 1 event/tx (${SINGLE.toLocaleString('en-US')})`,
      rate(SINGLE, storeMs),
      rate(SINGLE, rawMs),
      (storeMs / rawMs).toFixed(2),
    ]);
  }

  // Batched appends: 100 events per transaction to one stream.
  {
    const events = makeEvents(BATCHED);
    const store = new SqliteEventStore(join(dir, 'batched.sqlite'));
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += BATCH) {
      await store.append(`build-s${(i / BATCH) % STREAMS}`, events.slice(i, i + BATCH));
    }
    const storeMs = performance.now() - t0;

    const db = rawDb(join(dir, 'batched-raw.sqlite'));
    const insert = db.prepare(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const rawEvents = makeEvents(BATCHED);
    const many = db.transaction((rows: Row[]) => {
      for (const row of rows) insert.run(...row);
    });
    const perStream = new Map<string, number>();
    const t1 = performance.now();
    for (let i = 0; i < rawEvents.length; i += BATCH) {
      const stream = `build-s${(i / BATCH) % STREAMS}`;
      const recordedAt = new Date().toISOString();
      const base = (perStream.get(stream) ?? -1) + 1;
      const rows = rawEvents
        .slice(i, i + BATCH)
        .map((e, j): Row => [
          stream,
          base + j,
          e.metadata.eventId,
          e.type,
          JSON.stringify(e.data),
          JSON.stringify(e.metadata),
          recordedAt,
        ]);
      perStream.set(stream, base + rows.length - 1);
      many.immediate(rows);
    }
    const rawMs = performance.now() - t1;
    results.push([
      `append, ${BATCH} events/tx (${BATCHED.toLocaleString('en-US')})`,
      rate(BATCHED, storeMs),
      rate(BATCHED, rawMs),
      (storeMs / rawMs).toFixed(2),
    ]);

    // Read the whole log forwards in pages of 5000, data and metadata parsed.
    const t2 = performance.now();
    let after = 0;
    let count = 0;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 5000 });
      if (page.length === 0) break;
      count += page.length;
      after = page[page.length - 1]!.position;
    }
    const readMs = performance.now() - t2;
    const select = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 5000');
    const t3 = performance.now();
    let rawAfter = 0;
    let rawCount = 0;
    for (;;) {
      const page = select.all(rawAfter) as { position: number; data: string; metadata: string }[];
      if (page.length === 0) break;
      for (const row of page) {
        JSON.parse(row.data);
        JSON.parse(row.metadata);
      }
      rawCount += page.length;
      rawAfter = page[page.length - 1]!.position;
    }
    const rawReadMs = performance.now() - t3;
    results.push([
      `read all, pages of 5000 (${count.toLocaleString('en-US')})`,
      rate(count, readMs),
      rate(rawCount, rawReadMs),
      (readMs / rawReadMs).toFixed(2),
    ]);
    await store.close();
    db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`event store bench — node ${process.version}, better-sqlite3 WAL, synchronous=NORMAL`);
console.log(['case', 'store', 'raw better-sqlite3', 'time ratio (store/raw)'].join(' | '));
for (const row of results) console.log(row.join(' | '));
