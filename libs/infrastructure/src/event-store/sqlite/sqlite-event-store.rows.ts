import { upcast } from '#domain/catalogue.js';
import type { EventFilter } from '#domain/shared/event-store.port.js';
import type { EventMetadata, RecordedEvent } from '#domain/shared/event.js';
import type { ThreadHandler } from '../../sqlite/sqlite-thread.js';

/** A row of `events` read as an object (`SELECT *`). */
export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/** Column order of `SELECT_COLUMNS`, read as arrays: faster than objects on long scans. */
export type RawRow = [number, string, number, string, string, string, string];
export const SELECT_COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at';

/** A row read as an array (`SELECT_COLUMNS` order), upcast to its type's current shape. */
export function fromRaw(row: RawRow): RecordedEvent {
  return upcast(fromRawAsStored(row));
}

/** A row read as an array, as stored (no upcasting: `readAll({ asStored })`). */
export function fromRawAsStored(row: RawRow): RecordedEvent {
  return {
    streamId: row[1],
    revision: row[2],
    position: row[0],
    type: row[3],
    data: JSON.parse(row[4]) as object,
    metadata: JSON.parse(row[5]) as EventMetadata,
    recordedAt: row[6],
  };
}

/** A row read as an object, upcast to its type's current shape. */
export function toRecorded(row: EventRow): RecordedEvent {
  return upcast({
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as object,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at,
  });
}

/** A page parsed from `pageAsJson`: upcast like every row, and in log order. */
export function fromPage(events: RecordedEvent[]): RecordedEvent[] {
  let sorted = true;
  for (let i = 0; i < events.length; i++) {
    events[i] = upcast(events[i]!);
    if (i > 0 && events[i]!.position < events[i - 1]!.position) sorted = false;
  }
  return sorted ? events : events.sort((a, b) => a.position - b.position);
}

/** In the reader thread (source text: nothing from this module's scope): a query answering one string. */
export function readPageHandler(): ThreadHandler<{ sql: string; params: unknown[] }, string> {
  return (_db, prepare, { sql, params }) => prepare(sql).pluck().get(params) as string;
}

/**
 * One page of the log as one JSON text built by SQLite: an array of RecordedEvent objects (keys
 * in `fromRaw`'s order), each event's data and metadata spliced in as stored (they are JSON
 * texts). The reader thread hands over one string, parsed once into the events themselves
 * (measured: a third faster than rows as arrays mapped to objects).
 */
export function pageAsJson(select: string): string {
  const event =
    `'{"streamId":' || json_quote(stream_id) || ',"revision":' || revision || ',"position":' || position || ` +
    `',"type":' || json_quote(type) || ',"data":' || data || ',"metadata":' || metadata || ` +
    `',"recordedAt":' || json_quote(recorded_at) || '}'`;
  // No ORDER BY inside group_concat (it sorts again, +80%): rows come in the subquery's order,
  // which SQLite does not promise, so the caller checks it.
  return `SELECT '[' || coalesce(group_concat(${event}, ','), '') || ']' FROM (${select})`;
}

export function describeFilter(filter: EventFilter | undefined): { sql: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > 0) {
    clauses.push(`(${prefixes.map(() => 'substr(stream_id, 1, ?) = ?').join(' OR ')})`);
    for (const prefix of prefixes) params.push(String(prefix.length), prefix);
  }
  const types = filter?.eventTypes ?? [];
  if (types.length > 0) {
    clauses.push(`type IN (${types.map(() => '?').join(', ')})`);
    params.push(...types);
  }
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}
