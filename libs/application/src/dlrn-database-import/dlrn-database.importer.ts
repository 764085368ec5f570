import type { EventStore } from '#domain/shared/event-store.port.js';
import type { DomainEvent } from '#domain/shared/event.js';
import type { DlrnDatabaseLocation } from '#infrastructure/dlrn-database/dlrn-database-url.js';
import { DlrnDatabase } from '#infrastructure/dlrn-database/dlrn-database.reader.js';
import { DlrnEventMapper, ImportRowError, sourceIdOf, type ImportBatch } from './dlrn-event.mapper.js';
import type { DlrnTable } from '#infrastructure/dlrn-database/dlrn-rows.js';

/** A stream already holds an event the import did not write where the import would write. */
export class ImportConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly eventId: string,
    readonly type: string,
  ) {
    super(
      `stream ${streamId} already holds ${type} ${eventId} at revision ${revision}, which this import did not write: ` +
        'import-db appends only to streams it wrote itself (use a new event store, or one holding only an earlier import of this database)',
    );
    this.name = 'ImportConflictError';
  }
}

export interface ImportOptions {
  /** The DLRN database: a SQLite file or a MariaDB/MySQL server (`parseDlrnDatabaseUrl`). */
  readonly from: DlrnDatabaseLocation;
  readonly store: EventStore;
  readonly buildDriver: string;
  readonly maxRetries: number;
  readonly now?: Date;
  /** Progress lines (the CLI prints them on stderr). */
  readonly log?: (line: string) => void;
}

export interface ImportSummary {
  readonly sourceId: string;
  readonly rows: Readonly<Record<DlrnTable, number>>;
  /** Rows that could not become events, with why. */
  readonly skipped: readonly ImportRowError[];
  readonly appended: number;
  readonly alreadyPresent: number;
}

/**
 * Appends the events a DLRN database stands for. Two passes over the rows: the first maps every
 * row and compares it with the store, so that a bad row is reported and a stream written by
 * someone else is refused before anything is appended; the second appends, one atomic append per
 * row, whatever is not there yet. Event ids are derived from the rows, so a second import, or
 * one after an import killed halfway, appends only what is missing.
 */
export async function importDlrnDatabase(options: ImportOptions): Promise<ImportSummary> {
  const { store } = options;
  const now = options.now ?? new Date();
  const log = options.log ?? (() => undefined);
  const db = await DlrnDatabase.open(options.from);
  try {
    const sourceId = sourceIdOf(await db.firstCommit());
    const rows = await db.counts();
    const mapper = (): DlrnEventMapper =>
      new DlrnEventMapper({ sourceId, buildDriver: options.buildDriver, maxRetries: options.maxRetries, now });
    // Nothing can conflict with, or be already in, an empty store.
    const fresh = (await store.headPosition()) === 0;

    log(`checking ${db.label}`);
    const skipped: ImportRowError[] = [];
    await forEachBatch(db, mapper(), skipped, async (batch, offset) => {
      if (!fresh) await presentCount(store, batch, offset);
    });

    log('appending events');
    let appended = 0;
    let alreadyPresent = 0;
    await forEachBatch(db, mapper(), [], async (batch, offset) => {
      const present = fresh ? 0 : await presentCount(store, batch, offset);
      alreadyPresent += present;
      if (present === batch.events.length) return;
      const events = batch.events.slice(present);
      const last = offset + present - 1;
      await store.append(batch.streamId, events, { expectedRevision: last < 0 ? 'no_stream' : last });
      appended += events.length;
    });
    return { sourceId, rows, skipped, appended, alreadyPresent };
  } finally {
    db.close();
  }
}

/** Maps every row in order; `offset` is the revision the batch starts at in its stream. */
async function forEachBatch(
  db: DlrnDatabase,
  mapper: DlrnEventMapper,
  skipped: ImportRowError[],
  visit: (batch: ImportBatch, offset: number) => Promise<void>,
): Promise<void> {
  const offsets = new Map<string, number>();
  for await (const entry of db.rows()) {
    let batches: ImportBatch[];
    try {
      batches = mapper.map(entry);
    } catch (error) {
      if (!(error instanceof ImportRowError)) throw error;
      skipped.push(error);
      continue;
    }
    for (const batch of batches) {
      const offset = offsets.get(batch.streamId) ?? 0;
      await visit(batch, offset);
      offsets.set(batch.streamId, offset + batch.events.length);
    }
  }
}

/**
 * How many of the batch's events the stream holds already, at the revisions the import gives
 * them; throws when an event there is not the import's.
 */
async function presentCount(store: EventStore, batch: ImportBatch, offset: number): Promise<number> {
  const stored = await store.readStream(batch.streamId, { fromRevision: offset, maxCount: batch.events.length });
  stored.forEach((event, i) => {
    const expected: DomainEvent | undefined = batch.events[i];
    if (event.revision !== offset + i || expected?.metadata.eventId !== event.metadata.eventId) {
      throw new ImportConflictError(batch.streamId, event.revision, event.metadata.eventId, event.type);
    }
  });
  return stored.length;
}
