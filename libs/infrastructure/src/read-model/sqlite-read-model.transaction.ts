import type Database from 'better-sqlite3';
import {
  CheckpointConflictError,
  type ColumnValue,
  type ProjectionDefinition,
  type ReadModelTransaction,
  type StoredDocument,
} from '#domain/projections/projection.js';
import { tableOf, type Commit, type DocumentWrite } from './kysely-read-model.transaction.js';

/** The projector's statements of one projection version, as SQL text (prepared once each). */
interface DocumentStatements {
  readonly select: string;
  readonly selectOne: string;
  readonly upsert: string;
  readonly delete: string;
  readonly columns: readonly string[];
}

const statementsOf = new WeakMap<ProjectionDefinition, DocumentStatements>();

/** Every identifier was checked by `tableOf` (`[a-z][a-z0-9_]*`); values are all parameters. */
function documentStatements(projection: ProjectionDefinition): DocumentStatements {
  let statements = statementsOf.get(projection);
  if (statements === undefined) {
    const table = tableOf(projection);
    const columns = Object.keys(projection.columns);
    const all = ['_key', '_doc', '_position', ...columns].map((c) => `"${c}"`);
    statements = {
      // The keys arrive as one JSON array; CROSS JOIN keeps json_each outside: one index probe per key.
      select: `SELECT t."_key", t."_doc", t."_position" FROM json_each(?) AS k CROSS JOIN "${table}" AS t ON t."_key" = k.value`,
      selectOne: `SELECT "_key", "_doc", "_position" FROM "${table}" WHERE "_key" = ?`,
      upsert:
        `INSERT INTO "${table}" (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ` +
        `ON CONFLICT ("_key") DO UPDATE SET ${all
          .slice(1)
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}`,
      delete: `DELETE FROM "${table}" WHERE "_key" = ?`,
      columns,
    };
    statementsOf.set(projection, statements);
  }
  return statements;
}

const SELECT_CONTEXT = 'SELECT "stream_id", "commit" FROM "stream_contexts" WHERE "stream_id" = ?';
const SELECT_CONTEXTS =
  'SELECT s."stream_id", s."commit" FROM json_each(?) AS k CROSS JOIN "stream_contexts" AS s ON s."stream_id" = k.value';
const UPSERT_CONTEXT =
  'INSERT INTO "stream_contexts" ("stream_id", "commit") VALUES (?, ?) ON CONFLICT ("stream_id") DO UPDATE SET "commit" = excluded."commit"';
const FIRST_CHECKPOINT =
  'INSERT INTO "projection_checkpoints" ("name", "version", "position", "updated_at", "active") VALUES (?, ?, ?, ?, 0) ' +
  'ON CONFLICT ("name", "version") DO UPDATE SET "position" = excluded."position", "updated_at" = excluded."updated_at" ' +
  'WHERE "projection_checkpoints"."position" = 0';
const NEXT_CHECKPOINT =
  'UPDATE "projection_checkpoints" SET "position" = ?, "updated_at" = ? WHERE "name" = ? AND "version" = ? AND "position" = ?';
const READ_CHECKPOINT = 'SELECT "position" FROM "projection_checkpoints" WHERE "name" = ? AND "version" = ?';

/**
 * Rows for `keys` (deduplicated): one statement taking them all as a JSON array, except keys with
 * surrogates (a lone one would not survive the JSON round trip as the driver binds it), looked
 * up one by one.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

function lookup<Row>(prepare: PrepareStatement, many: string, one: string, keys: readonly string[]): Row[] {
  const unique = [...new Set(keys)];
  const plain = unique.filter((key) => !SURROGATE.test(key));
  const rows = plain.length > 0 ? (prepare(many).raw(true).all(JSON.stringify(plain)) as Row[]) : [];
  if (plain.length < unique.length) {
    const statement = prepare(one).raw(true);
    for (const key of unique) {
      if (!SURROGATE.test(key)) continue;
      const row = statement.get(key) as Row | undefined;
      if (row !== undefined) rows.push(row);
    }
  }
  return rows;
}

/** Prepares a statement (the connection keeps the projector's few prepared). */
export type PrepareStatement = (sql: string) => Database.Statement;

/**
 * The projector's unit of work on SQLite, as prepared statements stepped directly on the one
 * connection (better-sqlite3 is synchronous; no query is built per batch). It runs inside the
 * transaction the store began (BEGIN IMMEDIATE on that connection), so documents, contexts and
 * checkpoints still commit or roll back together. Same semantics as KyselyReadModelTransaction,
 * which the contract suite checks on both.
 */
export class SqliteReadModelTransaction implements ReadModelTransaction {
  constructor(private readonly prepare: PrepareStatement) {}

  async getDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    keys: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const found = new Map<string, StoredDocument<Doc>>();
    if (keys.length === 0) return found;
    const { select, selectOne } = documentStatements(projection as ProjectionDefinition);
    const rows = lookup<[string, string, number]>(this.prepare, select, selectOne, keys);
    for (const [key, doc, position] of rows) {
      found.set(key, { key, doc: JSON.parse(doc) as Doc, position });
    }
    return found;
  }

  async putDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    documents: readonly DocumentWrite<Doc>[],
  ): Promise<void> {
    if (documents.length === 0) return;
    const definition = projection as ProjectionDefinition;
    const { upsert, delete: remove, columns } = documentStatements(definition);
    // Later writes of the same key win, as in one multi-row upsert.
    const latest = new Map<string, DocumentWrite<Doc>>();
    for (const document of documents) latest.set(document.key, document);
    const upsertStatement = this.prepare(upsert);
    let deleteStatement: Database.Statement | undefined;
    for (const { key, doc, position } of latest.values()) {
      if (doc === null) {
        (deleteStatement ??= this.prepare(remove)).run(key);
        continue;
      }
      const values = projection.row(doc, key);
      const params: ColumnValue[] = [key, JSON.stringify(doc), position];
      for (const column of columns) params.push(values[column] ?? null);
      upsertStatement.run(params);
    }
  }

  async getContexts(streamIds: readonly string[]): Promise<Map<string, Commit | null>> {
    const found = new Map<string, Commit | null>();
    if (streamIds.length === 0) return found;
    const rows = lookup<[string, string]>(this.prepare, SELECT_CONTEXTS, SELECT_CONTEXT, streamIds);
    for (const [streamId, commit] of rows) found.set(streamId, JSON.parse(commit) as Commit);
    return found;
  }

  async putContexts(contexts: readonly { readonly streamId: string; readonly commit: Commit }[]): Promise<void> {
    const latest = new Map<string, Commit>();
    for (const { streamId, commit } of contexts) latest.set(streamId, commit);
    const statement = this.prepare(UPSERT_CONTEXT);
    for (const [streamId, commit] of latest) statement.run(streamId, JSON.stringify(commit));
  }

  async advanceCheckpoint(name: string, version: number, from: number, to: number): Promise<void> {
    for (const value of [from, to]) {
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`projection ${name}: bad position ${value}`);
    }
    const updatedAt = new Date().toISOString();
    // No row yet, or a row still at 0 (activate() may have created it).
    const { changes } =
      from === 0
        ? this.prepare(FIRST_CHECKPOINT).run(name, version, to, updatedAt)
        : this.prepare(NEXT_CHECKPOINT).run(to, updatedAt, name, version, from);
    if (changes === 0) {
      const row = this.prepare(READ_CHECKPOINT).get(name, version) as { position: number } | undefined;
      throw new CheckpointConflictError(name, from, row ? row.position : null);
    }
  }
}
