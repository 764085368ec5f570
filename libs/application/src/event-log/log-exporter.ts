import type { EventStore, StoredEventJson } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';
import { carriesSecrets, redactSecrets } from '#domain/user/redaction.js';
import { endLine, eventLine, headerLine, type LogSummary } from './log-chain.js';

export interface ExportOptions {
  /** Replace password hashes by `[redacted]` (the default everywhere but a backup). */
  readonly redact: boolean;
  /** Receives the text, one page of lines at a time; awaited (back-pressure). */
  readonly write: (text: string) => Promise<void> | void;
  /** Events read per page (default 1000): memory holds one page. */
  readonly pageSize?: number;
  /** After each page: events written so far, and the share of the log done (0 to 1). */
  readonly progress?: (exported: number, done: number) => void;
}

/**
 * Writes the log as it stands when the export starts (events appended meanwhile are left for
 * the next export), in position order, chained line by line (`log-chain.ts`). Events are
 * written as stored, in their recorded schema versions (the reading store upcasts them), so two
 * exports of the same log with the same `redact` are identical byte for byte, whatever version
 * of the service made them, and their end hashes compare.
 */
export async function exportLog(store: EventStore, options: ExportOptions): Promise<LogSummary> {
  const pageSize = options.pageSize ?? 1000;
  const head = await store.headPosition();
  const header = headerLine(options.redact);
  await options.write(header.text);
  let prev = header.hash;
  let events = 0;
  let lastPosition = 0;
  while (lastPosition < head) {
    const page = await readStoredPage(store, lastPosition, pageSize, options.redact);
    if (page.length === 0) break;
    let text = '';
    for (const stored of page) {
      if (stored.position > head) break;
      const line = eventLine(prev, stored);
      text += line.text;
      prev = line.hash;
      events += 1;
      lastPosition = stored.position;
    }
    await options.write(text);
    // By position, not by count: positions may have gaps (KurrentDB).
    options.progress?.(events, lastPosition / head);
    if (page[page.length - 1]!.position >= head) break;
  }
  const end = endLine(prev, events, lastPosition);
  await options.write(end.text);
  return { events, lastPosition, lastHash: end.hash, redacted: options.redact };
}

/**
 * A page of the log as stored, data and metadata as JSON text, secrets redacted if asked: the
 * store's own text when it offers it (`readAllAsJson`), else `readAll({ asStored })` serialised
 * here — the same bytes either way.
 */
export async function readStoredPage(
  store: EventStore,
  after: number,
  maxCount: number,
  redact: boolean,
): Promise<StoredEventJson[]> {
  const page = store.readAllAsJson
    ? await store.readAllAsJson({ after, maxCount })
    : (await store.readAll({ after, maxCount, asStored: true })).map(asJson);
  return redact ? page.map(redactJson) : page;
}

function asJson(event: RecordedEvent): StoredEventJson {
  return { ...event, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
}

function redactJson(event: StoredEventJson): StoredEventJson {
  if (!carriesSecrets(event.type)) return event;
  const parsed = { ...event, data: JSON.parse(event.data) as object, metadata: {} } as unknown as RecordedEvent;
  return { ...event, data: JSON.stringify(redactSecrets(parsed).data) };
}
