import { CompiledQuery } from 'kysely';
import type {
  ColumnValue,
  DocumentWrite,
  ProjectionDefinition,
  StoredDocument,
} from '#domain/projections/projection.js';
import { KyselyReadModelTransaction, documentStatementsBy } from './kysely-read-model.transaction.js';
import type { ReadModelDialect } from './read-model.dialect.js';
import { historyPlan } from './read-model.history.js';
import { asNumber, historyTableName, keysTableName, type ReadModelDb } from './read-model.tables.js';

/** The projector's statements of one projection version, as SQL text. */
interface DocumentStatements {
  readonly select: string;
  readonly upsert: string;
  readonly delete: string;
  readonly columns: readonly string[];
  /** History (time travel), each taking arrays (`unnest`): text parameters, surrogates included. */
  readonly closeVersions: string;
  readonly insertVersions: string;
  readonly noteKeys: string;
}

/**
 * Every value is a parameter. A batch of rows travels as ONE json parameter (jsonb_to_recordset):
 * no per-row placeholders to build, no 65535-parameter limit, and the documents are parsed once,
 * by the server.
 */
const documentStatements = documentStatementsBy(
  ({ table, columns, quoted, onConflict }, projection): DocumentStatements => {
    const types = [
      'text',
      'jsonb',
      'bigint',
      ...columns.map((c) => (projection.columns[c] === 'text' ? 'text' : 'bigint')),
    ];
    return {
      select: `SELECT "_key", "_doc", "_position" FROM "${table}" WHERE "_key" = ANY($1::text[])`,
      upsert:
        `INSERT INTO "${table}" (${quoted.join(', ')}) SELECT ${quoted.join(', ')} FROM jsonb_to_recordset($1::jsonb) ` +
        `AS r(${quoted.map((c, i) => `${c} ${types[i]!}`).join(', ')}) ${onConflict}`,
      delete: `DELETE FROM "${table}" WHERE "_key" = ANY($1::text[])`,
      columns,
      ...historyStatements(projection, quoted.slice(3), types.slice(3)),
    };
  },
);

function historyStatements(
  projection: ProjectionDefinition,
  quotedColumns: readonly string[],
  types: readonly string[],
) {
  const history = historyTableName(projection.name, projection.version);
  const keys = keysTableName(projection.name, projection.version);
  const inserted = ['"_key"', '"_valid_from"', '"_valid_to"', '"_doc"', ...quotedColumns];
  const arrays = ['text', 'bigint', 'bigint', 'text', ...types].map((type, i) => `$${i + 1}::${type}[]`);
  const selected = inserted.map((c) => (c === '"_doc"' ? `r."_doc"::jsonb` : `r.${c}`));
  return {
    closeVersions:
      `UPDATE "${history}" AS h SET "_valid_to" = c.p FROM unnest($1::text[], $2::bigint[]) AS c(k, p) ` +
      `WHERE h."_key" = c.k AND h."_valid_to" IS NULL AND h."_valid_from" < c.p`,
    insertVersions:
      `INSERT INTO "${history}" (${inserted.join(', ')}) SELECT ${selected.join(', ')} ` +
      `FROM unnest(${arrays.join(', ')}) AS r(${inserted.join(', ')}) ` +
      `WHERE NOT EXISTS (SELECT 1 FROM "${history}" AS x WHERE x."_key" = r."_key" AND x."_valid_from" >= r."_valid_from") ` +
      `ON CONFLICT DO NOTHING`,
    noteKeys: `INSERT INTO "${keys}" ("_key") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
  };
}

/**
 * Surrogates: JSON carries a lone one as an escape PostgreSQL refuses, where a text parameter
 * is sent as UTF-8 (U+FFFD). Rows with one take the generic path, so both paths store the same.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The projector's unit of work on PostgreSQL: KyselyReadModelTransaction (same transaction, same
 * checkpoint compare-and-set) with the batch statements written for PostgreSQL: reads by
 * `= ANY($1)`, upserts and deletes of a whole batch in one statement each.
 */
export class PostgresReadModelTransaction extends KyselyReadModelTransaction {
  private readonly keepHistory: boolean;

  constructor(
    private readonly connection: ReadModelDb,
    dialect: ReadModelDialect,
  ) {
    super(connection, dialect);
    this.keepHistory = dialect.history;
  }

  /** One statement with one parameter, sent as is (no query built per batch). */
  private async rows<Row>(text: string, parameter: unknown): Promise<Row[]> {
    return (await this.connection.executeQuery<Row>(CompiledQuery.raw(text, [parameter]))).rows;
  }

  override async getDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    keys: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const found = new Map<string, StoredDocument<Doc>>();
    if (keys.length === 0) return found;
    const { select } = documentStatements(projection);
    const rows = await this.rows<{ _key: string; _doc: Doc; _position: string | number }>(select, [...new Set(keys)]);
    for (const row of rows) found.set(row._key, { key: row._key, doc: row._doc, position: asNumber(row._position) });
    return found;
  }

  override async putDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    documents: readonly DocumentWrite<Doc>[],
  ): Promise<void> {
    if (documents.length === 0) return;
    const definition: ProjectionDefinition = projection;
    const statements = documentStatements(definition);
    // Later writes of the same key win; PostgreSQL refuses an upsert that touches a row twice.
    const latest = new Map<string, DocumentWrite<Doc>>();
    for (const document of documents) latest.set(document.key, document);
    const rows: Record<string, unknown>[] = [];
    const deletes: string[] = [];
    const generic: DocumentWrite<Doc>[] = [];
    for (const write of latest.values()) {
      if (write.doc === null) {
        deletes.push(write.key);
        continue;
      }
      const values = projection.row(write.doc, write.key);
      const row: Record<string, unknown> = { _key: write.key, _doc: write.doc, _position: write.position };
      let plain = !SURROGATE.test(write.key);
      for (const column of statements.columns) {
        const value: ColumnValue = values[column] ?? null;
        if (typeof value === 'string' && SURROGATE.test(value)) plain = false;
        row[column] = value;
      }
      if (plain) rows.push(row);
      else generic.push(write);
    }
    if (rows.length > 0) await this.rows(statements.upsert, JSON.stringify(rows));
    if (deletes.length > 0) await this.rows(statements.delete, deletes);
    if (generic.length > 0) await super.putDocuments(projection, generic);
    if (this.keepHistory) await this.putHistory(definition, documents);
  }

  /** Every write as a version of the history tables (see `historyPlan`): three statements. */
  private async putHistory(projection: ProjectionDefinition, documents: readonly DocumentWrite[]): Promise<void> {
    const statements = documentStatements(projection);
    const plan = historyPlan(documents);
    const run = (text: string, parameters: unknown[]) =>
      this.connection.executeQuery(CompiledQuery.raw(text, parameters));
    await run(statements.closeVersions, [plan.closes.map((c) => c.key), plan.closes.map((c) => c.position)]);
    if (plan.versions.length === 0) return;
    const columns: unknown[][] = [[], [], [], [], ...statements.columns.map(() => [])];
    for (const { key, doc, validFrom, validTo } of plan.versions) {
      const values = projection.row(doc, key);
      columns[0]!.push(key);
      columns[1]!.push(validFrom);
      columns[2]!.push(validTo);
      columns[3]!.push(JSON.stringify(doc));
      statements.columns.forEach((column, i) => columns[4 + i]!.push(values[column] ?? null));
    }
    await run(statements.insertVersions, columns);
    await run(statements.noteKeys, [[...plan.keys]]);
  }
}
