import { EventEmitter } from 'node:events';
import pg from 'pg';
import { upcast } from '#domain/catalogue.js';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  EventStore,
  ImportOrderError,
  assertImportableEvents,
  assertValidStreamAppends,
  assertValidStreamId,
  revisionMatches,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type ImportRecordedResult,
  type ReadAllBackwardsOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEventJson,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '#domain/shared/event-store.port.js';
import { StorageError } from '#domain/shared/errors.js';
import type { DomainEvent, EventMetadata, RecordedEvent } from '#domain/shared/event.js';
import { asStorageError } from '../../storage/storage-failure.js';
import { APPEND_FUNCTION, APPEND_LOCK, SCHEMA_NAME, migrate } from './postgres-event-store.schema.js';
import { PostgresSubscription, type PostgresSubscriptionSource } from './postgres-subscription.js';
import { waitForAppend } from '../append-signal.js';

export interface PostgresEventStoreOptions {
  /** Schema holding the log (default `public`, or `?schema=` of the URL); created if missing. */
  readonly schema?: string;
  /** How often subscriptions look for appends when no notification came (default 1 s). */
  readonly pollIntervalMs?: number;
  /** Connections of the pool (default 10). */
  readonly maxConnections?: number;
}

const DEFAULT_PAGE = 1000;
const SELECT_COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at';
type Row = [string, string, string, string, string, string, string];

function toStored(row: Row): RecordedEvent {
  return {
    streamId: row[1],
    revision: Number(row[2]),
    position: Number(row[0]),
    type: row[3],
    data: JSON.parse(row[4]) as object,
    metadata: JSON.parse(row[5]) as EventMetadata,
    recordedAt: row[6],
  };
}

/** `postgresql://…?schema=x` → the connection string without `schema`, and the schema. */
export function parsePostgresEventStoreUrl(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/**
 * The event log in PostgreSQL. Appends and imports take a transaction-scoped advisory lock
 * (`APPEND_LOCK`) before reading the head: one appender at a time hands out positions, and its
 * lock is released only once its commit is visible, so positions become visible in order and a
 * reader paging `position > after` never skips an event that commits late. Each commit sends a
 * NOTIFY on the log's channel; subscriptions LISTEN on one connection per store and poll as well,
 * in case a notification is lost (a dropped connection).
 */
export class PostgresEventStore extends EventStore implements PostgresSubscriptionSource {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly appendFunction: string;
  private readonly channel: string;
  private readonly signal = new EventEmitter();
  private readonly subscriptions = new Set<Subscription>();
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly schema: string,
    private readonly pollIntervalMs: number,
    maxConnections: number,
  ) {
    super();
    this.pool = new pg.Pool({ connectionString, max: maxConnections });
    // An idle client's error (a server restart) must not crash the process: the next query fails instead.
    this.pool.on('error', () => {});
    this.table = `"${schema}".events`;
    this.appendFunction = `"${schema}".${APPEND_FUNCTION}`;
    this.channel = `dlrn_events_${schema}`.slice(0, 63);
    this.signal.setMaxListeners(0);
  }

  /** Connects, creates or migrates the schema, and returns the store. */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const parsed = parsePostgresEventStoreUrl(url);
    const schema = options.schema ?? parsed.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`event store schema '${schema}' must match [a-z_][a-z0-9_]*`);
    const store = new PostgresEventStore(
      parsed.connectionString,
      schema,
      options.pollIntervalMs ?? 1000,
      options.maxConnections ?? 10,
    );
    try {
      const client = await store.pool.connect();
      try {
        await migrate(client, schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await store.pool.end();
      throw error;
    }
    return store;
  }

  async append(streamId: string, events: readonly DomainEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertValidStreamId(streamId);
    if (events.length === 0) throw new RangeError(`stream ${streamId}: nothing to append`);
    return (await this.write([{ streamId, events, expectedRevision: options.expectedRevision }]))[0]!;
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertValidStreamAppends(appends);
    return this.write(appends);
  }

  private async write(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const recordedAt = new Date().toISOString();
    if (appends.length === 1) {
      const done = await this.appendInOneTrip(appends[0]!, recordedAt);
      if (done) return [done];
    }
    return this.inAppendTransaction(async (client) => {
      let position: number | undefined;
      const results: AppendResult[] = [];
      const rows: { streamId: string; revision: number; event: DomainEvent; position: number }[] = [];
      for (const { streamId, events, expectedRevision = 'any' } of appends) {
        // One round trip: the log's head, the stream's revision, whether an id is stored already.
        const checked = await this.checkPart(client, streamId, events);
        position ??= checked.logHead;
        const head = checked.revision;
        if (!revisionMatches(expectedRevision, head)) {
          const replay = checked.anyStored ? await this.replayResult(client, streamId, events, false) : undefined;
          if (replay) {
            results.push(replay);
            continue;
          }
          throw new ConcurrencyError(streamId, expectedRevision, head ?? 'no_stream');
        }
        if (checked.anyStored) {
          results.push((await this.replayResult(client, streamId, events, true))!);
          continue;
        }
        let revision = head ?? -1;
        for (const event of events) {
          revision += 1;
          position += 1;
          rows.push({ streamId, revision, event, position });
        }
        results.push({ nextExpectedRevision: revision, position });
      }
      if (rows.length === 0) return { value: results, wrote: false };
      await this.insert(
        client,
        rows.map((r) => [
          r.position,
          r.streamId,
          r.revision,
          r.event.metadata.eventId,
          r.event.type,
          JSON.stringify(r.event.data),
          JSON.stringify(r.event.metadata),
          recordedAt,
        ]),
      );
      return { value: results, wrote: true };
    });
  }

  /**
   * One stream's append as one statement (migration 2's function): the lock, the checks, the
   * INSERT and the NOTIFY in one round trip instead of four (bench/scale-events: one event per
   * append went from 0.49× to 0.72–0.74× a raw INSERT loop). Undefined when the function found
   * the revision missed or an id stored: the transaction of `write` then decides (a replay or
   * an error), as it always did.
   */
  private async appendInOneTrip(append: StreamAppend, recordedAt: string): Promise<AppendResult | undefined> {
    const { streamId, events, expectedRevision = 'any' } = append;
    const result = await this.pool
      .query<{ appended: string[] | null }>(
        `SELECT ${this.appendFunction}($1, $2, $3, $4::text[], $5::text[], $6::text[], $7::text[], $8, $9) AS appended`,
        [
          this.schema,
          streamId,
          String(expectedRevision),
          events.map((e) => e.metadata.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
          recordedAt,
          this.channel,
        ],
      )
      .catch((error: unknown) => {
        throw duplicateIdError(error, streamId) ?? storageFailure(error);
      });
    const appended = result.rows[0]?.appended;
    if (appended == null) return undefined;
    this.signal.emit('append');
    return { position: Number(appended[0]), nextExpectedRevision: Number(appended[1]) };
  }

  /** The log's head, the stream's last revision, and whether one of the ids is stored already. */
  private async checkPart(
    client: pg.PoolClient,
    streamId: string,
    events: readonly DomainEvent[],
  ): Promise<{ logHead: number; revision: number | undefined; anyStored: boolean }> {
    const result = await client.query<{ head: string | null; revision: string | null; stored: boolean }>(
      `SELECT (SELECT max(position) FROM ${this.table}) AS head, ` +
        `(SELECT revision FROM ${this.table} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1) AS revision, ` +
        `EXISTS (SELECT 1 FROM ${this.table} WHERE event_id = ANY($2::text[])) AS stored`,
      [streamId, events.map((e) => e.metadata.eventId)],
    );
    const row = result.rows[0]!;
    return {
      logHead: Number(row.head ?? 0),
      revision: row.revision === null ? undefined : Number(row.revision),
      anyStored: row.stored,
    };
  }

  /**
   * The original result when `events` is exactly a batch stored in `streamId`; undefined when the
   * first id is not stored (and `strict` is false); DuplicateEventIdError otherwise.
   */
  private async replayResult(
    client: pg.PoolClient,
    streamId: string,
    events: readonly DomainEvent[],
    strict: boolean,
  ): Promise<AppendResult | undefined> {
    const ids = events.map((e) => e.metadata.eventId);
    const found = await client.query<{ event_id: string; stream_id: string; revision: string; position: string }>(
      `SELECT event_id, stream_id, revision, position FROM ${this.table} WHERE event_id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(found.rows.map((r) => [r.event_id, r]));
    if (!strict && !byId.has(ids[0]!)) return undefined;
    let previous: { revision: number; position: number } | undefined;
    for (const id of ids) {
      const stored = byId.get(id);
      const revision = Number(stored?.revision);
      const inSequence =
        stored !== undefined &&
        stored.stream_id === streamId &&
        (previous === undefined || revision === previous.revision + 1);
      if (!inSequence) throw new DuplicateEventIdError(streamId, id);
      previous = { revision, position: Number(stored.position) };
    }
    return { nextExpectedRevision: previous!.revision, position: previous!.position };
  }

  /** Positions, revisions, ids and commit times kept as given; one transaction per call. */
  async importRecorded(events: readonly RecordedEvent[]): Promise<ImportRecordedResult> {
    assertImportableEvents(events);
    if (events.length === 0) return { imported: 0, alreadyStored: 0, position: await this.headPosition() };
    return this.inAppendTransaction(async (client) => {
      let head = await this.lockedHead(client);
      let imported = 0;
      let alreadyStored = 0;
      const revisions = new Map<string, number>();
      const rows: unknown[][] = [];
      const ids = events.map((e) => e.metadata.eventId);
      const found = await client.query<{ event_id: string; stream_id: string; revision: string; position: string }>(
        `SELECT event_id, stream_id, revision, position FROM ${this.table} WHERE event_id = ANY($1::text[])`,
        [ids],
      );
      const stored = new Map(found.rows.map((r) => [r.event_id, r]));
      for (const event of events) {
        const id = event.metadata.eventId;
        const already = stored.get(id);
        if (event.position <= head) {
          if (!already)
            throw new ImportOrderError(id, `position ${event.position} is not after the store's head ${head}`);
          const same =
            already.stream_id === event.streamId &&
            Number(already.revision) === event.revision &&
            Number(already.position) === event.position;
          if (!same) throw new DuplicateEventIdError(event.streamId, id);
          alreadyStored += 1;
          continue;
        }
        if (already) throw new DuplicateEventIdError(event.streamId, id);
        const last = revisions.get(event.streamId) ?? (await this.streamHead(client, event.streamId)) ?? -1;
        if (event.revision !== last + 1) {
          throw new ImportOrderError(
            id,
            `stream ${event.streamId}: revision ${event.revision}, but the store's next revision is ${last + 1}`,
          );
        }
        rows.push([
          event.position,
          event.streamId,
          event.revision,
          id,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          event.recordedAt,
        ]);
        revisions.set(event.streamId, event.revision);
        head = event.position;
        imported += 1;
      }
      if (rows.length > 0) await this.insert(client, rows);
      return { value: { imported, alreadyStored, position: head }, wrote: rows.length > 0 };
    });
  }

  /** One INSERT for every row, as arrays (`unnest`): no per-row round trip, no parameter limit. */
  private async insert(client: pg.PoolClient, rows: readonly unknown[][]): Promise<void> {
    const columns = Array.from({ length: 8 }, (_, i) => rows.map((r) => r[i]));
    try {
      await client.query(
        `INSERT INTO ${this.table} (position, stream_id, revision, event_id, type, data, metadata, recorded_at) ` +
          'SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])',
        columns,
      );
    } catch (error) {
      throw duplicateIdError(error, String(rows[0]![1])) ?? error;
    }
  }

  /**
   * Runs `work` in a transaction holding the append lock, then commits with a NOTIFY when it
   * wrote. The lock is released by the commit itself.
   */
  private async inAppendTransaction<T>(
    work: (client: pg.PoolClient) => Promise<{ value: T; wrote: boolean }>,
  ): Promise<T> {
    try {
      return await this.appendTransaction(work);
    } catch (error) {
      storageFailure(error);
    }
  }

  private async appendTransaction<T>(
    work: (client: pg.PoolClient) => Promise<{ value: T; wrote: boolean }>,
  ): Promise<T> {
    const client = await this.pool.connect();
    // A connection lost while checked out emits 'error' too: heard here, not as an uncaught error.
    let lost: Error | undefined;
    const onError = (error: Error): void => void (lost ??= error);
    client.on('error', onError);
    try {
      // Statements joined into one round trip each (the schema and channel are plain identifiers).
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK}, hashtext('${this.schema}'))`);
      try {
        const { value, wrote } = await work(client);
        await client.query(wrote ? `SELECT pg_notify('${this.channel}', ''); COMMIT` : 'COMMIT');
        if (wrote) this.signal.emit('append');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    } catch (error) {
      if (isConnectionLost(error)) lost ??= error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      // A broken connection is closed, not handed to the next appender.
      client.release(lost);
    }
  }

  private async lockedHead(client: pg.PoolClient): Promise<number> {
    const result = await client.query<{ head: string | null }>(`SELECT max(position) AS head FROM ${this.table}`);
    return Number(result.rows[0]?.head ?? 0);
  }

  private async streamHead(client: pg.PoolClient, streamId: string): Promise<number | undefined> {
    const result = await client.query<{ revision: string }>(
      `SELECT revision FROM ${this.table} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`,
      [streamId],
    );
    return result.rows[0] === undefined ? undefined : Number(result.rows[0].revision);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    return this.select(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2 ` +
        `ORDER BY revision ${backwards ? 'DESC' : ''} LIMIT $3`,
      [streamId, from, options.maxCount ?? null],
      true,
    );
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.read(
      options.after ?? 0,
      options.until ?? Number.MAX_SAFE_INTEGER,
      options.maxCount ?? DEFAULT_PAGE,
      options.filter,
      !options.asStored,
    );
  }

  async readAllBackwards(options: ReadAllBackwardsOptions = {}): Promise<RecordedEvent[]> {
    const { sql, params } = describeFilter(options.filter, 3);
    return this.select(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE position < $1${sql} ORDER BY position DESC LIMIT $2`,
      [options.before ?? Number.MAX_SAFE_INTEGER, options.maxCount ?? DEFAULT_PAGE, ...params],
      true,
    );
  }

  override async readAllAsJson(
    options: { readonly after?: number; readonly maxCount?: number } = {},
  ): Promise<StoredEventJson[]> {
    const result = await this.pool
      .query<Row>({
        text: `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT $2`,
        values: [options.after ?? 0, options.maxCount ?? DEFAULT_PAGE],
        rowMode: 'array',
      })
      .catch(storageFailure);
    return result.rows.map((row) => ({
      streamId: row[1],
      revision: Number(row[2]),
      position: Number(row[0]),
      type: row[3],
      data: row[4],
      metadata: row[5],
      recordedAt: row[6],
    }));
  }

  async headPosition(): Promise<number> {
    return this.head();
  }

  async head(): Promise<number> {
    const result = await this.pool
      .query<{ head: string | null }>(`SELECT max(position) AS head FROM ${this.table}`)
      .catch(storageFailure);
    return Number(result.rows[0]?.head ?? 0);
  }

  read(
    after: number,
    upTo: number,
    maxCount: number,
    filter?: EventFilter,
    upcasting = true,
  ): Promise<RecordedEvent[]> {
    if (filter === undefined || (!filter.streamPrefixes?.length && !filter.eventTypes?.length)) {
      // No upper bound in SQL: with one, a log not yet analysed gets a bitmap scan and a sort
      // of the whole range (measured 4× slower); the rows past `upTo` are dropped here instead.
      return this.select(
        `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT $2`,
        [after, maxCount],
        upcasting,
        upTo,
      );
    }
    const { sql, params } = describeFilter(filter, 4);
    return this.select(
      `SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE position > $1 AND position <= $2${sql} ORDER BY position LIMIT $3`,
      [after, upTo, maxCount, ...params],
      upcasting,
    );
  }

  private async select(
    text: string,
    values: unknown[],
    upcasting: boolean,
    upTo = Number.MAX_SAFE_INTEGER,
  ): Promise<RecordedEvent[]> {
    const result = await this.pool.query<Row>({ text, values, rowMode: 'array' }).catch(storageFailure);
    const events: RecordedEvent[] = [];
    for (const row of result.rows) {
      const stored = toStored(row);
      if (stored.position > upTo) break;
      events.push(upcasting ? upcast(stored) : stored);
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new PostgresSubscription(
      this,
      options.after ?? 0,
      options.maxBatchSize ?? DEFAULT_PAGE,
      this.pollIntervalMs,
      options.filter,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    this.listen();
    return subscription;
  }

  /** One LISTEN connection per store, opened for the first subscription; polling covers its failures. */
  private listen(): void {
    if (this.listening !== undefined || this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    this.listener = client;
    const lost = (): void => {
      // Wake every subscription to read now, then listen again on a new connection.
      this.signal.emit('append');
      if (this.listener === client) {
        this.listener = undefined;
        this.listening = undefined;
        if (this.subscriptions.size > 0) setTimeout(() => this.listen(), Math.min(this.pollIntervalMs, 500)).unref();
      }
    };
    client.on('notification', () => this.signal.emit('append'));
    client.on('error', () => {
      client.end().catch(() => {});
      lost();
    });
    client.on('end', lost);
    this.listening = client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(() => {
        // Appends between the subscription's first read and LISTEN: read again.
        this.signal.emit('append');
      })
      .catch(() => {
        client.end().catch(() => {});
        lost();
      });
  }

  /** Resolves on a notification (this or another process), after `timeoutMs`, or on `signal`. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return waitForAppend(this.signal, timeoutMs, signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await this.listening;
      await listener.end().catch(() => {});
    }
    await this.pool.end();
  }
}

/** A full disk, a server gone: the caller learns what failed (507/503), not the driver's words. */
function storageFailure(error: unknown): never {
  if (isConnectionLost(error)) throw new StorageError('event log', 'unavailable', error);
  throw asStorageError(error, 'event log');
}

/** The unique index on event ids refused a row: which id, as the port's error. */
function duplicateIdError(error: unknown, streamId: string): DuplicateEventIdError | undefined {
  const e = error as { code?: string; constraint?: string; detail?: string };
  if (e.code !== '23505' || e.constraint !== 'events_event_id') return undefined;
  return new DuplicateEventIdError(streamId, /\(event_id\)=\((.*)\)/.exec(e.detail ?? '')?.[1] ?? '?');
}

/** `pg`'s words for a connection that ended under a query: no code to go by. */
function isConnectionLost(error: unknown): boolean {
  return error instanceof Error && /^Connection terminated/.test(error.message);
}

/** The filter as SQL, its parameters numbered from `first`. */
function describeFilter(filter: EventFilter | undefined, first: number): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > 0) {
    params.push(prefixes);
    clauses.push(`stream_id ^@ ANY($${first + params.length - 1}::text[])`);
  }
  const types = filter?.eventTypes ?? [];
  if (types.length > 0) {
    params.push(types);
    clauses.push(`type = ANY($${first + params.length - 1}::text[])`);
  }
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}
