/**
 * Rebuild every projection from a 1,000,000-event log into SQLite and into PostgreSQL, next to a
 * raw read-and-parse of the same log in the same script; then the live lag at 1,000 events/s.
 * Prints figures; asserts nothing.
 *   npm run bench:projections [-- --builds 180000] [-- --runs 3] [-- --skip-pg] [-- --pg postgresql://postgres@127.0.0.1/test]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import type { ReadModelStore } from '#domain/projections/projection.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { engineCaughtUp } from '../test/support/projector-wait.js';
import {
  openPostgresReadModelStore,
  openSqliteReadModelStore,
} from '#infrastructure/read-model/kysely-read-model.store.js';
import { writeSyntheticLog } from '../test/support/synthetic-log.js';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: '180000' },
    pg: {
      type: 'string',
      default: process.env['DLRN_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test',
    },
    'skip-pg': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'dlrn-bench-proj-'));
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;

async function rebuild(events: SqliteEventStore, store: ReadModelStore): Promise<number> {
  const engine = new ProjectionEngine(events, store, ALL_PROJECTIONS, { owner: 'bench' });
  await engine.start();
  const t0 = performance.now();
  await engine.run({ untilCaughtUp: true });
  const ms = performance.now() - t0;
  await engine.stop();
  return ms;
}

try {
  const file = join(dir, 'events.sqlite');
  const t0 = performance.now();
  const total = writeSyntheticLog(file, { builds: Number(values.builds) });
  console.log(
    `log: ${total.toLocaleString('en-US')} events written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const events = new SqliteEventStore(file);

  const t1 = performance.now();
  let after = 0;
  let read = 0;
  for (;;) {
    const page = await events.readAll({ after, maxCount: 5000 });
    if (page.length === 0) break;
    read += page.length;
    after = page[page.length - 1]!.position;
  }
  const rawMs = performance.now() - t1;
  console.log(`raw read-and-parse of the log: ${rate(read, rawMs)} (${(rawMs / 1000).toFixed(1)} s)`);

  // This machine's speed drifts by ±15% from one run to the next: several rebuilds, each into a
  // new file, and their median.
  const runs: number[] = [];
  let sqlite: ReadModelStore | undefined;
  for (let run = 1; run <= Number(values.runs); run++) {
    await sqlite?.close();
    sqlite = await openSqliteReadModelStore(join(dir, `views-${run}.sqlite`));
    const ms = await rebuild(events, sqlite);
    runs.push(ms);
    console.log(
      `rebuild ${ALL_PROJECTIONS.length} projections → SQLite, run ${run}: ${rate(total, ms)} (${(ms / 1000).toFixed(1)} s, ${(ms / rawMs).toFixed(1)}× the raw read)`,
    );
  }
  const median = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  console.log(
    `rebuild → SQLite, median of ${runs.length}: ${rate(total, median)} (${(median / 1000).toFixed(1)} s; node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--max')).join(' ') || '(default heap)'})`,
  );

  if (!values['skip-pg']) {
    const schema = `bench_${Date.now().toString(36)}`;
    const postgres = await openPostgresReadModelStore(values.pg!, { schema });
    const pgMs = await rebuild(events, postgres);
    console.log(
      `rebuild ${ALL_PROJECTIONS.length} projections → PostgreSQL: ${rate(total, pgMs)} (${(pgMs / 1000).toFixed(1)} s, ${(pgMs / rawMs).toFixed(1)}× the raw read)`,
    );
    await postgres.close();
    const client = new pg.Client({ connectionString: values.pg! });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }

  // Live lag: append 1,000 events/s for 5 s while the projector follows; lag = append → projected.
  const engine = new ProjectionEngine(events, sqlite!, ALL_PROJECTIONS, { owner: 'bench-live' });
  await engine.start();
  const stop = new AbortController();
  const running = engine.run({ signal: stop.signal });
  const lags: number[] = [];
  const writer = new SqliteEventStore(file);
  const started = performance.now();
  for (let i = 0; performance.now() - started < 5000; i++) {
    const due = started + i;
    while (performance.now() < due) await new Promise((r) => setImmediate(r));
    const t = performance.now();
    const { position } = writer.appendSync(`civote-live${i}`, [
      {
        type: 'CiVoteReported',
        data: {
          commitHash: 'a'.repeat(40),
          distroHash: 'b'.repeat(40),
          extendedHash: null,
          component: null,
          jobId: 'live',
          url: '',
          notes: '',
          timestamp: 1,
          user: null,
          success: true,
        },
        metadata: {
          schemaVersion: 1,
          eventId: `01910000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
          occurredAt: new Date().toISOString(),
          correlationId: 'live',
          causationId: null,
          actor: 'bench',
        },
      },
    ]);
    void engineCaughtUp(engine, position, 5000).then(() => lags.push(performance.now() - t));
  }
  await engineCaughtUp(engine, await writer.headPosition(), 10_000);
  stop.abort();
  await running;
  await engine.stop();
  lags.sort((a, b) => a - b);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))]!.toFixed(1);
  console.log(
    `live lag at ~1,000 events/s (${lags.length} events): p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`,
  );
  await writer.close();
  await sqlite!.close();
  await events.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
