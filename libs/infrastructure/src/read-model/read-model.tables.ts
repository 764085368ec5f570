import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ViewNotBuiltError, type ProjectionDefinition } from '#domain/projections/projection.js';
import type { ReadModelDialect } from './read-model.dialect.js';

/**
 * Row shapes as the drivers return them. Integers declared BIGINT come back from `pg` as strings
 * (they may exceed 2^53 in general); ours never do, so every read goes through `asNumber`.
 */
/**
 * A projection version's table. Our own columns start with `_`, which a declared column cannot
 * (they match [a-z][a-z0-9_]*), so a projection may name a column `key` or `position` freely.
 */
export interface DocumentTable {
  _key: string;
  /** TEXT holding JSON on SQLite, JSONB on PostgreSQL. */
  _doc: unknown;
  _position: number | string;
  /** The projection's scalar columns. */
  [column: string]: unknown;
}

/**
 * A projection version's history (`p_<name>_v<n>_h`): every version of every document, live from
 * `_valid_from` (the position of the event that made it) until `_valid_to` (the position that
 * replaced or deleted it; NULL while it is the live one), with the same columns.
 */
export interface HistoryTable {
  _key: string;
  _valid_from: number | string;
  _valid_to: number | string | null;
  _doc: unknown;
  [column: string]: unknown;
}

export interface ReadModelTables {
  projection_checkpoints: {
    name: string;
    version: number;
    position: number | string;
    updated_at: string;
    /** 0 or 1: an integer in both dialects, so the query layer stays shared. */
    active: number;
  };
  projection_locks: { name: string; owner: string; expires_at: number | string };
  [documents: `p_${string}`]: DocumentTable;
}

export type ReadModelDb = Kysely<ReadModelTables>;
export type DocumentTableName = `p_${string}`;

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
/** PostgreSQL truncates longer identifiers silently, which would make two names collide. */
const MAX_IDENTIFIER = 63;

/**
 * Runs a read of `projection`'s tables, turning "no such table" (SQLite) and undefined_table
 * (PostgreSQL 42P01) into ViewNotBuiltError: the views were never built on this store.
 */
export async function readingView<T>(projection: ProjectionDefinition, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const missing =
      code === '42P01' ||
      (code === 'SQLITE_ERROR' && typeof message === 'string' && message.startsWith('no such table'));
    if (missing) throw new ViewNotBuiltError(projection.name);
    throw error;
  }
}

export function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Every version of a projection version's documents (time travel). */
export function historyTableName(name: string, version: number): DocumentTableName {
  return checkedLength(`${documentTableName(name, version)}_h`, name);
}

/** Every key a projection version ever stored: one seek each into the history (few keys, many versions). */
export function keysTableName(name: string, version: number): DocumentTableName {
  return checkedLength(`${documentTableName(name, version)}_k`, name);
}

function checkedLength(table: DocumentTableName, name: string): DocumentTableName {
  if (table.length > MAX_IDENTIFIER) throw new Error(`projection ${name}: table name '${table}' is too long`);
  return table;
}

export function documentTableName(name: string, version: number): DocumentTableName {
  if (!IDENTIFIER.test(name)) throw new Error(`projection name '${name}' must match [a-z][a-z0-9_]*`);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new Error(`projection ${name}: version must be a positive integer, got ${String(version)}`);
  }
  const table = `p_${name}_v${version}` as const;
  if (table.length > MAX_IDENTIFIER) throw new Error(`projection ${name}: table name '${table}' is too long`);
  return table;
}

/** Deterministic, and short enough for PostgreSQL even when the column list is long. */
export function indexName(table: string, columns: readonly string[]): string {
  const plain = `${table}__${columns.join('__')}`;
  if (plain.length <= MAX_IDENTIFIER) return plain;
  const digest = createHash('sha256').update(columns.join(',')).digest('hex').slice(0, 12);
  return `${table.slice(0, MAX_IDENTIFIER - 16)}__i${digest}`;
}

/** Checks every name a definition would put into SQL before any of it is used. */
export function validateProjection(projection: ProjectionDefinition): DocumentTableName {
  const table = documentTableName(projection.name, projection.version);
  for (const column of Object.keys(projection.columns)) {
    if (!IDENTIFIER.test(column)) {
      throw new Error(`projection ${projection.name}: column '${column}' must match [a-z][a-z0-9_]*`);
    }
  }
  for (const index of projection.indexes) {
    if (index.length === 0) throw new Error(`projection ${projection.name}: empty index`);
    for (const column of index) requireColumn(projection, column);
  }
  return table;
}

/** Query filters name columns chosen by callers: only declared ones may reach SQL. */
export function requireColumn(projection: ProjectionDefinition, column: string): string {
  if (!Object.hasOwn(projection.columns, column)) {
    const known = Object.keys(projection.columns).join(', ') || 'none';
    throw new Error(`projection ${projection.name}: unknown column '${column}' (declared: ${known})`);
  }
  return column;
}

export async function createBaseTables(db: ReadModelDb, dialect: ReadModelDialect): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await dialect.serializeDdl(tx);
    // Stream contexts come from the event log now (the projector's StreamContexts).
    await tx.schema.dropTable('stream_contexts').ifExists().execute();
    await tx.schema
      .createTable('projection_checkpoints')
      .ifNotExists()
      .addColumn('name', dialect.textType, (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('position', dialect.bigintType, (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('projection_checkpoints_pk', ['name', 'version'])
      .modifyEnd(dialect.tableOptions)
      .execute();
    await tx.schema
      .createTable('projection_locks')
      .ifNotExists()
      .addColumn('name', dialect.textType, (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', dialect.bigintType, (c) => c.notNull())
      .modifyEnd(dialect.tableOptions)
      .execute();
  });
}

export async function createProjectionTable(
  db: ReadModelDb,
  dialect: ReadModelDialect,
  projection: ProjectionDefinition,
  history = false,
): Promise<void> {
  const table = validateProjection(projection);
  if (history) await createHistoryTables(db, dialect, projection);
  await db.transaction().execute(async (tx) => {
    await dialect.serializeDdl(tx);
    let create = tx.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('_key', dialect.textType, (c) => c.primaryKey())
      .addColumn('_doc', dialect.jsonType, (c) => c.notNull())
      .addColumn('_position', dialect.bigintType, (c) => c.notNull());
    for (const [column, type] of Object.entries(projection.columns)) {
      create = create.addColumn(column, type === 'text' ? dialect.textType : dialect.bigintType);
    }
    await create.modifyEnd(dialect.tableOptions).execute();
    for (const columns of projection.indexes) {
      await tx.schema
        .createIndex(indexName(table, columns))
        .ifNotExists()
        .on(table)
        .columns([...columns])
        .execute();
    }
  });
}

/**
 * The history and keys tables of a projection version (idempotent). Each declared index is
 * mirrored with `_valid_from, _valid_to` appended (a stabbing query reads both from the index);
 * the primary key (_key, _valid_from) is the seek of one key's version at a position.
 */
export async function createHistoryTables(
  db: ReadModelDb,
  dialect: ReadModelDialect,
  projection: ProjectionDefinition,
): Promise<void> {
  validateProjection(projection);
  const history = historyTableName(projection.name, projection.version);
  const keys = keysTableName(projection.name, projection.version);
  await db.transaction().execute(async (tx) => {
    await dialect.serializeDdl(tx);
    let create = tx.schema
      .createTable(history)
      .ifNotExists()
      .addColumn('_key', dialect.textType, (c) => c.notNull())
      .addColumn('_valid_from', dialect.bigintType, (c) => c.notNull())
      .addColumn('_valid_to', dialect.bigintType)
      .addColumn('_doc', dialect.jsonType, (c) => c.notNull());
    for (const [column, type] of Object.entries(projection.columns)) {
      create = create.addColumn(column, type === 'text' ? dialect.textType : dialect.bigintType);
    }
    await create
      .addPrimaryKeyConstraint(indexName(history, ['pk']), ['_key', '_valid_from'])
      .modifyEnd(dialect.tableOptions)
      .execute();
    for (const columns of projection.indexes) {
      const indexed = [...columns, '_valid_from', '_valid_to'];
      await tx.schema.createIndex(indexName(history, indexed)).ifNotExists().on(history).columns(indexed).execute();
    }
    await tx.schema
      .createTable(keys)
      .ifNotExists()
      .addColumn('_key', dialect.textType, (c) => c.primaryKey())
      .modifyEnd(dialect.tableOptions)
      .execute();
  });
}
