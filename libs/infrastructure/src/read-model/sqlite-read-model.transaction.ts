import {
  CheckpointConflictError,
  type BatchWrites,
  type ColumnValue,
  type DocumentWrite,
  type ProjectionDefinition,
  type ReadModelTransaction,
  type StoredDocument,
} from '#domain/projections/projection.js';
import type { PrepareStatement } from '../sqlite/sqlite-thread.js';
import { documentStatementsBy } from './kysely-read-model.transaction.js';
import { historyPlan } from './read-model.history.js';
import { historyTableName, keysTableName } from './read-model.tables.js';

/** The projector's statements of one projection version, as SQL text (prepared once each). */
interface DocumentStatements {
  readonly select: string;
  readonly selectOne: string;
  readonly upsert: string;
  readonly delete: string;
  readonly columns: readonly string[];
  /** History: close the live version, insert a version unless one is at or after it, note the key. */
  readonly closeVersion: string;
  readonly insertVersion: string;
  readonly noteKey: string;
}

/** Every value is a parameter. */
const documentStatements = documentStatementsBy(
  ({ table, columns, quoted, onConflict }, projection): DocumentStatements => ({
    // The keys arrive as one JSON array; CROSS JOIN keeps json_each outside: one index probe per key.
    select: `SELECT t."_key", t."_doc", t."_position" FROM json_each(?) AS k CROSS JOIN "${table}" AS t ON t."_key" = k.value`,
    selectOne: `SELECT "_key", "_doc", "_position" FROM "${table}" WHERE "_key" = ?`,
    upsert: `INSERT INTO "${table}" (${quoted.join(', ')}) VALUES (${quoted.map(() => '?').join(', ')}) ${onConflict}`,
    delete: `DELETE FROM "${table}" WHERE "_key" = ?`,
    columns,
    ...historyStatements(projection.name, projection.version, quoted.slice(3)),
  }),
);

function historyStatements(name: string, version: number, quotedColumns: readonly string[]) {
  const history = historyTableName(name, version);
  const keys = keysTableName(name, version);
  const inserted = ['"_key"', '"_valid_from"', '"_valid_to"', '"_doc"', ...quotedColumns];
  return {
    closeVersion: `UPDATE "${history}" SET "_valid_to" = ? WHERE "_key" = ? AND "_valid_to" IS NULL AND "_valid_from" < ?`,
    insertVersion:
      `INSERT INTO "${history}" (${inserted.join(', ')}) SELECT ${inserted.map(() => '?').join(', ')} ` +
      `WHERE NOT EXISTS (SELECT 1 FROM "${history}" WHERE "_key" = ? AND "_valid_from" >= ?)`,
    noteKey: `INSERT INTO "${keys}" ("_key") VALUES (?) ON CONFLICT DO NOTHING`,
  };
}

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

/**
 * One statement run once per row: `params` holds the rows one after another, `width` values
 * each. A checkpoint step names what it moves, and how to read where it really is, so a
 * compare-and-set that changed no row becomes a conflict.
 */
export interface WriteStep {
  readonly sql: string;
  readonly width: number;
  readonly params: ColumnValue[];
  readonly checkpoint?: {
    readonly name: string;
    readonly from: number;
    readonly sql: string;
    readonly params: ColumnValue[];
  };
}

/** A compare-and-set that found the checkpoint elsewhere (`actual` null: no row). */
export interface StepConflict {
  readonly name: string;
  readonly expected: number;
  readonly actual: number | null;
}

/**
 * Runs write steps on the connection behind `prepare`, inside the caller's transaction; stops at
 * the first conflicting checkpoint and returns it (the caller rolls back). Also runs in the
 * writer thread as source text (`sqlite-batch-writer.ts`): it must not use anything from its
 * module's scope.
 */
export function runWriteSteps(prepare: PrepareStatement, steps: readonly WriteStep[]): StepConflict | null {
  for (const step of steps) {
    const statement = prepare(step.sql);
    let changes = 0;
    for (let at = 0; at < step.params.length; at += step.width) {
      changes += statement.run(step.params.slice(at, at + step.width)).changes;
    }
    if (step.checkpoint !== undefined && changes === 0) {
      const row = prepare(step.checkpoint.sql).get(step.checkpoint.params) as { position: number } | undefined;
      return { name: step.checkpoint.name, expected: step.checkpoint.from, actual: row ? row.position : null };
    }
  }
  return null;
}

/** Upserts and deletes of one projection's documents; later writes of the same key win. */
export function documentSteps<Doc>(
  projection: ProjectionDefinition<Doc>,
  documents: readonly DocumentWrite<Doc>[],
  history = false,
): WriteStep[] {
  if (documents.length === 0) return [];
  const { upsert, delete: remove, columns } = documentStatements(projection);
  const latest = new Map<string, DocumentWrite<Doc>>();
  for (const document of documents) latest.set(document.key, document);
  const upserts: ColumnValue[] = [];
  const deletes: ColumnValue[] = [];
  for (const { key, doc, position } of latest.values()) {
    if (doc === null) {
      deletes.push(key);
      continue;
    }
    const values = projection.row(doc, key);
    upserts.push(key, JSON.stringify(doc), position);
    for (const column of columns) upserts.push(values[column] ?? null);
  }
  const steps: WriteStep[] = [];
  if (upserts.length > 0) steps.push({ sql: upsert, width: 3 + columns.length, params: upserts });
  if (deletes.length > 0) steps.push({ sql: remove, width: 1, params: deletes });
  if (history) steps.push(...historySteps(projection, documents));
  return steps;
}

/** Every write of the batch as a version in the history table (see `historyPlan`). */
function historySteps<Doc>(
  projection: ProjectionDefinition<Doc>,
  documents: readonly DocumentWrite<Doc>[],
): WriteStep[] {
  const { closeVersion, insertVersion, noteKey, columns } = documentStatements(projection);
  const plan = historyPlan(documents);
  const closes: ColumnValue[] = [];
  for (const { key, position } of plan.closes) closes.push(position, key, position);
  const inserts: ColumnValue[] = [];
  for (const { key, doc, validFrom, validTo } of plan.versions) {
    const values = projection.row(doc, key);
    inserts.push(key, validFrom, validTo, JSON.stringify(doc));
    for (const column of columns) inserts.push(values[column] ?? null);
    inserts.push(key, validFrom);
  }
  const steps: WriteStep[] = [{ sql: closeVersion, width: 3, params: closes }];
  if (inserts.length > 0) steps.push({ sql: insertVersion, width: 6 + columns.length, params: inserts });
  if (plan.keys.length > 0) steps.push({ sql: noteKey, width: 1, params: [...plan.keys] });
  return steps;
}

/** The compare-and-set of a checkpoint from `from` to `to`. */
export function checkpointStep(name: string, version: number, from: number, to: number): WriteStep {
  for (const value of [from, to]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`projection ${name}: bad position ${value}`);
  }
  const updatedAt = new Date().toISOString();
  // No row yet, or a row still at 0 (activate() may have created it).
  const params = from === 0 ? [name, version, to, updatedAt] : [to, updatedAt, name, version, from];
  return {
    sql: from === 0 ? FIRST_CHECKPOINT : NEXT_CHECKPOINT,
    width: params.length,
    params,
    checkpoint: { name, from, sql: READ_CHECKPOINT, params: [name, version] },
  };
}

/** Every write of one projector batch, in the order one transaction runs them. */
export function batchSteps(writes: BatchWrites, history = false): WriteStep[] {
  const steps: WriteStep[] = [];
  for (const { projection, documents, from, to } of writes.projections) {
    steps.push(
      ...documentSteps(projection, documents, history),
      checkpointStep(projection.name, projection.version, from, to),
    );
  }
  return steps;
}

function run(prepare: PrepareStatement, steps: readonly WriteStep[]): void {
  const conflict = runWriteSteps(prepare, steps);
  if (conflict !== null) throw new CheckpointConflictError(conflict.name, conflict.expected, conflict.actual);
}

/**
 * The projector's unit of work on SQLite, as prepared statements stepped directly on the one
 * connection (better-sqlite3 is synchronous; no query is built per batch). It runs inside the
 * transaction the store began (BEGIN IMMEDIATE on that connection), so documents and
 * checkpoints still commit or roll back together; its reads also serve outside one. Same
 * semantics as KyselyReadModelTransaction, which the contract suite checks on both.
 */
export class SqliteReadModelTransaction implements ReadModelTransaction {
  constructor(
    private readonly prepare: PrepareStatement,
    private readonly history = false,
  ) {}

  async getDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    keys: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const found = new Map<string, StoredDocument<Doc>>();
    if (keys.length === 0) return found;
    const { select, selectOne } = documentStatements(projection);
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
    run(this.prepare, documentSteps(projection, documents, this.history));
  }

  async advanceCheckpoint(name: string, version: number, from: number, to: number): Promise<void> {
    run(this.prepare, [checkpointStep(name, version, from, to)]);
  }
}
