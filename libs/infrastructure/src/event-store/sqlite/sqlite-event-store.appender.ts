import type Database from 'better-sqlite3';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  revisionMatches,
  type AppendResult,
  type ExpectedRevision,
} from '#domain/shared/event-store.port.js';
import type { DomainEvent } from '#domain/shared/event.js';

/** An event serialised for its row; `recordedAt` is the commit instant of its batch. */
export interface PreparedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: string;
}

/** One stream's part of an append, serialised. */
export interface PreparedAppend {
  readonly streamId: string;
  readonly rows: readonly PreparedEvent[];
  readonly expected: ExpectedRevision;
}

export function prepareEvent(event: DomainEvent, recordedAt: string): PreparedEvent {
  return {
    eventId: event.metadata.eventId,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata),
    recordedAt,
  };
}

/**
 * Writes appends inside `BEGIN IMMEDIATE` transactions: one stream or several, all or nothing,
 * so writers in several processes queue on SQLite's lock instead of failing. A batch whose
 * event ids are already stored, in the same streams and order, is a replay: its original
 * results come back and nothing is written.
 */
export class SqliteAppender {
  private readonly statements;
  private readonly appendAll: (parts: readonly PreparedAppend[]) => AppendResult[];

  constructor(db: Database.Database) {
    this.statements = {
      streamHead: db.prepare<[string], { revision: number }>(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      insert: db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      byEventId: db.prepare<[string], { stream_id: string; revision: number; position: number }>(
        'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
      ),
    };
    const transaction = db.transaction((parts: readonly PreparedAppend[]) => parts.map((p) => this.appendPart(p)));
    this.appendAll = (parts) => transaction.immediate(parts);
  }

  /** Appends every part in one transaction; throws the first part's conflict, writing nothing. */
  append(parts: readonly PreparedAppend[]): AppendResult[] {
    try {
      return this.appendAll(parts);
    } catch (error) {
      if (isUniqueEventIdViolation(error)) return parts.map((p) => this.replayResult(p.streamId, p.rows));
      throw error;
    }
  }

  private appendPart({ streamId, rows, expected }: PreparedAppend): AppendResult {
    const head = this.statements.streamHead.get(streamId)?.revision;
    if (!revisionMatches(expected, head)) {
      const replay = this.findReplay(streamId, rows);
      if (replay) return replay;
      throw new ConcurrencyError(streamId, expected, head ?? 'no_stream');
    }
    let revision = head ?? -1;
    let position = 0;
    for (const row of rows) {
      revision += 1;
      const info = this.statements.insert.run(
        streamId,
        revision,
        row.eventId,
        row.type,
        row.data,
        row.metadata,
        row.recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /** The original result when `rows` is exactly a batch already stored in `streamId`. */
  private findReplay(streamId: string, rows: readonly PreparedEvent[]): AppendResult | undefined {
    const first = this.statements.byEventId.get(rows[0]!.eventId);
    if (!first) return undefined;
    return this.replayResult(streamId, rows);
  }

  private replayResult(streamId: string, rows: readonly PreparedEvent[]): AppendResult {
    let previous: { revision: number; position: number } | undefined;
    for (const row of rows) {
      const stored = this.statements.byEventId.get(row.eventId);
      const inSequence =
        stored !== undefined &&
        stored.stream_id === streamId &&
        (previous === undefined || stored.revision === previous.revision + 1);
      if (!inSequence) throw new DuplicateEventIdError(streamId, row.eventId);
      previous = stored;
    }
    return { nextExpectedRevision: previous!.revision, position: previous!.position };
  }
}

function isUniqueEventIdViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes('events.event_id')
  );
}
