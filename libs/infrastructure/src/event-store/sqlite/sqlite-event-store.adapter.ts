import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  EventStore,
  assertImportableEvents,
  assertValidStreamAppends,
  assertValidStreamId,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type ImportRecordedResult,
  type StoredEventJson,
  type StreamAppend,
  type ReadAllBackwardsOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from '#domain/shared/event-store.port.js';
import type { DomainEvent, RecordedEvent } from '#domain/shared/event.js';
import { EVENT_STORE_SCHEMA, EVENT_STORE_SCHEMA_VERSION } from './sqlite-event-store.schema.js';
import { asStorageError, openDatabaseFile } from '../../storage/storage-failure.js';
import { SqliteThread } from '../../sqlite/sqlite-thread.js';
import { SqliteSubscription, type SubscriptionSource } from './sqlite-subscription.js';
import { SqliteAppender, prepareEvent, type PreparedAppend } from './sqlite-event-store.appender.js';
import { SqliteRecordedImporter } from './sqlite-event-store.importer.js';
import {
  SELECT_COLUMNS,
  describeFilter,
  fromRaw,
  fromRawAsStored,
  fromPage,
  pageAsJson,
  readPageHandler,
  toRecorded,
  type EventRow,
  type RawRow,
} from './sqlite-event-store.rows.js';
import { waitForAppend } from '../append-signal.js';

export interface SqliteEventStoreOptions {
  /** `NORMAL` (default) survives a process crash; `FULL` also survives power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How often subscriptions look for appends made by other processes (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
}

const DEFAULT_PAGE = 1000;
/** One emitter per database file, so every store instance of this process wakes its readers. */
const appendSignals = new Map<string, EventEmitter>();

function signalFor(file: string): EventEmitter {
  let emitter = appendSignals.get(file);
  if (!emitter) {
    emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    appendSignals.set(file, emitter);
  }
  return emitter;
}

/**
 * The embedded event store: one SQLite file in WAL mode. Appends are `BEGIN IMMEDIATE`
 * transactions, so writers in several processes queue on SQLite's lock instead of failing.
 */
export class SqliteEventStore extends EventStore implements SubscriptionSource {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly signal: EventEmitter;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private readonly statements;
  private readonly filteredReads = new Map<string, Database.Statement>();
  /** Reads pages ahead for subscriptions catching up (a file only: `:memory:` is this connection's). */
  private readonly reader: SqliteThread<{ sql: string; params: unknown[] }, string> | undefined;
  private readonly appender: SqliteAppender;
  private importer: SqliteRecordedImporter | undefined;

  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    super();
    this.file = path === ':memory:' ? `:memory:${Math.random()}` : resolve(path);
    this.db = openDatabaseFile('event log', this.file, () => {
      if (path !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
      const db = new Database(path === ':memory:' ? ':memory:' : this.file);
      try {
        // The wait first: switching to WAL and creating the schema take locks another process
        // (a builder, a projector) may hold at that moment ("database is locked" otherwise).
        db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
        db.exec(EVENT_STORE_SCHEMA);
        db.prepare('INSERT OR IGNORE INTO store_info (key, value) VALUES (?, ?)').run(
          'schema_version',
          String(EVENT_STORE_SCHEMA_VERSION),
        );
        return db;
      } catch (error) {
        db.close();
        throw error;
      }
    });
    this.signal = signalFor(this.file);
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.statements = {
      head: this.db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events'),
      streamForwards: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      streamBackwards: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
    };
    this.appender = new SqliteAppender(this.db);
    this.reader =
      path === ':memory:'
        ? undefined
        : new SqliteThread(this.file, `(${readPageHandler.toString()})()`, {
            name: 'event log reader',
            readonly: true,
            busyTimeoutMs: options.busyTimeoutMs ?? 10_000,
          });
  }

  async append(streamId: string, events: readonly DomainEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return this.appendSync(streamId, events, options);
  }

  /** Synchronous append, for callers already inside this process's event loop turn (bench, tests). */
  appendSync(streamId: string, events: readonly DomainEvent[], options: AppendOptions = {}): AppendResult {
    assertValidStreamId(streamId);
    if (events.length === 0) throw new RangeError(`stream ${streamId}: nothing to append`);
    return this.write([{ streamId, events, expectedRevision: options.expectedRevision }])[0]!;
  }

  /** One transaction for every stream: SQLite's own atomicity makes the parts all or nothing. */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertValidStreamAppends(appends);
    return this.write(appends);
  }

  private write(appends: readonly StreamAppend[]): AppendResult[] {
    const recordedAt = new Date().toISOString();
    const parts: PreparedAppend[] = appends.map(({ streamId, events, expectedRevision }) => ({
      streamId,
      rows: events.map((event) => prepareEvent(event, recordedAt)),
      expected: expectedRevision ?? 'any',
    }));
    let results: AppendResult[];
    try {
      results = this.appender.append(parts);
    } catch (error) {
      // A full disk, a read-only file: the caller learns what failed (507/503), not SQLite's words.
      throw asStorageError(error, 'event log');
    }
    this.signal.emit('append');
    return results;
  }

  /** The log with data and metadata as stored JSON text: `JSON.stringify` wrote them (`prepareEvent`, the importer). */
  override async readAllAsJson(
    options: { readonly after?: number; readonly maxCount?: number } = {},
  ): Promise<StoredEventJson[]> {
    const rows = this.cachedStatement(
      'json',
      `SELECT ${SELECT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
      .raw(true)
      .all(options.after ?? 0, options.maxCount ?? DEFAULT_PAGE) as RawRow[];
    return rows.map((row) => ({
      streamId: row[1],
      revision: row[2],
      position: row[0],
      type: row[3],
      data: row[4],
      metadata: row[5],
      recordedAt: row[6],
    }));
  }

  /** Positions, revisions, ids and commit times kept as given; one transaction per call. */
  async importRecorded(events: readonly RecordedEvent[]): Promise<ImportRecordedResult> {
    assertImportableEvents(events);
    if (events.length === 0) return { imported: 0, alreadyStored: 0, position: this.head() };
    this.importer ??= new SqliteRecordedImporter(this.db);
    let result: ImportRecordedResult;
    try {
      result = this.importer.import(events);
    } catch (error) {
      throw asStorageError(error, 'event log');
    }
    if (result.imported > 0) this.signal.emit('append');
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.statements.streamBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
        : this.statements.streamForwards.all(streamId, options.fromRevision ?? 0, maxCount);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    if (options.asStored) {
      const { sql, params } = this.pageQuery(options.filter);
      const rows = this.cachedStatement(sql, sql)
        .raw(true)
        .all(
          options.after ?? 0,
          options.until ?? Number.MAX_SAFE_INTEGER,
          ...params,
          options.maxCount ?? DEFAULT_PAGE,
        ) as RawRow[];
      return rows.map(fromRawAsStored);
    }
    return this.read(
      options.after ?? 0,
      options.until ?? Number.MAX_SAFE_INTEGER,
      options.maxCount ?? DEFAULT_PAGE,
      options.filter,
    );
  }

  async readAllBackwards(options: ReadAllBackwardsOptions = {}): Promise<RecordedEvent[]> {
    const { sql, params } = describeFilter(options.filter);
    const statement = this.cachedStatement(
      `b${sql}`,
      `SELECT * FROM events WHERE position < ?${sql} ORDER BY position DESC LIMIT ?`,
    );
    const rows = statement.all(
      options.before ?? Number.MAX_SAFE_INTEGER,
      ...params,
      options.maxCount ?? DEFAULT_PAGE,
    ) as EventRow[];
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    return this.head();
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new SqliteSubscription(
      this,
      options.after ?? 0,
      options.maxBatchSize ?? DEFAULT_PAGE,
      this.pollIntervalMs,
      options.filter,
      // Forgotten once closed: an API following the log for many short-lived clients (the event
      // stream) would otherwise keep every one until the store closes.
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await this.reader?.close();
    if (this.db.open) this.db.close();
  }

  head(): number {
    return this.statements.head.get()?.head ?? 0;
  }

  read(after: number, upTo: number, maxCount: number, filter?: EventFilter): RecordedEvent[] {
    const { sql, params } = this.pageQuery(filter);
    return (
      this.cachedStatement(sql, sql)
        .raw(true)
        .all(after, upTo, ...params, maxCount) as RawRow[]
    ).map(fromRaw);
  }

  /** The same page, read on the reader thread; undefined when there is none (in memory). */
  readAhead(after: number, upTo: number, maxCount: number, filter?: EventFilter): Promise<RecordedEvent[]> | undefined {
    if (this.reader === undefined) return undefined;
    const { sql, params } = this.pageQuery(filter);
    return this.reader
      .request({ sql: pageAsJson(sql), params: [after, upTo, ...params, maxCount] })
      .then((page) => fromPage(JSON.parse(page) as RecordedEvent[]));
  }

  private pageQuery(filter: EventFilter | undefined): { sql: string; params: string[] } {
    const { sql, params } = describeFilter(filter);
    return {
      sql: `SELECT ${SELECT_COLUMNS} FROM events WHERE position > ? AND position <= ?${sql} ORDER BY position LIMIT ?`,
      params,
    };
  }

  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return waitForAppend(this.signal, timeoutMs, signal);
  }

  private cachedStatement(key: string, sql: string): Database.Statement {
    let statement = this.filteredReads.get(key);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.filteredReads.set(key, statement);
    }
    return statement;
  }
}
