import type { CommitDiscovered } from '../build/build.events.js';
import type { DomainEvent, RecordedEvent } from '../shared/event.js';
import { settleAll } from '../shared/settle.js';

/**
 * The recorded form of each member of an event union, so that narrowing on `type` narrows
 * `data` too (`RecordedEvent<A | B>` would pair A's type with B's data).
 */
export type RecordedOf<E extends DomainEvent> = E extends DomainEvent ? RecordedEvent<E> : never;

/** An event with its stream's context, as projections fold it. */
export interface ContextualEvent<E extends DomainEvent = DomainEvent> {
  readonly event: RecordedOf<E>;
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
 *
 * `E` is the union of the events it folds: the projector gives it only the types in
 * `eventTypes`, so its handlers receive those events narrowed. `Column` names its indexed
 * columns: queries (`DocumentQuery<Column>`) may name no other.
 */
export interface ProjectionDefinition<
  Doc = unknown,
  E extends DomainEvent = DomainEvent,
  Column extends string = string,
> {
  /** Table-safe name: `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /** Bump to rebuild from zero beside the old version, then switch. */
  readonly version: number;
  /** Event types this projection reads; others are never given to it. */
  readonly eventTypes: readonly E['type'][];
  /** Documents an event touches (zero, one or several keys). */
  keys(event: RecordedOf<E>, context: ProjectionContext): readonly string[];
  evolve(doc: Doc | null, event: RecordedOf<E>, context: ProjectionContext, key: string): Doc | null;
  /**
   * Optional: the events of one batch that touch `key`, folded at once (in log order). It must
   * give what folding them one by one with `evolve` gives (the projection specs check both), and
   * lets a reducer copy its document once per batch rather than once per event.
   */
  evolveBatch?(doc: Doc | null, events: readonly ContextualEvent<E>[], key: string): Doc | null;
  readonly columns: Readonly<Record<Column, ColumnType>>;
  row(doc: Doc, key: string): Readonly<Record<Column, ColumnValue>>;
  /** Column lists to index (`[['package', 'status'], ['dt_build']]`). */
  readonly indexes: readonly (readonly Column[])[];
}

/** The indexed columns of a projection. */
export type ColumnOf<P> = P extends { readonly columns: Readonly<Record<infer C extends string, ColumnType>> }
  ? C
  : never;

/** A stored document with its key and the position of the last event folded into it. */
export interface StoredDocument<Doc = unknown> {
  readonly key: string;
  readonly doc: Doc;
  readonly position: number;
}

/** Equality filters on columns (`{ package: 'nova', status: 'FAILED' }`); null matches NULL. */
export type ColumnFilter<Column extends string = string> = { [K in Column]?: ColumnValue };
export interface RangeBounds {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}
export interface ColumnOrder<Column extends string = string> {
  readonly column: Column;
  readonly direction: 'asc' | 'desc';
}

/** A query on a projection's columns; `Column` keeps it to the columns the projection declares. */
export interface DocumentQuery<Column extends string = string> {
  readonly where?: Readonly<ColumnFilter<Column>>;
  /** Range filters: `{ dt_build: { gte: 1700000000, lt: 1800000000 } }`. */
  readonly range?: { readonly [K in Column]?: RangeBounds };
  /** Prefix filter on a text column. */
  readonly prefix?: { readonly [K in Column]?: string };
  readonly orderBy?: readonly ColumnOrder<Column>[];
  readonly limit?: number;
  readonly offset?: number;
}

/** The filters of a query, without order or paging (`count`). */
export type DocumentFilters<Column extends string = string> = Pick<DocumentQuery<Column>, 'where' | 'range' | 'prefix'>;

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
  /**
   * Leases (SQLite) expire unless renewed: true while still held, false once lost to another
   * projector. Absent where the lock lives as long as its connection.
   */
  renew?(): Promise<boolean>;
}

/**
 * The read side of the read models: `find`, `count`, `get` (the store's, as they are now), and
 * `asOf(position)`: the same reads answered from the document versions live at a global log
 * position (time travel). Query classes take this, so one implementation answers "now" and
 * "then".
 */
export interface ReadModelReader {
  find<Doc, Column extends string>(
    projection: ProjectionDefinition<Doc, DomainEvent, Column>,
    query?: DocumentQuery<NoInfer<Column>>,
  ): Promise<StoredDocument<Doc>[]>;
  count<Column extends string>(
    projection: ProjectionDefinition<unknown, DomainEvent, Column>,
    query?: DocumentFilters<NoInfer<Column>>,
  ): Promise<number>;
  get<Doc>(projection: ProjectionDefinition<Doc>, key: string): Promise<StoredDocument<Doc> | null>;
  /**
   * The documents as they were once every event up to `position` (a global log position, 0:
   * before the first) had been folded: each version live at it (valid_from <= position and not
   * replaced or deleted at or before it). `StoredDocument.position` is the version's. Throws
   * HistoryUnavailableError where the store keeps no history.
   */
  asOf(position: number): ReadModelReader;
}

/** A read at a position the store cannot answer (no history kept, or not that far back). */
export class HistoryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryUnavailableError';
  }
}

/**
 * A read of a view whose table does not exist yet: no projector has built the views on this
 * store (`dlrn api` started before any `dlrn projector`). The API answers 503, not 500.
 */
export class ViewNotBuiltError extends Error {
  constructor(readonly view: string) {
    super(`the views are not built yet (${view}): start \`dlrn projector\` or \`dlrn serve\` on this store`);
    this.name = 'ViewNotBuiltError';
  }
}

/**
 * Where read models live: SQLite (embedded default) or PostgreSQL. Both adapters pass the same
 * contract suite (`test/contract/read-model-store.contract.ts`).
 */
export abstract class ReadModelStore implements ReadModelReader {
  /**
   * True when every document version is kept beside the documents (time travel): the projector
   * then sends each event's version of a document, not only the last of a batch.
   */
  get keepsHistory(): boolean {
    return false;
  }
  /** The read side at a log position (see ReadModelReader.asOf). */
  asOf(position: number): ReadModelReader {
    void position;
    throw new HistoryUnavailableError('this read-model store keeps no history');
  }
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
  /** Documents matching `query`; `Doc` and `Column` are the projection's (inferred, never given). */
  abstract find<Doc, Column extends string>(
    projection: ProjectionDefinition<Doc, DomainEvent, Column>,
    query?: DocumentQuery<NoInfer<Column>>,
  ): Promise<StoredDocument<Doc>[]>;
  abstract count<Column extends string>(
    projection: ProjectionDefinition<unknown, DomainEvent, Column>,
    query?: DocumentFilters<NoInfer<Column>>,
  ): Promise<number>;
  abstract get<Doc>(projection: ProjectionDefinition<Doc>, key: string): Promise<StoredDocument<Doc> | null>;
  abstract close(): Promise<void>;
}
