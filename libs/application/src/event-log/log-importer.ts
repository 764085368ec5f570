import { upcast } from '#domain/catalogue.js';
import { DomainError } from '#domain/shared/errors.js';
import type { EventStore } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { carriesSecrets } from '#domain/user/redaction.js';
import { EventLogError, type LogSummary } from './log-chain.js';
import { readLog } from './log-reader.js';
import { StoreMirror } from './log-verifier.js';

export interface ImportOptions {
  /** Events per `importRecorded` call, each one atomic (default 1000). */
  readonly batchSize?: number;
  /** Events written so far and the share of the log done (0 to 1), after each batch. */
  readonly progress?: (imported: number, done: number) => void;
}

export interface ImportSummary extends LogSummary {
  /** Events written by this run. */
  readonly imported: number;
  /** Events found in the store already (a cut-short import resumed): skipped. */
  readonly alreadyStored: number;
  /** Events of types that carry secrets (user events): in a redacted export, users who cannot log in. */
  readonly withSecrets: number;
}

/** The target store holds a history that is not a cut-short import of this log. */
export class ImportTargetNotEmptyError extends DomainError {
  constructor(message: string) {
    super('IMPORT_TARGET_NOT_EMPTY', message);
  }
}

/**
 * `dlrn events import`: the whole file is verified first (a bad line anywhere, and nothing is
 * written), then appended as recorded (`EventStore.importRecorded`), batch after batch, checked
 * again as it is read. The store must be empty, or hold exactly the start of this very log (an
 * import cut short: every stored event is the log's line at that place, byte for byte as an
 * export writes it), which is then resumed after its last event. Events of a schema newer than
 * this service knows are refused.
 */
export async function importLog(
  store: EventStore,
  open: () => AsyncIterable<Buffer | string>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  // A store that cannot import at all (KurrentDB) says so before the file is read.
  await store.importRecorded([]);
  const verified = await readLog(open());
  const batchSize = options.batchSize ?? 1000;
  const [last] = await store.readAllBackwards({ maxCount: 1 });
  if (last !== undefined && last.position > verified.lastPosition) {
    throw notThisLog(last, `its head is past the log's last position ${verified.lastPosition}`);
  }
  let resumed = last === undefined;
  let imported = 0;
  let alreadyStored = 0;
  let batch: RecordedEvent[] = [];
  let lastQueued = 0;
  let withSecrets = 0;
  const flush = async (line: number): Promise<void> => {
    if (batch.length === 0) return;
    try {
      const result = await store.importRecorded(batch);
      imported += result.imported;
      alreadyStored += result.alreadyStored;
    } catch (error) {
      if (error instanceof DomainError && !(error instanceof EventLogError)) {
        throw new DomainError(error.code, `the events up to line ${line}: ${error.message}`, error.details);
      }
      throw error;
    }
    batch = [];
    options.progress?.(imported, verified.lastPosition === 0 ? 1 : lastQueued / verified.lastPosition);
  };
  let mirror: StoreMirror | undefined;
  const again = await readLog(open(), async (entries) => {
    for (const entry of entries) {
      if (entry.kind === 'header') mirror = resumed ? undefined : new StoreMirror(store, entry.redacted);
      if (entry.kind !== 'event') continue;
      const { event, line } = entry;
      if (!resumed) {
        // Resuming: the store must hold exactly the log's first events, byte for byte as exported.
        if (event.position > last!.position) throw notThisLog(last!, 'the log has no event at that position');
        try {
          await mirror!.check(line, event.position, entry.hash);
        } catch (error) {
          if (error instanceof EventLogError) throw notThisLog(last!, error.message);
          throw error;
        }
        alreadyStored += 1;
        resumed = event.position === last!.position;
        continue;
      }
      try {
        upcast(event);
      } catch (error) {
        if (error instanceof DomainError) throw new EventLogError(line, error.message);
        throw error;
      }
      if (carriesSecrets(event.type)) withSecrets += 1;
      batch.push(event);
      lastQueued = event.position;
      if (batch.length >= batchSize) await flush(line);
    }
    const lastEntry = entries[entries.length - 1]!;
    if (lastEntry.kind === 'end') await flush(lastEntry.line);
  });
  if (again.lastHash !== verified.lastHash) {
    throw new EventLogError(1, 'the file changed while it was imported: import it again once it is still');
  }
  if (!resumed) throw notThisLog(last!, 'the log ends before it');
  return { ...verified, imported, alreadyStored, withSecrets };
}

function notThisLog(last: RecordedEvent, why: string): ImportTargetNotEmptyError {
  return new ImportTargetNotEmptyError(
    `the target store is not empty (its last event ${last.metadata.eventId} is at position ${last.position}) and ` +
      `is not an import of this log cut short (${why}): import into an empty store`,
  );
}
