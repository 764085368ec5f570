import type { EventFilter, Subscription, SubscriptionBatch } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

/** What the subscription needs from the store: a bounded read and a way to wait for news. */
export interface SubscriptionSource {
  head(): number;
  read(after: number, upTo: number, maxCount: number, filter?: EventFilter): RecordedEvent[];
  /** The same page read elsewhere (another thread) meanwhile; undefined when it cannot be. */
  readAhead?(after: number, upTo: number, maxCount: number, filter?: EventFilter): Promise<RecordedEvent[]> | undefined;
  /** Resolves on an in-process append, after `timeoutMs` (other processes), or on `signal`. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/**
 * Catch-up subscription over the SQLite log: pages through history in batches, reports
 * `caughtUp` when it reaches the head, then follows new appends. Appends from this process wake
 * it at once; appends from other processes are seen on the next poll. While catching up, the
 * next page is read ahead (on the store's reader thread) as soon as one is handed out, so the
 * log is read while the consumer works on the page it has.
 */
export class SqliteSubscription implements Subscription {
  private readonly abort = new AbortController();
  private ahead: { readonly after: number; readonly upTo: number; readonly page: Promise<RecordedEvent[]> } | undefined;

  constructor(
    private readonly source: SubscriptionSource,
    private position: number,
    private readonly maxBatchSize: number,
    private readonly pollIntervalMs: number,
    private readonly filter?: EventFilter,
    private readonly onClose?: () => void,
  ) {}

  async close(): Promise<void> {
    if (!this.abort.signal.aborted) this.onClose?.();
    this.abort.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionBatch> {
    let announcedCaughtUp = false;
    while (!this.abort.signal.aborted) {
      const head = this.source.head();
      if (head <= this.position) {
        if (!announcedCaughtUp) {
          announcedCaughtUp = true;
          yield { events: [], position: this.position, caughtUp: true };
          continue;
        }
        await this.source.waitForAppend(this.pollIntervalMs, this.abort.signal);
        continue;
      }
      const { events, upTo } = await this.page(head);
      const full = events.length === this.maxBatchSize;
      // A short page means everything up to `upTo` was scanned, matching or not.
      const scannedTo = full ? events[events.length - 1]!.position : upTo;
      this.position = scannedTo;
      const caughtUp = scannedTo >= head;
      announcedCaughtUp = caughtUp;
      if (full) this.readAhead();
      // Batches with no matching event still carry the position: the checkpoint moves on.
      yield { events, position: scannedTo, caughtUp };
    }
  }

  /** The page after the current position: the one read ahead when it starts there. */
  private async page(head: number): Promise<{ events: RecordedEvent[]; upTo: number }> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead !== undefined && ahead.after === this.position) {
      // A failed read ahead is read again here, on this thread.
      const events = await ahead.page.catch(() =>
        this.source.read(ahead.after, ahead.upTo, this.maxBatchSize, this.filter),
      );
      return { events, upTo: ahead.upTo };
    }
    return { events: this.source.read(this.position, head, this.maxBatchSize, this.filter), upTo: head };
  }

  private readAhead(): void {
    const after = this.position;
    const upTo = this.source.head();
    const page = this.source.readAhead?.(after, upTo, this.maxBatchSize, this.filter);
    if (page === undefined) return;
    page.catch(() => {}); // awaited (or dropped) by page(); never left unobserved
    this.ahead = { after, upTo, page };
  }
}
