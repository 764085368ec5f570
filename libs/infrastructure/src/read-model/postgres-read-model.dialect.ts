import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PostgresReadModelTransaction } from './postgres-read-model.transaction.js';
import type { ReadModelDialect, RenewableProjectionLock } from './read-model.dialect.js';
import { createBaseTables, type ReadModelDb, type ReadModelTables } from './read-model.tables.js';

export interface PostgresReadModelStoreOptions {
  /** Schema holding the tables (created if missing); default `public`. */
  readonly schema?: string;
  /** Pool size for queries (default 10); locks use one extra connection of their own. */
  readonly maxConnections?: number;
  /** Keep every document version in history tables, for `asOf` reads (time travel). Default true. */
  readonly history?: boolean;
}

const SCHEMA = /^[a-z_][a-z0-9_]*$/;

/** One connection to the server; its locks die with it. */
interface LockSession {
  readonly client: pg.Client;
  lost: boolean;
}

/**
 * Session-level advisory locks, all held on ONE connection of their own (outside the query
 * pool: locks held on pooled connections would starve the projector's own transactions).
 * Keyed by (schema, name): two schemas of one database (parallel test runs, two deployments)
 * do not block each other. hashtext can collide; the price is a projector that waits for a lock
 * nobody needs, never two projectors on one projection.
 *
 * PostgreSQL grants a lock again to the session holding it, so this store itself refuses a name
 * it holds for another owner (as the SQLite lease does). Operations on the shared connection
 * run one at a time, so concurrent tryLock calls never open two or close one in use.
 */
class AdvisoryLocks {
  private session: LockSession | null = null;
  private readonly owners = new Map<string, { readonly owner: string; count: number }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
  ) {}

  tryLock(name: string, owner: string): Promise<RenewableProjectionLock | null> {
    return this.serial(async () => {
      const holder = this.owners.get(name);
      if (holder && holder.owner !== owner) return null;
      const session = await this.connection();
      const { rows } = await session.client.query<{ granted: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS granted',
        [this.schema, name],
      );
      if (rows[0]?.granted !== true) {
        await this.closeIfIdle();
        return null;
      }
      const entry = holder ?? { owner, count: 0 };
      entry.count += 1;
      this.owners.set(name, entry);
      let released = false;
      return {
        renew: async () => !session.lost,
        release: () =>
          this.serial(async () => {
            if (released) return;
            released = true;
            if (session !== this.session) return; // that session and its locks are gone
            entry.count -= 1;
            if (entry.count === 0) this.owners.delete(name);
            // Fails only when the session is gone, which released the lock too.
            await session.client
              .query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [this.schema, name])
              .catch(() => undefined);
            await this.closeIfIdle();
          }),
      };
    });
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async connection(): Promise<LockSession> {
    if (this.session && !this.session.lost) return this.session;
    if (this.session) await this.drop(this.session);
    const session: LockSession = { client: new pg.Client(this.config), lost: false };
    // The session (and its locks) is gone on an error; renew() reports it.
    session.client.on('error', () => (session.lost = true));
    await session.client.connect();
    this.session = session;
    return session;
  }

  private async closeIfIdle(): Promise<void> {
    if (this.owners.size === 0 && this.session) await this.drop(this.session);
  }

  private async drop(session: LockSession): Promise<void> {
    session.lost = true;
    this.session = null;
    this.owners.clear();
    await session.client.end().catch(() => undefined);
  }
}

export function postgresReadModelDialect(locks: AdvisoryLocks, history = true): ReadModelDialect {
  const dialect: ReadModelDialect = {
    kind: 'postgresql',
    history,
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
    tryLock: (_db, name, owner) => locks.tryLock(name, owner),
    openTransaction: (tx) => new PostgresReadModelTransaction(tx, dialect),
  };
  return dialect;
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
  const dialect = postgresReadModelDialect(
    new AdvisoryLocks({ connectionString: url }, schema),
    options.history ?? true,
  );
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
