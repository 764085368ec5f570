import type { CommitDiscovered } from '../build/build.events.js';
import type { RecordedEvent } from '../shared/event.js';
import { settleAll } from '../shared/settle.js';

/** An event with its stream's context, as projections fold it. */
export interface ContextualEvent {
  readonly event: RecordedEvent;
  readonly context: ProjectionContext;
}

/** A scalar column stored beside each document, for filters and ordering. */
export type ColumnType = 'text' | 'integer';
export type ColumnValue = string | number | null;

/**
 * What the projector knows of an event's stream that the event itself does not say: for build
 * streams, the commit their CommitDiscovered recorded (results only name their build id).
 */
export interface ProjectionContext {
  readonly commit: CommitDiscovered['data'] | null;
}

/**
 * A read model as a pure reducer over documents. The projector routes each event to the
 * documents named by `keys`, folds it in with `evolve` (null: delete the document), and stores
 * each document as JSON plus the scalar `columns` returned by `row` (indexed per `indexes`), with
 * its checkpoint in the same transaction. Replaying an event changes nothing: documents remember
 * the last position they applied.
 */
export interface ProjectionDefinition<Doc = unknown> {
  /** Table-safe name: `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /** Bump to rebuild from zero beside the old version, then switch. */
  readonly version: number;
  /** Event types this projection reads; others are never given to it. */
  readonly eventTypes: readonly string[];
  /** Documents an event touches (zero, one or several keys). */
  keys(event: RecordedEvent, context: ProjectionContext): readonly string[];
  evolve(doc: Doc | null, event: RecordedEvent, context: ProjectionContext, key: string): Doc | null;
  /**
   * Optional: the events of one batch that touch `key`, folded at once (in log order). It must
   * give what folding them one by one with `evolve` gives (the projection specs check both), and
   * lets a reducer copy its document once per batch rather than once per event.
   */
  evolveBatch?(doc: Doc | null, events: readonly ContextualEvent[], key: string): Doc | null;
  readonly columns: Readonly<Record<string, ColumnType>>;
  row(doc: Doc, key: string): Readonly<Record<string, ColumnValue>>;
  /** Column lists to index (`[['package', 'status'], ['dt_build']]`). */
  readonly indexes: readonly (readonly string[])[];
}

/** A stored document with its key and the position of the last event folded into it. */
export interface StoredDocument<Doc = unknown> {
  readonly key: string;
  readonly doc: Doc;
  readonly position: number;
}

export interface DocumentQuery {
  /** Equality filters on columns (`{ package: 'nova', status: 'FAILED' }`); null matches NULL. */
  readonly where?: Readonly<Record<string, ColumnValue>>;
  /** Range filters: `{ dt_build: { gte: 1700000000, lt: 1800000000 } }`. */
  readonly range?: Readonly<
    Record<string, { readonly gt?: number; readonly gte?: number; readonly lt?: number; readonly lte?: number }>
  >;
  /** Prefix filter on a text column. */
  readonly prefix?: Readonly<Record<string, string>>;
  readonly orderBy?: readonly { readonly column: string; readonly direction: 'asc' | 'desc' }[];
  readonly limit?: number;
  readonly offset?: number;
}

/** One transaction of the projector: documents and the checkpoint. */
export interface ReadModelTransaction {
  getDocuments<Doc>(
    projection: ProjectionDefinition<Doc>,
    keys: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>>;
  /** Upserts (doc) or deletes (doc null) documents with their columns. */
  putDocuments<Doc>(projection: ProjectionDefinition<Doc>, documents: readonly DocumentWrite<Doc>[]): Promise<void>;
  /**
   * Moves the checkpoint from `from` to `to`; throws CheckpointConflictError when the stored one
   * is not `from` (another projector moved it: split brain).
   */
  advanceCheckpoint(name: string, version: number, from: number, to: number): Promise<void>;
}

/** A document to upsert (doc) or delete (doc null), with the position of its last event. */
export interface DocumentWrite<Doc = unknown> {
  readonly key: string;
  readonly doc: Doc | null;
  readonly position: number;
}

/** Everything one projector batch writes; committed as one transaction. */
export interface BatchWrites {
  readonly projections: readonly {
    readonly projection: ProjectionDefinition;
    readonly documents: readonly DocumentWrite[];
    /** The checkpoint moves from `from` to `to` by compare-and-set. */
    readonly from: number;
    readonly to: number;
  }[];
}

export class CheckpointConflictError extends Error {
  constructor(
    readonly projection: string,
    readonly expected: number,
    readonly actual: number | null,
  ) {
    super(`projection ${projection}: checkpoint moved by someone else (expected ${expected}, found ${String(actual)})`);
    this.name = 'CheckpointConflictError';
  }
}

export interface CheckpointInfo {
  readonly name: string;
  readonly version: number;
  readonly position: number;
  readonly updatedAt: string;
  /** The version API queries read. */
  readonly active: boolean;
}

export interface LockOptions {
  /** True for a holder that is known to be gone, whose lease may be taken at once. */
  readonly takeOverFrom?: (holder: string) => boolean;
}

/** A held lock; release it when the projector stops. */
export interface ProjectionLock {
  release(): Promise<void>;
}

/**
 * Where read models live: SQLite (embedded default) or PostgreSQL. Both adapters pass the same
 * contract suite (`test/contract/read-model-store.contract.ts`).
 */
export abstract class ReadModelStore {
  /** Creates the tables and indexes of a projection version (idempotent). */
  abstract ensure(projection: ProjectionDefinition): Promise<void>;
  abstract transaction<T>(work: (tx: ReadModelTransaction) => Promise<T>): Promise<T>;
  /**
   * The projector's reads: committed documents, outside any transaction, so they may run while
   * the previous batch commits.
   */
  abstract committed(): Pick<ReadModelTransaction, 'getDocuments'>;
  /**
   * Writes one batch in one transaction: documents, then each checkpoint by
   * compare-and-set (CheckpointConflictError, and nothing kept, when one moved). It may run off
   * this thread (SQLite files: a writer thread); the promise settles when it has committed or
   * rolled back. Callers wait for one batch before sending the next.
   */
  async commitBatch(writes: BatchWrites): Promise<void> {
    await this.transaction(async (tx) => {
      const pending: Promise<void>[] = [];
      for (const { projection, documents, from, to } of writes.projections) {
        if (documents.length > 0) pending.push(tx.putDocuments(projection, documents));
        pending.push(tx.advanceCheckpoint(projection.name, projection.version, from, to));
      }
      // Every write is awaited (none left unobserved) before the first failure rolls back.
      await settleAll(pending);
    });
  }
  /** Stored position of a projection version, 0 when it never ran. */
  abstract checkpoint(name: string, version: number): Promise<number>;
  abstract checkpoints(): Promise<CheckpointInfo[]>;
  /** Makes `version` the one queries read (after a rebuild caught up). */
  abstract activate(name: string, version: number): Promise<void>;
  /** The active version of a projection, or null. */
  abstract activeVersion(name: string): Promise<number | null>;
  /** Drops a projection version's tables and checkpoint. */
  abstract drop(name: string, version: number): Promise<void>;
  /**
   * One active projector per projection: a PostgreSQL advisory lock, or a lease row on SQLite.
   * Null when someone else holds it. `options.takeOverFrom` names holders known to be dead (a
   * crashed projector of this host) whose lease may be taken before it expires; a PostgreSQL
   * lock dies with its session and needs no such help.
   */
  abstract tryLock(name: string, owner: string, options?: LockOptions): Promise<ProjectionLock | null>;
  abstract find<Doc>(projection: ProjectionDefinition<Doc>, query?: DocumentQuery): Promise<StoredDocument<Doc>[]>;
  abstract count(
    projection: ProjectionDefinition,
    query?: Pick<DocumentQuery, 'where' | 'range' | 'prefix'>,
  ): Promise<number>;
  abstract get<Doc>(projection: ProjectionDefinition<Doc>, key: string): Promise<StoredDocument<Doc> | null>;
  abstract close(): Promise<void>;
}
