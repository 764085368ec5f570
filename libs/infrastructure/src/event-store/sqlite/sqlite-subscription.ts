import type { EventFilter, Subscription, SubscriptionBatch } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

/** What the subscription needs from the store: a bounded read and a way to wait for news. */
export interface SubscriptionSource {
  head(): number;
  read(after: number, upTo: number, maxCount: number, filter?: EventFilter): RecordedEvent[];
  /** Resolves on an in-process append, after `timeoutMs` (other processes), or on `signal`. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/**
 * Catch-up subscription over the SQLite log: pages through history in batches, reports
 * `caughtUp` when it reaches the head, then follows new appends. Appends from this process wake
 * it at once; appends from other processes are seen on the next poll.
 */
export class SqliteSubscription implements Subscription {
  private readonly abort = new AbortController();

  constructor(
    private readonly source: SubscriptionSource,
    private position: number,
    private readonly maxBatchSize: number,
    private readonly pollIntervalMs: number,
    private readonly filter?: EventFilter,
  ) {}

  async close(): Promise<void> {
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
      const events = this.source.read(this.position, head, this.maxBatchSize, this.filter);
      const full = events.length === this.maxBatchSize;
      // A short page means everything up to `head` was scanned, matching or not.
      const scannedTo = full ? events[events.length - 1]!.position : head;
      this.position = scannedTo;
      const caughtUp = scannedTo >= head;
      announcedCaughtUp = caughtUp;
      // Batches with no matching event still carry the position: the checkpoint moves on.
      yield { events, position: scannedTo, caughtUp };
    }
  }
}
