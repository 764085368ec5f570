import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { ReadModelDialect, RenewableProjectionLock } from './read-model.dialect.js';
import { createBaseTables, type ReadModelDb, type ReadModelTables } from './read-model.tables.js';

export interface PostgresReadModelStoreOptions {
  /** Schema holding the tables (created if missing); default `public`. */
  readonly schema?: string;
  /** Pool size for queries (default 10); locks use one extra connection of their own. */
  readonly maxConnections?: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/**
 * Session-level advisory locks, all held on ONE connection of their own (outside the query
 * pool: locks held on pooled connections would starve the projector's own transactions).
 * Keyed by (schema, name): two schemas of one database (parallel test runs, two deployments)
 * do not block each other. hashtext can collide; the price is a projector that waits for a lock
 * nobody needs, never two projectors on one projection.
 */
class AdvisoryLocks {
  private client: pg.Client | null = null;
  private held = 0;
  private lost = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
  ) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    // The session (and its locks) is gone on an error; renew() reports it.
    client.on('error', () => (this.lost = true));
    await client.connect();
    this.client = client;
    this.lost = false;
    return client;
  }

  async tryLock(name: string): Promise<RenewableProjectionLock | null> {
    const client = await this.connection();
    const { rows } = await client.query<{ granted: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS granted',
      [this.schema, name],
    );
    if (rows[0]?.granted !== true) {
      await this.closeIfIdle();
      return null;
    }
    this.held += 1;
    let released = false;
    return {
      renew: async () => !this.lost,
      release: async () => {
        if (released) return;
        released = true;
        this.held -= 1;
        try {
          await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [this.schema, name]);
        } catch {
          // Closing the session releases its locks too.
        }
        await this.closeIfIdle();
      },
    };
  }

  private async closeIfIdle(): Promise<void> {
    if (this.held > 0 || !this.client) return;
    const client = this.client;
    this.client = null;
    await client.end().catch(() => undefined);
  }
}

export function postgresReadModelDialect(pool: pg.Pool, schema: string, locks: AdvisoryLocks): ReadModelDialect {
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
    tryLock: (_db, name) => locks.tryLock(name),
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
  const dialect = postgresReadModelDialect(pool, schema, new AdvisoryLocks({ connectionString: url }, schema));
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
