import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
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
  assertValidStreamAppends,
  assertValidStreamId,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type ReadAllBackwardsOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionBatch,
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

/** What the adapter needs of a server subscription: events, catch-up signals, flow control. */
export type KurrentDbSubscriptionLike = Pick<
  AllStreamSubscription,
  'on' | 'pause' | 'resume' | 'unsubscribe' | 'readableLength'
>;

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
 */
export const KURRENTDB_EVENT_STORE_CAPABILITIES = { detectsEventIdReuseAcrossStreams: false } as const;

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
    return this.scan(true, options.after ?? 0, options.maxCount ?? DEFAULT_PAGE, options.filter);
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
  private async scan(forwards: boolean, bound: number | undefined, want: number, filter?: EventFilter) {
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
        cursor = position;
        if (!matchesFilter(resolved.event, filter)) continue;
        const recorded = toRecordedEvent(resolved);
        if (recorded) found.push(recorded);
        if (found.length === want) break;
      }
      if (received < pageSize) break;
    }
    return found;
  }
}

type Item =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

/**
 * Turns the client's per-event catch-up subscription into batches. Events are queued as the
 * client emits them; `caughtUp`, `fellBehind` and filter checkpoints are queued as markers at
 * the point of the event flow where the server sent them. The client emits those signals at
 * once but its events may still wait in its stream buffer, so a marker is placed after the
 * `readableLength` events still buffered. A batch takes what is queued, up to `maxBatchSize`,
 * and ends at a `caughtUp` marker so that the batch flagged caught-up completes the history.
 */
class KurrentDbSubscription implements Subscription {
  private readonly queue: Item[] = [];
  private readonly deferred: { at: number; item: Item }[] = [];
  private readonly source: KurrentDbSubscriptionLike;
  private readonly after: number;
  private readonly maxBatchSize: number;
  private received = 0;
  private finished = false;
  private closed = false;
  private paused = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(
    client: KurrentDbClientLike,
    private readonly options: SubscribeOptions,
    private readonly onClose: (s: KurrentDbSubscription) => void,
  ) {
    this.after = options.after ?? 0;
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_PAGE;
    this.source = client.subscribeToAll({
      fromPosition: toReadPosition(this.after), // exclusive on the server, like our `after`
      filter: toServerFilter(options.filter, (_, position) => {
        this.mark({ kind: 'position', position: toSafeNumber(position.commit, 'checkpoint') });
      }),
    });
    this.source.on('data', (resolved: AllStreamResolvedEvent) => this.onEvent(resolved));
    // The caught-up report's own position is not used: a server may name there an event it has
    // yet to deliver (the first live one), and storing it as a checkpoint would skip that event.
    this.source.on('caughtUp', () => this.mark({ kind: 'caughtUp' }));
    this.source.on('fellBehind', () => this.mark({ kind: 'fellBehind' }));
    this.source.on('error', (error: Error) => this.fail(error));
    this.source.on('end', () => this.finish());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.notify();
    // The client's unsubscribe rejects when the call never started (server unreachable): the
    // subscription is dead either way, and its error, if any, was already handed to the reader.
    await this.source.unsubscribe().catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    let position = this.after;
    let caughtUp = false;
    try {
      for (;;) {
        while (this.queue.length === 0 && !this.closed && !this.finished) {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
        if (this.closed) return;
        if (this.queue.length === 0) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        const before = position;
        const wasCaughtUp: boolean = caughtUp;
        const events: RecordedEvent[] = [];
        while (events.length < this.maxBatchSize) {
          const item = this.queue.shift();
          if (!item) break;
          if (item.kind === 'event') {
            events.push(item.event);
            position = Math.max(position, item.event.position);
          } else if (item.kind === 'position') {
            position = Math.max(position, item.position);
          } else if (item.kind === 'fellBehind') {
            caughtUp = false;
          } else {
            caughtUp = true;
            break;
          }
        }
        if (this.paused && this.queue.length < this.maxBatchSize) {
          this.paused = false;
          this.source.resume();
        }
        if (events.length > 0 || position > before || caughtUp !== wasCaughtUp) yield { events, position, caughtUp };
      }
    } finally {
      await this.close();
    }
  }

  private onEvent(resolved: AllStreamResolvedEvent): void {
    if (this.finished || this.closed) return;
    this.received += 1;
    try {
      const event =
        resolved.event && matchesFilter(resolved.event, this.options.filter) ? toRecordedEvent(resolved) : undefined;
      const position = positionOf(resolved);
      if (event) this.enqueue({ kind: 'event', event });
      else if (position !== undefined) this.enqueue({ kind: 'position', position });
    } catch (error) {
      this.fail(error);
      return;
    }
    while (this.deferred[0] && this.deferred[0].at <= this.received) this.enqueue(this.deferred.shift()!.item);
  }

  private mark(item: Item): void {
    const at = this.received + this.source.readableLength;
    if (at <= this.received) this.enqueue(item);
    else this.deferred.push({ at, item });
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    // Bounded memory while catching up on a long log: let the client's stream apply backpressure.
    if (!this.paused && this.queue.length >= this.maxBatchSize * 4) {
      this.paused = true;
      this.source.pause();
    }
    this.notify();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    this.finish();
    // Events after a failure must not be delivered as if the failed one never existed.
    void this.source.unsubscribe().catch(() => undefined);
  }

  private finish(): void {
    this.finished = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
