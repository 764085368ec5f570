import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import type { BatchWrites, LockOptions } from '#domain/projections/projection.js';
import { openDatabaseFile } from '../storage/storage-failure.js';
import type { ReadModelDialect, RenewableProjectionLock } from './read-model.dialect.js';
import { SqliteBatchWriter } from './sqlite-batch-writer.js';
import { SqliteReadModelTransaction } from './sqlite-read-model.transaction.js';
import { createBaseTables, type ReadModelDb, type ReadModelTables } from './read-model.tables.js';

export interface SqliteReadModelStoreOptions {
  /** How long a projection lease lasts without renewal (default 30 s). */
  readonly leaseMs?: number;
  /** Epoch milliseconds; tests move it to expire leases. */
  readonly now?: () => number;
  /** How long a writer waits for another connection's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
  /**
   * Projector batches writing more than this many documents commit on a thread of their own
   * (default 64: catching up leaves this thread to read and fold, while a live batch commits here,
   * where a thread hop would only add latency; Infinity: never). A file only: an in-memory
   * database is one connection's.
   */
  readonly writerThreadAbove?: number;
  /**
   * Keep every document version in history tables beside the documents, for `asOf` reads (time
   * travel). Default true.
   */
  readonly history?: boolean;
}

/**
 * Kysely's SQLite driver prepares every query anew; a projector sends the same few statements
 * (per projection its upsert, delete and key lookups; the contexts; the checkpoint CAS), so
 * reuse them: the least recently used go once more than `size` are held.
 */
function withStatementCache(
  db: Database.Database,
  size = 256,
): SqliteDatabase & { prepare(text: string): Database.Statement } {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(text: string): Database.Statement {
      let statement = cache.get(text);
      if (statement !== undefined) {
        cache.delete(text);
      } else {
        statement = db.prepare(text);
        const oldest = cache.size >= size ? cache.keys().next().value : undefined;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/**
 * BEGIN IMMEDIATE takes the write lock up front, so a second connection waits on busy_timeout
 * instead of failing with SQLITE_BUSY when its read transaction tries to become a write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

/**
 * A lease row: taken when free, expired, or already this owner's. The holder must call
 * `renew()` well within the lease (30 s by default), or another owner may take it over.
 */
async function tryLease(
  db: ReadModelDb,
  name: string,
  owner: string,
  leaseMs: number,
  now: () => number,
  options: LockOptions = {},
): Promise<RenewableProjectionLock | null> {
  const at = now();
  if (options.takeOverFrom !== undefined) {
    // A dead holder's lease is taken by compare-and-set on its owner: two survivors cannot both win.
    const held = await db.selectFrom('projection_locks').select('owner').where('name', '=', name).executeTakeFirst();
    if (held !== undefined && held.owner !== owner && options.takeOverFrom(held.owner)) {
      await db
        .updateTable('projection_locks')
        .set({ owner, expires_at: at + leaseMs })
        .where('name', '=', name)
        .where('owner', '=', held.owner)
        .execute();
    }
  }
  const taken = await db
    .insertInto('projection_locks')
    .values({ name, owner, expires_at: at + leaseMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
        .where((eb) => eb.or([eb('projection_locks.expires_at', '<=', at), eb('projection_locks.owner', '=', owner)])),
    )
    .executeTakeFirst();
  if (!taken.numInsertedOrUpdatedRows) return null;
  return {
    async renew() {
      const renewed = await db
        .updateTable('projection_locks')
        .set({ expires_at: now() + leaseMs })
        .where('name', '=', name)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return renewed.numUpdatedRows > 0n;
    },
    async release() {
      await db.deleteFrom('projection_locks').where('name', '=', name).where('owner', '=', owner).execute();
    },
  };
}

function documentsIn(writes: BatchWrites): number {
  let count = 0;
  for (const { documents } of writes.projections) count += documents.length;
  return count;
}

/** `database` runs the statements; Kysely's SQLite driver has this one connection only. */
export function sqliteReadModelDialect(
  database: Pick<Database.Database, 'prepare'>,
  options: SqliteReadModelStoreOptions = {},
  writer?: SqliteBatchWriter,
): ReadModelDialect {
  const leaseMs = options.leaseMs ?? 30_000;
  const now = options.now ?? Date.now;
  return {
    kind: 'sqlite',
    maxParameters: 32_766,
    jsonType: 'text',
    textType: 'text',
    bigintType: 'integer',
    tableOptions: sql`strict`,
    decodeJson: (stored) => JSON.parse(stored as string) as unknown,
    // One writer at a time already: every transaction begins IMMEDIATE.
    serializeDdl: async () => {},
    tryLock: (db, name, owner, lockOptions) => tryLease(db, name, owner, leaseMs, now, lockOptions),
    // Inside transaction(), which holds Kysely's single connection and its BEGIN IMMEDIATE, these
    // statements are part of that transaction; through committed(), plain reads of what is stored.
    history: options.history ?? true,
    openTransaction: () => new SqliteReadModelTransaction((text) => database.prepare(text), options.history ?? true),
    ...(writer && {
      commitBatch: (writes) =>
        documentsIn(writes) <= (options.writerThreadAbove ?? 64) ? undefined : writer.commit(writes),
      close: () => writer.close(),
    }),
  };
}

/** Page size of new read-model files. */
const READ_MODEL_PAGE_SIZE = 16_384;

/**
 * One SQLite file (created with its directory), WAL mode, synchronous=NORMAL: a crash of the
 * process loses nothing, a power loss at most the last transactions, which the projector
 * replays from its checkpoint.
 */
export async function connectSqliteReadModel(
  path: string,
  options: SqliteReadModelStoreOptions = {},
): Promise<{ db: ReadModelDb; dialect: ReadModelDialect }> {
  const file = path === ':memory:' ? path : resolve(path);
  const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? 10_000);
  const database = openDatabaseFile('read-model store', file, () => {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const opened = new Database(file);
    try {
      // Takes effect only on a new file: 16 KiB pages hold a build document or two each and write a
      // projector batch in a third of the write calls of 4 KiB pages (bench: the writer thread's
      // share of a rebuild 25% less CPU).
      // The wait first: switching to WAL takes a lock another process may hold at that moment.
      opened.pragma(`busy_timeout = ${busyTimeoutMs}`);
      opened.pragma(`page_size = ${READ_MODEL_PAGE_SIZE}`);
      opened.pragma('journal_mode = WAL');
      opened.pragma('synchronous = NORMAL');
      return opened;
    } catch (error) {
      opened.close();
      throw error;
    }
  });
  const statements = withStatementCache(database);
  const db = new Kysely<ReadModelTables>({ dialect: new ImmediateSqliteDialect({ database: statements }) });
  const inFile = file !== ':memory:' && file !== '';
  const threaded = inFile && (options.writerThreadAbove ?? 64) !== Infinity;
  const writer = threaded ? new SqliteBatchWriter(file, busyTimeoutMs, options.history ?? true) : undefined;
  const dialect = sqliteReadModelDialect(statements, options, writer);
  try {
    await createBaseTables(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect };
}
