import type { EventStore, StoredEventJson } from '#domain/shared/event-store.port.js';
import { EventLogError, eventLine, headerLine, type LogSummary } from './log-chain.js';
import { readStoredPage } from './log-exporter.js';
import { readLog } from './log-reader.js';

export interface VerifyOptions {
  /** Also check that the file is this store's log (its first events, byte for byte as exported). */
  readonly store?: EventStore;
  /** Events checked so far, after each chunk read. */
  readonly progress?: (events: number) => void;
}

export interface VerifySummary extends LogSummary {
  /** With a store: how many events the store holds after the file's last one (appended since). */
  readonly newerInStore?: number;
}

/**
 * `dlrn events verify`: the chain of every line, in one streaming pass (`readLog`). With a
 * store, each event line must also be the line an export of that store writes at that place:
 * the file is the start of the store's log, not merely a well-chained file.
 */
export async function verifyLog(
  source: AsyncIterable<Buffer | string>,
  options: VerifyOptions = {},
): Promise<VerifySummary> {
  const { store } = options;
  let checked = 0;
  let mirror: StoreMirror | undefined;
  const summary = await readLog(source, async (entries) => {
    for (const entry of entries) {
      if (entry.kind === 'header' && store) mirror = new StoreMirror(store, entry.redacted);
      if (entry.kind !== 'event') continue;
      checked += 1;
      if (mirror) await mirror.check(entry.line, entry.event.position, entry.hash);
    }
    options.progress?.(checked);
  });
  if (!store) return summary;
  return { ...summary, newerInStore: await countAfter(store, summary.lastPosition, await store.headPosition()) };
}

/** The store's log exported on the fly, one line at a time, to compare with a file's lines. */
export class StoreMirror {
  private prev: string;
  private page: StoredEventJson[] = [];
  private index = 0;
  private after = 0;

  constructor(
    private readonly store: EventStore,
    private readonly redact: boolean,
  ) {
    this.prev = headerLine(redact).hash;
  }

  async check(line: number, position: number, hash: string): Promise<void> {
    if (this.index >= this.page.length) {
      this.page = await readStoredPage(this.store, this.after, 1000, this.redact);
      this.index = 0;
    }
    const stored = this.page[this.index++];
    if (stored === undefined) {
      throw new EventLogError(line, `not in the store: its log ends at position ${this.after}`);
    }
    this.after = stored.position;
    const expected = eventLine(this.prev, stored);
    if (expected.hash !== hash) {
      throw new EventLogError(
        line,
        stored.position === position
          ? `differs from the store's event at position ${position}`
          : `the store's event here is at position ${stored.position}, the file's at ${position}`,
      );
    }
    this.prev = expected.hash;
  }
}

async function countAfter(store: EventStore, after: number, head: number): Promise<number> {
  let count = 0;
  let cursor = after;
  while (cursor < head) {
    const page = await store.readAll({ after: cursor, maxCount: 1000 });
    if (page.length === 0) break;
    count += page.length;
    cursor = page[page.length - 1]!.position;
  }
  return count;
}
