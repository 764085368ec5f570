import type Database from 'better-sqlite3';
import { DuplicateEventIdError, ImportOrderError, type ImportRecordedResult } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

/**
 * Writes recorded events as they were (`EventStore.importRecorded`): the position is the rowid,
 * given explicitly, so positions (gaps included), revisions, ids and commit times survive. One
 * `BEGIN IMMEDIATE` transaction per call: a refused event leaves nothing of its batch.
 */
export class SqliteRecordedImporter {
  private readonly statements;
  private readonly run: (events: readonly RecordedEvent[]) => ImportRecordedResult;

  constructor(db: Database.Database) {
    this.statements = {
      head: db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events'),
      streamHead: db.prepare<[string], { revision: number }>(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      byEventId: db.prepare<[string], { stream_id: string; revision: number; position: number }>(
        'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
      ),
      insert: db.prepare(
        'INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    const transaction = db.transaction((events: readonly RecordedEvent[]) => this.write(events));
    this.run = (events) => transaction.immediate(events);
  }

  import(events: readonly RecordedEvent[]): ImportRecordedResult {
    return this.run(events);
  }

  private write(events: readonly RecordedEvent[]): ImportRecordedResult {
    let head = this.statements.head.get()?.head ?? 0;
    let imported = 0;
    let alreadyStored = 0;
    // Each stream's last revision as this batch leaves it: one index read per stream, not per event.
    const revisions = new Map<string, number>();
    for (const event of events) {
      const id = event.metadata.eventId;
      if (event.position <= head) {
        // Only a re-run may bring an event at or before the head: the very event, stored so.
        const stored = this.statements.byEventId.get(id);
        if (!stored) {
          throw new ImportOrderError(id, `position ${event.position} is not after the store's head ${head}`);
        }
        const same =
          stored.stream_id === event.streamId &&
          stored.revision === event.revision &&
          stored.position === event.position;
        if (!same) throw new DuplicateEventIdError(event.streamId, id);
        alreadyStored += 1;
        continue;
      }
      const last = revisions.get(event.streamId) ?? this.statements.streamHead.get(event.streamId)?.revision ?? -1;
      if (event.revision !== last + 1) {
        throw new ImportOrderError(
          id,
          `stream ${event.streamId}: revision ${event.revision}, but the store's next revision is ${last + 1}`,
        );
      }
      try {
        this.statements.insert.run(
          event.position,
          event.streamId,
          event.revision,
          id,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          event.recordedAt,
        );
      } catch (error) {
        // After the head, a stored id can only be another event's: the id is reused.
        if (isUniqueEventIdViolation(error)) throw new DuplicateEventIdError(event.streamId, id);
        throw error;
      }
      revisions.set(event.streamId, event.revision);
      head = event.position;
      imported += 1;
    }
    return { imported, alreadyStored, position: head };
  }
}

function isUniqueEventIdViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes('events.event_id')
  );
}
