/**
 * Pure translations between our event-store port and the KurrentDB Node client (1.x).
 *
 * Positions: KurrentDB addresses the log by `{commit, prepare}` bigint pairs. Since explicit
 * transactions are gone, every event written by an ordinary append has `commit === prepare`
 * (its own log offset), so the commit position alone orders the log and is what our port calls
 * `position`. We hand it over as a JS number: exact while the log is below 2^53 bytes (8 PiB);
 * `toSafeNumber` refuses anything larger instead of rounding silently. Going back, a number
 * `n` becomes `{commit: n, prepare: n}`, which is a valid read position because every number
 * we hand out came from the server (an event's position or a filter checkpoint, both record
 * boundaries; KurrentDB refuses to read from an arbitrary byte offset). `0` is our "from the start" and maps to the client's `START`.
 */
import {
  ANY,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type JSONEventType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { upcast } from '#domain/catalogue.js';
import { ConcurrencyError, type EventFilter, type ExpectedRevision } from '#domain/shared/event-store.port.js';
import type { DomainEvent, EventMetadata, RecordedEvent } from '#domain/shared/event.js';

/** How our events travel: JSON data and JSON metadata (the whole `EventMetadata`). */
export type StoredJsonEvent = JSONEventType<string, Record<string, unknown>, Record<string, unknown>>;

/** Filter checkpoints are reported through this callback (see `toServerFilter`). */
export type CheckpointReached = NonNullable<Filter['checkpointReached']>;

export function toSafeNumber(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`KurrentDB ${what} ${value} does not fit a JS number`);
  }
  return Number(value);
}

/** Our event → the client's JSON event; the event id doubles as KurrentDB's idempotency key. */
export function toEventData(event: DomainEvent): EventData<StoredJsonEvent> {
  return jsonEvent<StoredJsonEvent>({
    id: event.metadata.eventId,
    type: event.type,
    // Both are plain JSON objects by the port's contract; the casts only widen to the client's
    // index-signature types, which TypeScript does not infer for interfaces.
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as unknown as Record<string, unknown>,
  });
}

/**
 * The metadata property that carries our whole `EventMetadata` as JSON text in a multi-stream
 * append: the v2 protocol takes string values only, and `schemaVersion` is a number and
 * `causationId` may be null. `toRecordedEvent` unwraps it.
 */
export const MULTI_APPEND_METADATA_PROPERTY = 'dlrn.metadata';

/** Our event → the client's JSON event for `multiStreamAppend` (metadata as one string property). */
export function toMultiAppendEventData(event: DomainEvent): EventData<StoredJsonEvent> {
  return jsonEvent<StoredJsonEvent>({
    id: event.metadata.eventId,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: { [MULTI_APPEND_METADATA_PROPERTY]: JSON.stringify(event.metadata) },
  });
}

/** Event metadata as stored: ours directly, or wrapped by a multi-stream append. */
function unwrapMetadata(metadata: object): object {
  const wrapped = (metadata as Record<string, unknown>)[MULTI_APPEND_METADATA_PROPERTY];
  return typeof wrapped === 'string' ? (JSON.parse(wrapped) as object) : metadata;
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`expected revision must be a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

/**
 * The client's current-state report → our `actual`. Deleted (-5n) and tombstoned (-6n) streams
 * hold no readable event, so like a missing stream they are `'no_stream'` to a writer.
 */
export function toActualRevision(actual: CurrentStreamState): number | 'no_stream' {
  if (actual === NO_STREAM || actual < 0n) return 'no_stream';
  return toSafeNumber(actual, 'stream revision');
}

export function toConcurrencyError(
  error: WrongExpectedVersionError,
  streamId: string,
  expected: ExpectedRevision,
): ConcurrencyError {
  // We name the stream we appended to, not `error.streamName`: they are the same stream, and
  // ours is never empty (the client leaves the name blank on some server error paths).
  return new ConcurrencyError(streamId, expected, toActualRevision(error.actualState));
}

export function toReadPosition(after: number): ReadPosition {
  if (after === 0) return START;
  return toPosition(after);
}

export function toBackwardsReadPosition(before: number | undefined): ReadPosition {
  return before === undefined ? END : toPosition(before);
}

function toPosition(value: number): Position {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid log position ${value}`);
  return { commit: BigInt(value), prepare: BigInt(value) };
}

/** Where a resolved event sits in `$all`, as our number; undefined when the server omits it. */
export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): number | undefined {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined ? undefined : toSafeNumber(commit, 'log position');
}

/**
 * A resolved event → our recorded event, upcast to its type's current shape (unless `asStored`). Returns undefined for link records without a target
 * (we never ask the server to resolve links, so these only come from system streams).
 * Throws on events this service cannot have written (no JSON metadata), so a foreign writer on
 * the same server is noticed instead of producing half-empty events.
 */
export function toRecordedEvent(
  resolved: ResolvedEvent | AllStreamResolvedEvent,
  asStored = false,
): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  const position = positionOf(resolved);
  const where = `${event.streamId}@${event.revision}`;
  if (position === undefined) throw new Error(`KurrentDB event ${where} has no log position (server older than 22.6?)`);
  const metadata = decodeJson(event.metadata, `metadata of ${where}`);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError(`KurrentDB event ${where} carries no event metadata: not written by this service`);
  }
  const recorded: RecordedEvent = {
    streamId: event.streamId,
    revision: toSafeNumber(event.revision, 'stream revision'),
    position,
    type: event.type,
    data: decodeJson(event.data, `data of ${where}`) as object,
    metadata: unwrapMetadata(metadata) as EventMetadata,
    recordedAt: event.created.toISOString(),
  };
  return asStored ? recorded : upcast(recorded);
}

/** The client parses JSON payloads itself; binary ones (another writer's) are decoded here. */
function decodeJson(value: unknown, what: string): unknown {
  if (!(value instanceof Uint8Array)) return value;
  try {
    return JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    throw new TypeError(`KurrentDB ${what} is not JSON`);
  }
}

/** Streams and event types starting with `$` belong to the server (stats, metadata, links). */
export function isSystemEvent(event: Pick<RecordedEvent, 'streamId' | 'type'>): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** The complete filter, checked on our side: the server applies at most one criterion. */
export function matchesFilter(
  event: Pick<RecordedEvent, 'streamId' | 'type'>,
  filter: EventFilter | undefined,
): boolean {
  if (isSystemEvent(event)) return false;
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > 0 && !prefixes.some((p) => event.streamId.startsWith(p))) return false;
  const types = filter?.eventTypes ?? [];
  return types.length === 0 || types.includes(event.type);
}

/**
 * Our filter → one server-side filter. KurrentDB takes a single criterion per read, so we send
 * the most selective one and `matchesFilter` applies the rest: stream prefixes when given
 * (they cannot match `$` streams, since our prefixes are categories); else the event types as an
 * anchored regex (a prefix filter would let `Built` match `BuiltAgain`); else a filter that
 * drops system event types. Filtered reads report checkpoints through `checkpointReached`.
 */
export function toServerFilter(filter: EventFilter | undefined, checkpointReached?: CheckpointReached): Filter {
  const prefixes = filter?.streamPrefixes ?? [];
  const types = filter?.eventTypes ?? [];
  const callback = checkpointReached ? { checkpointReached } : {};
  if (prefixes.length > 0) return streamNameFilter({ prefixes: [...prefixes], ...callback });
  if (types.length > 0) return eventTypeFilter({ regex: exactTypesRegex(types), ...callback });
  return excludeSystemEvents(callback);
}

export function exactTypesRegex(types: readonly string[]): string {
  return `^(?:${types.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}
