/**
 * Read-model store write throughput (the hot path of a projection rebuild): documents upserted
 * in batches through transaction + putDocuments + advanceCheckpoint, next to a raw driver loop
 * writing the same rows in the same process (the ratio is what to watch). Prints; asserts nothing.
 *   node --conditions=source --import @swc-node/register/esm-register bench/read-model-store.bench.ts \
 *     [--docs 200000] [--batch 1000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ProjectionDefinition, ReadModelStore } from '#domain/projections/projection.js';
import {
  openPostgresReadModelStore,
  openSqliteReadModelStore,
} from '#infrastructure/read-model/kysely-read-model.store.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    postgres: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/test' },
  },
});
const DOCS = Number(values.docs);
const BATCH = Number(values.batch);

interface BuildDoc {
  readonly package: string;
  readonly commitHash: string;
  readonly status: string;
  readonly dtBuild: number;
  readonly artifacts: readonly string[];
  readonly notes: string;
}

const projection: ProjectionDefinition<BuildDoc> = {
  name: 'bench_builds',
  version: 1,
  eventTypes: [],
  keys: () => [],
  evolve: (doc) => doc,
  columns: { package: 'text', status: 'text', dt_build: 'integer' },
  row: (doc) => ({ package: doc.package, status: doc.status, dt_build: doc.dtBuild }),
  indexes: [['package', 'status'], ['dt_build']],
};

const documents = Array.from({ length: DOCS }, (_, i) => ({
  key: `build-${i.toString(36).padStart(6, '0')}`,
  position: i + 1,
  doc: {
    package: `pkg-${i % 500}`,
    commitHash: randomBytes(20).toString('hex'),
    status: i % 10 === 0 ? 'FAILED' : 'SUCCESS',
    dtBuild: 1_700_000_000 + i,
    artifacts: [`repos/ab/cd/abcdef${i}_12345678/pkg-1.0-1.noarch.rpm`],
    notes: 'OK',
  } satisfies BuildDoc,
}));
const batches = Array.from({ length: Math.ceil(DOCS / BATCH) }, (_, b) => documents.slice(b * BATCH, (b + 1) * BATCH));

function rate(ms: number): number {
  return Math.round((DOCS / ms) * 1000);
}

async function throughStore(store: ReadModelStore): Promise<number> {
  await store.ensure(projection);
  const started = performance.now();
  let checkpoint = 0;
  for (const batch of batches) {
    const to = batch[batch.length - 1]?.position ?? checkpoint;
    await store.transaction(async (tx) => {
      await tx.putDocuments(projection, batch);
      await tx.advanceCheckpoint(projection.name, projection.version, checkpoint, to);
    });
    checkpoint = to;
  }
  return rate(performance.now() - started);
}

const RAW_TABLE = `CREATE TABLE raw_docs (key TEXT PRIMARY KEY, doc TEXT NOT NULL, position INTEGER NOT NULL,
  package TEXT, status TEXT, dt_build INTEGER) STRICT;
CREATE INDEX raw_docs_ps ON raw_docs (package, status); CREATE INDEX raw_docs_dt ON raw_docs (dt_build);
CREATE TABLE raw_checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT;`;

function rawSqlite(file: string): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(RAW_TABLE);
  const insert = db.prepare(`INSERT INTO raw_docs VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET
    doc = excluded.doc, position = excluded.position, package = excluded.package, status = excluded.status,
    dt_build = excluded.dt_build`);
  const checkpoint = db.prepare(`INSERT INTO raw_checkpoint VALUES ('bench', ?) ON CONFLICT (name) DO UPDATE SET
    position = excluded.position`);
  const write = db.transaction((batch: typeof documents) => {
    for (const { key, doc, position } of batch) {
      insert.run(key, JSON.stringify(doc), position, doc.package, doc.status, doc.dtBuild);
    }
    checkpoint.run(batch[batch.length - 1]?.position ?? 0);
  });
  const started = performance.now();
  for (const batch of batches) write(batch);
  const result = rate(performance.now() - started);
  db.close();
  return result;
}

async function rawPostgres(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query(`CREATE TABLE raw_docs (key text COLLATE "C" PRIMARY KEY, doc jsonb NOT NULL,
    position bigint NOT NULL, package text COLLATE "C", status text COLLATE "C", dt_build bigint)`);
  await client.query('CREATE INDEX raw_docs_ps ON raw_docs (package, status); CREATE INDEX ON raw_docs (dt_build)');
  await client.query('CREATE TABLE raw_checkpoint (name text PRIMARY KEY, position bigint NOT NULL)');
  const started = performance.now();
  for (const batch of batches) {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO raw_docs SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bigint[], $4::text[], $5::text[],
       $6::bigint[]) ON CONFLICT (key) DO UPDATE SET doc = excluded.doc, position = excluded.position,
       package = excluded.package, status = excluded.status, dt_build = excluded.dt_build`,
      [
        batch.map((d) => d.key),
        batch.map((d) => JSON.stringify(d.doc)),
        batch.map((d) => d.position),
        batch.map((d) => d.doc.package),
        batch.map((d) => d.doc.status),
        batch.map((d) => d.doc.dtBuild),
      ],
    );
    await client.query(
      `INSERT INTO raw_checkpoint VALUES ('bench', $1) ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
      [batch[batch.length - 1]?.position ?? 0],
    );
    await client.query('COMMIT');
  }
  const result = rate(performance.now() - started);
  await client.end();
  return result;
}

function report(label: string, store: number, raw: number): void {
  const fmt = (n: number) => `${n.toLocaleString('en-US')} docs/s`.padStart(18);
  console.log(`${label.padEnd(12)} store ${fmt(store)}   raw ${fmt(raw)}   store/raw ${(store / raw).toFixed(2)}`);
}

console.log(`${DOCS.toLocaleString('en-US')} documents, ${BATCH} per transaction`);
const dir = mkdtempSync(join(tmpdir(), 'dlrn-rm-bench-'));
try {
  const sqliteStore = await openSqliteReadModelStore(join(dir, 'store.sqlite'));
  const storeRate = await throughStore(sqliteStore);
  await sqliteStore.close();
  report('SQLite', storeRate, rawSqlite(join(dir, 'raw.sqlite')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `rm_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: values.postgres });
try {
  await admin.connect();
  const pgStore = await openPostgresReadModelStore(values.postgres, { schema });
  const storeRate = await throughStore(pgStore);
  await pgStore.close();
  report('PostgreSQL', storeRate, await rawPostgres(values.postgres, schema));
} catch (error) {
  console.log(`PostgreSQL   not measured: ${(error as Error).message}`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await admin.end().catch(() => {});
}
