import {
  CheckpointConflictError,
  type ColumnValue,
  type DocumentWrite,
  type ProjectionDefinition,
  type ReadModelTransaction,
  type StoredDocument,
} from '#domain/projections/projection.js';
import type { ReadModelDialect } from './read-model.dialect.js';
import { asNumber, validateProjection, type DocumentTableName, type ReadModelDb } from './read-model.tables.js';

/** Validated once per definition object: the hot path calls putDocuments for every batch. */
const tableNames = new WeakMap<ProjectionDefinition, DocumentTableName>();

export function tableOf(projection: ProjectionDefinition): DocumentTableName {
  let table = tableNames.get(projection);
  if (table === undefined) {
    table = validateProjection(projection);
    tableNames.set(projection, table);
  }
  return table;
}

/**
 * The SQL text pieces of a projection's document table (identifiers checked by `tableOf`,
 * quoted): what each dialect's hand-written batch statements are built from.
 */
export interface DocumentTableSql {
  readonly table: string;
  /** The projection's own columns, unquoted (the order of a row's values). */
  readonly columns: readonly string[];
  /** `"_key", "_doc", "_position"` then the projection's columns, quoted. */
  readonly quoted: readonly string[];
  /** The upsert's conflict clause: every column but the key takes the new row's value. */
  readonly onConflict: string;
}

/** `build` run once per projection definition object: the projector calls it for every batch. */
export function documentStatementsBy<Statements>(
  build: (sql: DocumentTableSql, projection: ProjectionDefinition) => Statements,
): (projection: ProjectionDefinition) => Statements {
  const cache = new WeakMap<ProjectionDefinition, Statements>();
  return (projection) => {
    let statements = cache.get(projection);
    if (statements === undefined) {
      const columns = Object.keys(projection.columns);
      const quoted = ['_key', '_doc', '_position', ...columns].map((c) => `"${c}"`);
      const updates = quoted.slice(1).map((c) => `${c} = excluded.${c}`);
      const onConflict = `ON CONFLICT ("_key") DO UPDATE SET ${updates.join(', ')}`;
      statements = build({ table: tableOf(projection), columns, quoted, onConflict }, projection);
      cache.set(projection, statements);
    }
    return statements;
  };
}

/** Where a projection version's checkpoint is; null when it has no row yet. */
export async function readCheckpoint(db: ReadModelDb, name: string, version: number): Promise<number | null> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('position')
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? asNumber(row.position) : null;
}

export function toStoredDocument<Doc>(
  dialect: ReadModelDialect,
  row: { _key: string; _doc: unknown; _position: unknown },
): StoredDocument<Doc> {
  return { key: row._key, doc: dialect.decodeJson(row._doc) as Doc, position: asNumber(row._position) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Later writes of the same key win; PostgreSQL refuses an upsert that touches a row twice. */
function lastPerKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const item of items) latest.set(keyOf(item), item);
  return latest.size === items.length ? [...items] : [...latest.values()];
}

/**
 * The projector's unit of work over one Kysely transaction: documents, stream contexts and the
 * checkpoint commit or roll back together.
 */
export class KyselyReadModelTransaction implements ReadModelTransaction {
  constructor(
    private readonly db: ReadModelDb,
    private readonly dialect: ReadModelDialect,
  ) {}

  async getDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    keys: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const table = tableOf(projection);
    const found = new Map<string, StoredDocument<Doc>>();
    for (const chunk of chunks([...new Set(keys)], this.dialect.maxParameters)) {
      const rows = await this.db
        .selectFrom(table)
        .select(['_key', '_doc', '_position'])
        .where('_key', 'in', chunk)
        .execute();
      for (const row of rows) found.set(row._key, toStoredDocument<Doc>(this.dialect, row));
    }
    return found;
  }

  async putDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    documents: readonly DocumentWrite<Doc>[],
  ): Promise<void> {
    if (documents.length === 0) return;
    const table = tableOf(projection);
    const columns = Object.keys(projection.columns);
    const upserts: Record<string, ColumnValue>[] = [];
    const deletes: string[] = [];
    for (const { key, doc, position } of lastPerKey(documents, (d) => d.key)) {
      if (doc === null) {
        deletes.push(key);
        continue;
      }
      const values = projection.row(doc, key);
      const row: Record<string, ColumnValue> = { _key: key, _doc: JSON.stringify(doc), _position: position };
      for (const column of columns) row[column] = values[column] ?? null;
      upserts.push(row);
    }
    const rowsPerStatement = Math.floor(this.dialect.maxParameters / (3 + columns.length));
    for (const chunk of chunks(upserts, rowsPerStatement)) await this.upsert(table, columns, chunk).execute();
    for (const chunk of chunks(deletes, this.dialect.maxParameters)) {
      await this.db.deleteFrom(table).where('_key', 'in', chunk).execute();
    }
  }

  /** Parameters follow the rows' property order (_key, _doc, _position, then the columns). */
  private upsert(table: DocumentTableName, columns: readonly string[], rows: Record<string, ColumnValue>[]) {
    return this.db
      .insertInto(table)
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('_key')
          .doUpdateSet((eb) =>
            Object.fromEntries(
              ['_doc', '_position', ...columns].map((column) => [column, eb.ref(`excluded.${column}`)]),
            ),
          ),
      );
  }

  async advanceCheckpoint(name: string, version: number, from: number, to: number): Promise<void> {
    for (const value of [from, to]) {
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`projection ${name}: bad position ${value}`);
    }
    const updatedAt = new Date().toISOString();
    let changed: bigint;
    if (from === 0) {
      // No row yet, or a row still at 0 (activate() may have created it).
      const result = await this.db
        .insertInto('projection_checkpoints')
        .values({ name, version, position: to, updated_at: updatedAt, active: 0 })
        .onConflict((oc) =>
          oc
            .columns(['name', 'version'])
            .doUpdateSet({ position: to, updated_at: updatedAt })
            .where('projection_checkpoints.position', '=', 0),
        )
        .executeTakeFirst();
      changed = result.numInsertedOrUpdatedRows ?? 0n;
    } else {
      const result = await this.db
        .updateTable('projection_checkpoints')
        .set({ position: to, updated_at: updatedAt })
        .where('name', '=', name)
        .where('version', '=', version)
        .where('position', '=', from)
        .executeTakeFirst();
      changed = result.numUpdatedRows;
    }
    if (changed === 0n) throw new CheckpointConflictError(name, from, await readCheckpoint(this.db, name, version));
  }
}
