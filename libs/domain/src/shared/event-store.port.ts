import { DomainError } from './errors.js';
import type { DomainEvent, RecordedEvent } from './event.js';

/**
 * What the writer expects of the stream before its append:
 * - `any`: no check;
 * - `no_stream`: the stream must not exist yet (first event);
 * - `stream_exists`: the stream must hold at least one event;
 * - a number: the stream's last revision must be exactly this (0-based).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** Whether a stream whose last revision is `head` (undefined: no stream) passes `expected`. */
export function revisionMatches(expected: ExpectedRevision, head: number | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return head === undefined;
    case 'stream_exists':
      return head !== undefined;
    default:
      return head === expected;
  }
}

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision;
}

/** One stream's part of a multi-stream append (`EventStore.appendToStreams`). */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly DomainEvent[];
  readonly expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: the `expectedRevision` of the next append. */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event: wait for projections to pass it. */
  readonly position: number;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: ReadDirection;
  /** Inclusive start revision; defaults to the first (forwards) or last (backwards) event. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface EventFilter {
  /** Keep events whose stream id starts with one of these (`build-`, `package-`). */
  readonly streamPrefixes?: readonly string[];
  /** Keep events of these types only. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: the first event returned is the one after this position. 0 = from the start. */
  readonly after?: number;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
  /**
   * Inclusive: no event past this position, whatever `maxCount`. Bounds the work of a filtered
   * read that matches little (it scans at most `until - after` positions).
   */
  readonly until?: number;
  /**
   * Hand events over as stored, without upcasting (their recorded schema versions): for copies
   * of the log (`dlrn events export`) that must not change when a new schema version appears.
   */
  readonly asStored?: boolean;
}

export interface ReadAllBackwardsOptions {
  /** Exclusive upper bound; defaults to the end of the log. */
  readonly before?: number;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive: resume after this position (a stored checkpoint). 0 = from the start. */
  readonly after?: number;
  readonly filter?: EventFilter;
  /** Largest batch handed over at once while catching up (default 1000). */
  readonly maxBatchSize?: number;
}

/**
 * A batch of events in global order. `position` is how far the store has looked: with a
 * filter it can be past the last event of the batch, and it is the checkpoint to store.
 */
export interface SubscriptionBatch {
  readonly events: readonly RecordedEvent[];
  readonly position: number;
  /** True once the subscription has reached the head of the log at the time of the read. */
  readonly caughtUp: boolean;
}

/** A catch-up subscription: history first, then live appends, until closed. */
export interface Subscription extends AsyncIterable<SubscriptionBatch> {
  close(): Promise<void>;
}

/**
 * The append-only event log. Streams are `<category>-<id>`, the category free of `-`.
 * Every adapter (SQLite embedded, KurrentDB) passes the same contract suite
 * (`test/contract/event-store.contract.ts`).
 *
 * Upcasting happens here and nowhere else: every read (streams, the global log, subscriptions)
 * hands events over in the current shape of their type (`upcast` of `catalogue.ts`), so readers
 * never see an old schema version. Types the catalogue does not know pass through untouched.
 */
export abstract class EventStore {
  /**
   * Appends events to a stream atomically, after checking `expectedRevision`.
   * Re-appending events whose ids are already stored, in the same stream and order, is a no-op
   * returning the original result. Throws `ConcurrencyError` on a revision mismatch.
   */
  abstract append(streamId: string, events: readonly DomainEvent[], options?: AppendOptions): Promise<AppendResult>;

  /**
   * Appends to several streams in one atomic step, each part checked against its own
   * `expectedRevision`: every part is recorded, or none is. Returns one result per part, in
   * the order given. Throws `ConcurrencyError` naming a stream whose check failed, and nothing
   * is appended then. Each stream appears at most once and every part holds events.
   */
  abstract appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** Events of one stream; an empty array when the stream does not exist. */
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** The global log forwards, after a position. */
  abstract readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** The global log backwards, newest first. */
  abstract readAllBackwards(options?: ReadAllBackwardsOptions): Promise<RecordedEvent[]>;

  /** Position of the last event in the log (0 when empty). */
  abstract headPosition(): Promise<number>;

  /** Catch-up subscription to the global log; follows appends made by other processes too. */
  abstract subscribeToAll(options?: SubscribeOptions): Subscription;

  /** Releases connections and stops subscriptions. */
  abstract close(): Promise<void>;

  /**
   * Writes events exactly as another store recorded them (`dlrn events import`): their
   * positions, stream revisions, ids, metadata and `recordedAt` are kept. The events come in
   * position order; each new one must lie after the store's head (so into an empty store, or
   * continuing an import) and be the next revision of its stream. One call is atomic: every
   * event is written or none is. An event whose id is stored already, at the same stream,
   * revision and position, is skipped (a re-run is a no-op); stored anywhere else, it throws
   * `DuplicateEventIdError`. An empty call writes nothing and returns the head. A store that
   * cannot keep positions or times throws `ImportNotSupportedError` saying which, on every call.
   */
  abstract importRecorded(events: readonly RecordedEvent[]): Promise<ImportRecordedResult>;

  /**
   * Optional fast path for exact copies of the log (`dlrn events export`): the global log as
   * `readAll({ asStored: true })` reads it, but `data` and `metadata` left as the JSON text the
   * store holds, which must be exactly `JSON.stringify` of them (what `append` and
   * `importRecorded` wrote). Saves a parse and a serialisation per event.
   */
  readAllAsJson?(options: { readonly after?: number; readonly maxCount?: number }): Promise<StoredEventJson[]>;
}

/** An event as stored, its `data` and `metadata` as JSON text (`EventStore.readAllAsJson`). */
export interface StoredEventJson {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: string;
}

/** What one `importRecorded` call did. */
export interface ImportRecordedResult {
  /** Events written by this call. */
  readonly imported: number;
  /** Events found stored exactly so already (a re-run), skipped. */
  readonly alreadyStored: number;
  /** The store's head position after the call. */
  readonly position: number;
}

/** An imported event does not continue the store: its position or its stream revision is out of order. */
export class ImportOrderError extends DomainError {
  constructor(
    readonly eventId: string,
    message: string,
  ) {
    super('IMPORT_OUT_OF_ORDER', `event ${eventId}: ${message}`, { eventId });
  }
}

/** This store cannot keep what an import must keep (positions, commit times). */
export class ImportNotSupportedError extends DomainError {
  constructor(store: string, why: string) {
    super('IMPORT_NOT_SUPPORTED', `${store} cannot import recorded events: ${why}`, { store });
  }
}

/** What every adapter checks before `importRecorded`: well-formed events in strictly increasing positions. */
export function assertImportableEvents(events: readonly RecordedEvent[]): void {
  let previous = 0;
  for (const event of events) {
    assertValidStreamId(event.streamId);
    const id = event.metadata.eventId;
    if (!Number.isSafeInteger(event.position) || event.position <= previous) {
      throw new ImportOrderError(id, `position ${event.position} does not follow ${previous}`);
    }
    if (!Number.isSafeInteger(event.revision) || event.revision < 0) {
      throw new ImportOrderError(id, `revision ${event.revision} is not a revision (an integer ≥ 0)`);
    }
    if (typeof event.recordedAt !== 'string' || Number.isNaN(Date.parse(event.recordedAt))) {
      throw new RangeError(`event ${id}: recordedAt ${JSON.stringify(event.recordedAt)} is not an ISO-8601 time`);
    }
    previous = event.position;
  }
}

/** The stream's revision did not match what the writer expected: someone else wrote first. */
export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(
      'STREAM_REVISION_CONFLICT',
      `stream ${streamId}: expected revision ${String(expected)}, found ${String(actual)}`,
      { streamId, expected, actual },
    );
  }
}

/** Some of the event ids are stored already, but not as this exact batch in this stream. */
export class DuplicateEventIdError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(
      'DUPLICATE_EVENT_ID',
      `stream ${streamId}: event id ${eventId} is already stored elsewhere or in another batch`,
      { streamId, eventId },
    );
  }
}

/** Stream names: `<category>-<id>`, category of letters, digits and `_`. */
export const STREAM_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]*-\S+$/;

export function assertValidStreamId(streamId: string): void {
  if (!STREAM_ID_PATTERN.test(streamId) || streamId.length > 512) {
    throw new DomainError(
      'INVALID_STREAM_ID',
      `invalid stream id ${JSON.stringify(streamId)}: expected <category>-<id>, category of [A-Za-z0-9_]`,
      { streamId },
    );
  }
}

/** What every adapter checks before a multi-stream append: valid, distinct, non-empty parts. */
export function assertValidStreamAppends(appends: readonly StreamAppend[]): void {
  if (appends.length === 0) throw new RangeError('multi-stream append: no stream to append to');
  const seen = new Set<string>();
  for (const { streamId, events } of appends) {
    assertValidStreamId(streamId);
    if (events.length === 0) throw new RangeError(`stream ${streamId}: nothing to append`);
    if (seen.has(streamId)) throw new RangeError(`multi-stream append: stream ${streamId} given twice`);
    seen.add(streamId);
  }
}
