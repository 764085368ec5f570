/**
 * Time travel (`as_of`, issue 20): on a ~1,000,000-event log (bench/api-seed.ts: builds, CI votes,
 * promotions, aggregate votes; projected with every document version kept), p50/p99 of the
 * queries behind package status, /api/packages, the timeline, last_tested_repo and a pointer,
 * each as of a random position of the log, next to the same query now (ratio). Then the write
 * cost of keeping history: a rebuild with and without it (throughput, file size). Target: as_of
 * p99 under 50 ms. Prints figures; asserts nothing.
 *   npm run bench:timetravel                          (seeded log cached under /tmp: reruns are quick)
 *   BENCH_TT_BUILDS=20000 BENCH_TT_SAMPLES=100 …      quick iteration
 * The queries are the API's own query classes (DlrnQueries, ResourceQueries) over the store, so
 * the figures are the store's and the rules', without HTTP or the answer caches.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ALL_PROJECTIONS } from '#domain/projections/index.js';
import { SqliteEventStore } from '#infrastructure/event-store/sqlite/sqlite-event-store.adapter.js';
import {
  openSqliteReadModelStore,
  type KyselyReadModelStore,
} from '#infrastructure/read-model/kysely-read-model.store.js';
import { ProjectionEngine } from '#application/projector/projection-engine.js';
import { DlrnQueries } from '#application/queries/dlrn-queries.js';
import { ResourceQueries } from '#application/queries/resource-queries.js';
import { lastTestedRepo } from '#application/votes/last-tested-repo.query.js';
import { writeSyntheticLog } from '../test/support/synthetic-log.js';
import { seedApiStore, type SeedSize } from './api-seed.js';

const env = process.env;
const BUILDS = Number(env['BENCH_TT_BUILDS'] ?? 150_000);
const SAMPLES = Number(env['BENCH_TT_SAMPLES'] ?? 300);
const WRITE_BUILDS = Number(env['BENCH_TT_WRITE_BUILDS'] ?? 30_000);
const TARGET_P99_MS = 50;
const scale = (n: number) => Math.max(10, Math.round((n * BUILDS) / 150_000));
const SIZE: SeedSize = {
  builds: BUILDS,
  packages: scale(600),
  votes: scale(120_000),
  aggregateVotes: scale(20_000),
  promotions: scale(3_000),
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const fileSize = (file: string) =>
  ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0), 0);

/** The seeded store, made once per size and kept under /tmp. */
async function seeded(): Promise<{ dir: string; events: number }> {
  // A projection version bump makes a new store (its tables are named after the versions).
  const versions = ALL_PROJECTIONS.map((p) => p.version).join('');
  const dir = join(tmpdir(), `dlrn-timetravel-bench-${BUILDS}-${versions}`);
  const done = join(dir, 'seeded.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as { dir: string; events: number };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const store = await seedApiStore(dir, SIZE);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${store.events.toLocaleString('en-US')} events and projected them in ${seconds.toFixed(0)} s`);
  const meta = { dir, events: store.events };
  writeFileSync(done, JSON.stringify(meta));
  return meta;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** A small deterministic PRNG (mulberry32): the same positions on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Readers {
  readonly dlrn: DlrnQueries;
  readonly resources: ResourceQueries;
}

async function measureQueries(views: KyselyReadModelStore, head: number, packages: number): Promise<void> {
  const now: Readers = { dlrn: new DlrnQueries(views), resources: new ResourceQueries(views, '/nonexistent') };
  const at = (position: number): Readers => ({ dlrn: now.dlrn.at(position), resources: now.resources.at(position) });
  const rand = random(42);
  const anyVote = { success: null, jobId: null, sequentialMode: null, previousJobId: null, component: null };
  const queries: [string, (r: Readers) => Promise<unknown>][] = [
    ['package status (one package)', (r) => r.resources.package(`package-${Math.floor(rand() * packages)}`)],
    ['/api/packages (every package)', (r) => r.resources.packages({ status: null, component: null, namePrefix: null })],
    [
      'timeline (/api/builds, 50)',
      (r) =>
        r.resources.builds({
          package: null,
          status: null,
          component: null,
          commitHash: null,
          since: null,
          until: null,
          before: null,
          limit: 50,
        }),
    ],
    ['last_tested_repo (max_age=0)', (r) => lastTestedRepo(r.dlrn, anyVote, 0).catch(() => null)],
    ['pointer (/api/repos/current)', (r) => r.resources.repo('current')],
  ];
  console.log(
    `\nqueries: ${SAMPLES} each, as of a uniformly random position in 1..${head.toLocaleString('en-US')}, then now`,
  );
  console.log(
    'query'.padEnd(32) +
      'as_of p50'.padStart(11) +
      'as_of p99'.padStart(11) +
      'deep p99'.padStart(10) +
      'now p50'.padStart(10) +
      'now p99'.padStart(10) +
      '  ratio p50/p99',
  );
  for (const [label, query] of queries) {
    for (let i = 0; i < 10; i++) {
      await query(at(1 + Math.floor(rand() * head)));
      await query(now);
    }
    const then: { ms: number; depth: number }[] = [];
    const current: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const position = 1 + Math.floor(rand() * head);
      const readers = at(position);
      let t = performance.now();
      await query(readers);
      then.push({ ms: performance.now() - t, depth: 1 - position / head });
      t = performance.now();
      await query(now);
      current.push(performance.now() - t);
    }
    const asOf = then.map((s) => s.ms).sort((a, b) => a - b);
    const deep = then
      .filter((s) => s.depth >= 0.75)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const live = current.sort((a, b) => a - b);
    const ratio = (p: number) => (percentile(asOf, p) / percentile(live, p)).toFixed(1);
    console.log(
      label.padEnd(32) +
        `${percentile(asOf, 50).toFixed(2)} ms`.padStart(11) +
        `${percentile(asOf, 99).toFixed(2)} ms`.padStart(11) +
        `${deep.length ? percentile(deep, 99).toFixed(2) : '-'} ms`.padStart(10) +
        `${percentile(live, 50).toFixed(2)} ms`.padStart(10) +
        `${percentile(live, 99).toFixed(2)} ms`.padStart(10) +
        `  ${ratio(50)}× / ${ratio(99)}×` +
        (percentile(asOf, 99) <= TARGET_P99_MS ? '' : `   over the ${TARGET_P99_MS} ms target`),
    );
  }
  console.log(
    `(deep: the quarter of the samples nearest the start of the log; target as_of p99 < ${TARGET_P99_MS} ms)`,
  );
}

/** Table sizes of an SQLite file (dbstat), grouped as documents, history and keys. */
function diskUse(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE aggregate = 0 OR 1 GROUP BY name')
      .all() as { name: string; bytes: number }[];
    const tables = db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").all() as {
      name: string;
      tbl_name: string;
    }[];
    const owner = new Map(tables.map((t) => [t.name, t.tbl_name]));
    const groups = { documents: 0, history: 0, keys: 0, other: 0 };
    for (const { name, bytes } of rows) {
      const table = owner.get(name) ?? name;
      if (/^p_.*_v\d+_h$/.test(table)) groups.history += bytes;
      else if (/^p_.*_v\d+_k$/.test(table)) groups.keys += bytes;
      else if (/^p_.*_v\d+$/.test(table)) groups.documents += bytes;
      else groups.other += bytes;
    }
    console.log(
      `disk: documents ${mb(groups.documents)}, history ${mb(groups.history)}, keys ${mb(groups.keys)}, other ${mb(groups.other)} (tables and their indexes)`,
    );
  } catch (error) {
    console.log(`disk: ${mb(fileSize(file))} in all (dbstat unavailable: ${(error as Error).message})`);
  } finally {
    db.close();
  }
}

/** The write cost of history: a full rebuild of a synthetic log with and without it. */
async function measureWrites(): Promise<void> {
  const dir = join(tmpdir(), `dlrn-timetravel-bench-writes-${WRITE_BUILDS}`);
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'events.sqlite');
  if (!existsSync(join(dir, 'written'))) {
    rmSync(log, { force: true });
    writeSyntheticLog(log, { builds: WRITE_BUILDS });
    writeFileSync(join(dir, 'written'), '');
  }
  const events = new SqliteEventStore(log);
  const total = await events.headPosition();
  console.log(`\nwrite cost: rebuild of every projection from ${total.toLocaleString('en-US')} events (SQLite file)`);
  const results: Record<string, { ms: number; bytes: number }> = {};
  for (const history of [false, true, false, true]) {
    const file = join(dir, `views-${history ? 'history' : 'plain'}.sqlite`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    const views = await openSqliteReadModelStore(file, { history });
    const engine = new ProjectionEngine(events, views, ALL_PROJECTIONS, { owner: 'bench' });
    await engine.start();
    const t0 = performance.now();
    await engine.run({ untilCaughtUp: true });
    const ms = performance.now() - t0;
    await engine.stop();
    await views.close();
    const label = history ? 'with history' : 'without';
    const best = results[label];
    if (best === undefined || ms < best.ms) results[label] = { ms, bytes: fileSize(file) };
  }
  for (const [label, { ms, bytes }] of Object.entries(results)) {
    console.log(
      `  ${label.padEnd(14)} ${Math.round((total / ms) * 1000).toLocaleString('en-US')} events/s (${(ms / 1000).toFixed(1)} s, best of 2), file ${mb(bytes)}`,
    );
  }
  const plain = results['without']!;
  const kept = results['with history']!;
  console.log(
    `  history costs ${(kept.ms / plain.ms).toFixed(2)}× the rebuild time and ${(kept.bytes / plain.bytes).toFixed(2)}× the disk`,
  );
  await events.close();
}

const { dir, events: count } = await seeded();
const events = new SqliteEventStore(join(dir, 'events.sqlite'));
const head = await events.headPosition();
await events.close();
console.log(`log: ${head.toLocaleString('en-US')} events (${count.toLocaleString('en-US')} seeded) in ${dir}`);
const viewsFile = join(dir, 'views.sqlite');
diskUse(viewsFile);
const views = await openSqliteReadModelStore(viewsFile);
await measureQueries(views, head, SIZE.packages);
await views.close();
if (env['BENCH_TT_SKIP_WRITES'] !== '1') await measureWrites();
