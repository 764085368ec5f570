import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult as ClientAppendResult,
  type AppendStreamRequest,
  type AppendToStreamOptions,
  type EventData,
  type MultiAppendResult,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import {
  ConcurrencyError,
  EventStore,
  ImportNotSupportedError,
  assertValidStreamAppends,
  assertValidStreamId,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type ImportRecordedResult,
  type ReadAllBackwardsOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '#domain/shared/event-store.port.js';
import type { DomainEvent, RecordedEvent } from '#domain/shared/event.js';
import {
  matchesFilter,
  positionOf,
  toBackwardsReadPosition,
  toConcurrencyError,
  toEventData,
  toMultiAppendEventData,
  toReadPosition,
  toRecordedEvent,
  toSafeNumber,
  toServerFilter,
  toStreamState,
} from './kurrentdb-event-store.mapping.js';
import { KurrentDbSubscription, type KurrentDbSubscriptionLike } from './kurrentdb-subscription.js';

export type { KurrentDbSubscriptionLike } from './kurrentdb-subscription.js';

/** The slice of `KurrentDBClient` the adapter uses; tests pass a typed stub of it. */
export interface KurrentDbClientLike {
  appendToStream(streamName: string, events: EventData[], options?: AppendToStreamOptions): Promise<ClientAppendResult>;
  multiStreamAppend(requests: AppendStreamRequest[]): Promise<MultiAppendResult>;
  readStream(streamName: string, options?: ClientReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options?: ClientReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): KurrentDbSubscriptionLike;
  dispose(): Promise<void>;
}

/**
 * What KurrentDB does not give us that the port promises. The server deduplicates event ids only
 * within one stream (a re-append of the same batch at the same expected state is a no-op); it
 * keeps no index of event ids across streams, so re-using an id in another stream is stored
 * again instead of raising `DuplicateEventIdError`. The contract suite should skip that one case.
 * Nor can it import a log as recorded (`importRecorded`): it assigns positions and times itself.
 */
export const KURRENTDB_EVENT_STORE_CAPABILITIES = {
  detectsEventIdReuseAcrossStreams: false,
  importsRecorded: false,
} as const;

const DEFAULT_PAGE = 1000;
/** Reads of `$all` fetch at least this many events, so client-side filtering needs few round trips. */
const MIN_PAGE = 32;

/**
 * The event store on a KurrentDB server (single node or cluster). Positions are the commit
 * positions of `$all` (see the mapping module); system streams and `$` event types are hidden.
 * The server must allow the client's user to read `$all`; no projections are needed.
 */
export class KurrentDbEventStore extends EventStore {
  private readonly client: KurrentDbClientLike;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private closed = false;

  /** A connection string (`kurrentdb://host:2113?tls=false`, `esdb://…`) or a client this store then owns. */
  constructor(connection: string | KurrentDbClientLike) {
    super();
    this.client = typeof connection === 'string' ? KurrentDBClient.connectionString(connection) : connection;
  }

  /** For `openEventStore(url)`: the same as `new KurrentDbEventStore(url)`. */
  static fromConnectionString(connectionString: string): KurrentDbEventStore {
    return new KurrentDbEventStore(connectionString);
  }

  async append(streamId: string, events: readonly DomainEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    assertValidStreamId(streamId);
    if (events.length === 0) throw new RangeError(`stream ${streamId}: nothing to append`);
    const expected = options.expectedRevision ?? 'any';
    let result: ClientAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), {
        streamState: toStreamState(expected),
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw toConcurrencyError(error, streamId, expected);
      throw error;
    }
    if (!result.success) {
      // `throwOnAppendFailure=false` in the connection string reports conflicts as a result, and
      // the client's batch path garbles the current revision then: ask the stream itself.
      const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      throw new ConcurrencyError(streamId, expected, last?.revision ?? 'no_stream');
    }
    const nextExpectedRevision = toSafeNumber(result.nextExpectedRevision, 'stream revision');
    // An idempotent re-append comes back without a position: the original one is the last event's.
    const position = result.position
      ? toSafeNumber(result.position.commit, 'log position')
      : await this.positionOfRevision(streamId, nextExpectedRevision);
    return { nextExpectedRevision, position };
  }

  /**
   * The server's own multi-stream append (KurrentDB 25.1+, protocol v2): one transaction, all or
   * nothing; an older server refuses it and so does this method (no non-atomic fallback). The
   * server answers with each stream's revision and one log position for the whole commit, so
   * each stream's own last position is read back. The v2 protocol takes metadata as string
   * properties only: see `toMultiAppendEventData`.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertValidStreamAppends(appends);
    const requests = appends.map(({ streamId, events, expectedRevision }) => ({
      streamName: streamId,
      events: events.map(toMultiAppendEventData),
      expectedState: toStreamState(expectedRevision ?? 'any'),
    }));
    let result: MultiAppendResult;
    try {
      result = await this.client.multiStreamAppend(requests);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const failed = appends.find((a) => a.streamId === error.streamName) ?? appends[0]!;
      throw toConcurrencyError(error, failed.streamId, failed.expectedRevision ?? 'any');
    }
    return Promise.all(
      appends.map(async ({ streamId }) => {
        const response = result.responses.find((r) => r.streamName === streamId);
        if (!response) throw new Error(`stream ${streamId}: the server's multi-stream append did not report it`);
        const nextExpectedRevision = toSafeNumber(response.revision, 'stream revision');
        return { nextExpectedRevision, position: await this.positionOfRevision(streamId, nextExpectedRevision) };
      }),
    );
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        const recorded = toRecordedEvent(resolved);
        if (recorded) events.push(recorded);
      }
    } catch (error) {
      // The client reports a missing stream by throwing while we iterate.
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.scan(
      true,
      options.after ?? 0,
      options.maxCount ?? DEFAULT_PAGE,
      options.filter,
      options.asStored,
      options.until,
    );
  }

  async readAllBackwards(options: ReadAllBackwardsOptions = {}): Promise<RecordedEvent[]> {
    return this.scan(false, options.before, options.maxCount ?? DEFAULT_PAGE, options.filter);
  }

  async headPosition(): Promise<number> {
    const [last] = await this.scan(false, undefined, 1, undefined);
    return last?.position ?? 0;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new KurrentDbSubscription(this.client, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Refused: the server assigns every event its `$all` commit position and its commit time, so
   * an imported log would neither keep its positions (checkpoints, `as_of`, exported hashes) nor
   * its `recordedAt`. Import into SQLite, or append the events anew (`dlrn events copy`).
   */
  async importRecorded(_events: readonly RecordedEvent[]): Promise<ImportRecordedResult> {
    throw new ImportNotSupportedError(
      'KurrentDB',
      'the server assigns positions ($all commit positions) and commit times (recordedAt) itself, so neither would be kept',
    );
  }

  /** Stops every subscription, then disposes of the client (also one that was injected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private async positionOfRevision(streamId: string, revision: number): Promise<number> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 });
    if (!event) throw new Error(`stream ${streamId}: revision ${revision} reported by the server cannot be read`);
    return event.position;
  }

  /**
   * Pages through `$all` until `want` events pass the whole filter. `bound` is exclusive; the
   * server's own start is inclusive (forwards) and each page restarts at the last event seen, so
   * every event at or beyond the bound is dropped here: nothing is returned twice.
   */
  private async scan(
    forwards: boolean,
    bound: number | undefined,
    want: number,
    filter?: EventFilter,
    asStored = false,
    until?: number,
  ) {
    const found: RecordedEvent[] = [];
    const serverFilter = toServerFilter(filter);
    let cursor = bound;
    while (found.length < want) {
      const pageSize = Math.min(Math.max(want - found.length + 1, MIN_PAGE), DEFAULT_PAGE);
      const read = this.client.readAll({
        fromPosition: forwards ? toReadPosition(cursor ?? 0) : toBackwardsReadPosition(cursor),
        direction: forwards ? FORWARDS : BACKWARDS,
        maxCount: pageSize,
        filter: serverFilter,
      });
      let received = 0;
      for await (const resolved of read) {
        received += 1;
        const position = positionOf(resolved);
        if (position === undefined || !resolved.event) continue;
        if (cursor !== undefined && (forwards ? position <= cursor : position >= cursor)) continue;
        if (until !== undefined && position > until) return found;
        cursor = position;
        if (!matchesFilter(resolved.event, filter)) continue;
        const recorded = toRecordedEvent(resolved, asStored);
        if (recorded) found.push(recorded);
        if (found.length === want) break;
      }
      if (received < pageSize) break;
    }
    return found;
  }
}
