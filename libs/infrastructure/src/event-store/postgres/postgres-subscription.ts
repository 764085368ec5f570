import type { EventFilter, Subscription, SubscriptionBatch } from '#domain/shared/event-store.port.js';
import type { RecordedEvent } from '#domain/shared/event.js';

/** What the subscription needs from the store: the head, a bounded read, a way to wait for news. */
export interface PostgresSubscriptionSource {
  head(): Promise<number>;
  read(after: number, upTo: number, maxCount: number, filter?: EventFilter): Promise<RecordedEvent[]>;
  /** Resolves on a NOTIFY of an append (any process), after `timeoutMs`, or on `signal`. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/**
 * Catch-up subscription over the PostgreSQL log: pages through history in batches, reports
 * `caughtUp` at the head, then waits for a notification (or the poll interval, should one be
 * lost) and reads on. Positions commit in order (the append lock), so reading `position > after`
 * never skips an event.
 */
export class PostgresSubscription implements Subscription {
  private readonly abort = new AbortController();

  constructor(
    private readonly source: PostgresSubscriptionSource,
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
      // Armed before the head is read: a notification arriving meanwhile is not lost.
      const woken = new AbortController();
      const pending = this.source.waitForAppend(
        this.pollIntervalMs,
        AbortSignal.any([this.abort.signal, woken.signal]),
      );
      const head = await this.source.head();
      if (this.abort.signal.aborted) break;
      if (head <= this.position) {
        if (!announcedCaughtUp) {
          announcedCaughtUp = true;
          woken.abort();
          yield { events: [], position: this.position, caughtUp: true };
          continue;
        }
        await pending;
        continue;
      }
      woken.abort();
      const events = await this.source.read(this.position, head, this.maxBatchSize, this.filter);
      const full = events.length === this.maxBatchSize;
      // A short page means everything up to `head` was scanned, matching or not.
      const scannedTo = full ? events[events.length - 1]!.position : head;
      this.position = scannedTo;
      const caughtUp = scannedTo >= head;
      announcedCaughtUp = caughtUp;
      if (this.abort.signal.aborted) break;
      yield { events, position: scannedTo, caughtUp };
    }
  }
}
