import {
  ReadModelStore,
  type BatchWrites,
  type CheckpointInfo,
  type DocumentFilters,
  type DocumentQuery,
  type LockOptions,
  type ProjectionDefinition,
  type ReadModelReader,
  type ReadModelTransaction,
  type StoredDocument,
} from '#domain/projections/projection.js';
import type { DomainEvent } from '#domain/shared/event.js';
import { documentFilter, documentOrder, requireCount } from './document-query.js';
import { readCheckpoint, tableOf, toStoredDocument } from './kysely-read-model.transaction.js';
import { connectPostgresReadModel, type PostgresReadModelStoreOptions } from './postgres-read-model.dialect.js';
import type { ReadModelDialect, RenewableProjectionLock } from './read-model.dialect.js';
import { AsOfPlans, AsOfReader } from './read-model.as-of.js';
import {
  asNumber,
  createProjectionTable,
  documentTableName,
  historyTableName,
  keysTableName,
  readingView,
  type ReadModelDb,
} from './read-model.tables.js';
import { connectSqliteReadModel, type SqliteReadModelStoreOptions } from './sqlite-read-model.dialect.js';

export type { RenewableProjectionLock } from './read-model.dialect.js';
export type { PostgresReadModelStoreOptions } from './postgres-read-model.dialect.js';
export type { SqliteReadModelStoreOptions } from './sqlite-read-model.dialect.js';

/** What `openReadModelStore` needs of the configuration's ReadModelStoreTarget. */
export type ReadModelStoreLocation = (
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgresql'; readonly url: string }
) & {
  /** Keep every document version for `as_of` (default true); false saves its write cost. */
  readonly history?: boolean;
};

/**
 * Read models in SQLite or PostgreSQL behind one Kysely query layer; `dialect` holds the few
 * real differences. Open one with `openSqliteReadModelStore` / `openPostgresReadModelStore`.
 *
 * On SQLite, Kysely runs every query on the single connection in turn: inside `transaction`,
 * use only the transaction object, never this store (it would wait for the transaction).
 */
export class KyselyReadModelStore extends ReadModelStore {
  private readonly heldLocks = new Set<RenewableProjectionLock>();
  private readonly plans: AsOfPlans;

  constructor(
    private readonly db: ReadModelDb,
    readonly dialect: ReadModelDialect,
  ) {
    super();
    this.plans = new AsOfPlans(db);
  }

  override get keepsHistory(): boolean {
    return this.dialect.history;
  }

  /**
   * The read side at a global log position, from the history tables (every document version,
   * written with the documents in the same transaction). Position 0: before the first event.
   */
  override asOf(position: number): ReadModelReader {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new Error(`as-of position must be a non-negative integer, got ${String(position)}`);
    }
    if (!this.dialect.history) return super.asOf(position);
    return new AsOfReader(this.db, this.dialect, this.plans, position, (at) => this.asOf(at));
  }

  async ensure(projection: ProjectionDefinition): Promise<void> {
    await createProjectionTable(this.db, this.dialect, projection, this.dialect.history);
  }

  async transaction<T>(work: (tx: ReadModelTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((tx) => work(this.unitOfWork(tx)));
  }

  committed(): ReadModelTransaction {
    return this.unitOfWork(this.db);
  }

  override commitBatch(writes: BatchWrites): Promise<void> {
    return this.dialect.commitBatch?.(writes) ?? super.commitBatch(writes);
  }

  private unitOfWork(db: ReadModelDb): ReadModelTransaction {
    return this.dialect.openTransaction(db);
  }

  async checkpoint(name: string, version: number): Promise<number> {
    return (await readCheckpoint(this.db, name, version)) ?? 0;
  }

  async checkpoints(): Promise<CheckpointInfo[]> {
    const rows = await this.db
      .selectFrom('projection_checkpoints')
      .selectAll()
      .orderBy('name')
      .orderBy('version')
      .execute();
    return rows.map((row) => ({
      name: row.name,
      version: row.version,
      position: asNumber(row.position),
      updatedAt: row.updated_at,
      active: row.active === 1,
    }));
  }

  async activate(name: string, version: number): Promise<void> {
    documentTableName(name, version);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('projection_checkpoints')
        .values({ name, version, position: 0, updated_at: new Date().toISOString(), active: 1 })
        .onConflict((oc) => oc.columns(['name', 'version']).doUpdateSet({ active: 1 }))
        .execute();
      await tx
        .updateTable('projection_checkpoints')
        .set({ active: 0 })
        .where('name', '=', name)
        .where('version', '!=', version)
        .execute();
    });
  }

  async activeVersion(name: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select('version')
      .where('name', '=', name)
      .where('active', '=', 1)
      .executeTakeFirst();
    return row ? row.version : null;
  }

  async drop(name: string, version: number): Promise<void> {
    const table = documentTableName(name, version);
    await this.db.transaction().execute(async (tx) => {
      await this.dialect.serializeDdl(tx);
      await tx.schema.dropTable(table).ifExists().execute();
      await tx.schema.dropTable(historyTableName(name, version)).ifExists().execute();
      await tx.schema.dropTable(keysTableName(name, version)).ifExists().execute();
      await tx.deleteFrom('projection_checkpoints').where('name', '=', name).where('version', '=', version).execute();
    });
  }

  async tryLock(name: string, owner: string, options?: LockOptions): Promise<RenewableProjectionLock | null> {
    const lock = await this.dialect.tryLock(this.db, name, owner, options);
    if (lock === null) return null;
    const held: RenewableProjectionLock = {
      renew: () => lock.renew(),
      release: async () => {
        if (!this.heldLocks.delete(held)) return;
        await lock.release();
      },
    };
    this.heldLocks.add(held);
    return held;
  }

  async find<Doc, Column extends string>(
    projection: ProjectionDefinition<Doc, DomainEvent, Column>,
    query: DocumentQuery<NoInfer<Column>> = {},
  ): Promise<StoredDocument<Doc>[]> {
    const definition: ProjectionDefinition = projection;
    const order = documentOrder(definition, query.orderBy);
    const limit = requireCount('limit', query.limit);
    const offset = requireCount('offset', query.offset);
    let select = this.db
      .selectFrom(tableOf(definition))
      .select(['_key', '_doc', '_position'])
      .where(documentFilter(definition, query));
    for (const { column, direction } of order) {
      // Explicit so both dialects agree: NULL is the smallest value (SQLite's rule).
      select = select.orderBy(column, (ob) => (direction === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast()));
    }
    // SQLite accepts OFFSET only after a LIMIT.
    if (limit !== undefined || offset !== undefined) select = select.limit(limit ?? Number.MAX_SAFE_INTEGER);
    if (offset !== undefined) select = select.offset(offset);
    const rows = await readingView(definition, () => select.execute());
    return rows.map((row) => toStoredDocument<Doc>(this.dialect, row));
  }

  async count<Column extends string>(
    projection: ProjectionDefinition<unknown, DomainEvent, Column>,
    query: DocumentFilters<NoInfer<Column>> = {},
  ): Promise<number> {
    const row = await readingView(projection, () =>
      this.db
        .selectFrom(tableOf(projection))
        .select((eb) => eb.fn.countAll().as('n'))
        .where(documentFilter(projection, query))
        .executeTakeFirstOrThrow(),
    );
    return asNumber(row.n);
  }

  async get<Doc>(projection: ProjectionDefinition<Doc>, key: string): Promise<StoredDocument<Doc> | null> {
    const row = await readingView(projection, () =>
      this.db
        .selectFrom(tableOf(projection))
        .select(['_key', '_doc', '_position'])
        .where('_key', '=', key)
        .executeTakeFirst(),
    );
    return row ? toStoredDocument<Doc>(this.dialect, row) : null;
  }

  /** Lets sent batches commit, and releases held locks: a pool would otherwise wait for their connections. */
  async close(): Promise<void> {
    await this.dialect.close?.();
    for (const lock of [...this.heldLocks]) await lock.release();
    await this.db.destroy();
  }
}

/** Read models in an SQLite file (see `connectSqliteReadModel` for the durability settings). */
export async function openSqliteReadModelStore(
  path: string,
  options?: SqliteReadModelStoreOptions,
): Promise<KyselyReadModelStore> {
  const { db, dialect } = await connectSqliteReadModel(path, options);
  return new KyselyReadModelStore(db, dialect);
}

/** Read models in a PostgreSQL schema (default `public`, created if missing). */
export async function openPostgresReadModelStore(
  url: string,
  options?: PostgresReadModelStoreOptions,
): Promise<KyselyReadModelStore> {
  const { db, dialect } = await connectPostgresReadModel(url, options);
  return new KyselyReadModelStore(db, dialect);
}

/** Opens the read-model store the configuration names (`service.readModelStoreTarget`). */
export async function openReadModelStore(target: ReadModelStoreLocation): Promise<KyselyReadModelStore> {
  const options = target.history === undefined ? {} : { history: target.history };
  return target.kind === 'sqlite'
    ? openSqliteReadModelStore(target.path, options)
    : openPostgresReadModelStore(target.url, options);
}
