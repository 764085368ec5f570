import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { ReadModelDialect, RenewableProjectionLock } from './read-model.dialect.js';
import { createBaseTables, type ReadModelDb, type ReadModelTables } from './read-model.tables.js';

export interface PostgresReadModelStoreOptions {
  /** Schema holding the tables (created if missing); default `public`. */
  readonly schema?: string;
  /** Pool size; every held projection lock keeps one connection (default 10). */
  readonly maxConnections?: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/**
 * Session-level advisory lock, so it lives on one connection taken out of the pool until
 * release. Keyed by (schema, name): two schemas of one database (parallel test runs, two
 * deployments) do not block each other. hashtext can collide; the price is a projector that
 * waits for a lock nobody needs, never two projectors on one projection.
 */
async function tryAdvisoryLock(pool: pg.Pool, schema: string, name: string): Promise<RenewableProjectionLock | null> {
  const client = await pool.connect();
  let lost = false;
  // An error on a checked-out client would otherwise crash the process; the session (and the
  // lock) is gone then, which renew() reports.
  client.on('error', () => (lost = true));
  try {
    const { rows } = await client.query<{ granted: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS granted',
      [schema, name],
    );
    if (rows[0]?.granted !== true) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  let released = false;
  return {
    renew: async () => !lost,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [schema, name]);
        client.release();
      } catch {
        // Closing the session releases its locks too.
        client.release(true);
      }
    },
  };
}

export function postgresReadModelDialect(pool: pg.Pool, schema: string): ReadModelDialect {
  return {
    kind: 'postgresql',
    maxParameters: 65_535,
    jsonType: 'jsonb',
    textType: sql`text collate "C"`,
    bigintType: 'bigint',
    tableOptions: sql``,
    decodeJson: (stored) => stored,
    // CREATE … IF NOT EXISTS is not safe against a concurrent identical CREATE (catalog unique
    // violation), so DDL of all stores in this database takes turns.
    serializeDdl: async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('dlrn read model ddl'))`.execute(tx);
    },
    tryLock: (_db, name) => tryAdvisoryLock(pool, schema, name),
  };
}

/** Read models in a PostgreSQL schema; every connection gets it as its search_path. */
export async function connectPostgresReadModel(
  url: string,
  options: PostgresReadModelStoreOptions = {},
): Promise<{ db: ReadModelDb; dialect: ReadModelDialect }> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA.test(schema)) throw new Error(`schema '${schema}' must match [a-z_][a-z0-9_]*`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its server is dropped by the pool; the next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<ReadModelTables>({ dialect: new PostgresDialect({ pool }) });
  const dialect = postgresReadModelDialect(pool, schema);
  try {
    await db.transaction().execute(async (tx) => {
      await dialect.serializeDdl(tx);
      await tx.schema.createSchema(schema).ifNotExists().execute();
    });
    await createBaseTables(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect };
}
